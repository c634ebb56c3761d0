"""message templates: each template's latest status and quality, and its history as changes

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.store.types

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = services.store.types.UTCDateTime
    with op.batch_alter_table("whatsapp_business_account") as batch:
        batch.add_column(sa.Column("templates_polled_at", moment(), nullable=True))
    op.create_table(
        "message_template",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("waba_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("quality_score", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("status_info", sa.JSON(), nullable=False),
        sa.Column("severity", sa.Integer(), server_default="3", nullable=False),
        sa.Column("first_seen_at", moment(), nullable=False),
        sa.Column("last_polled_at", moment(), nullable=True),
        sa.Column("changed_at", moment(), nullable=True),
        sa.ForeignKeyConstraint(
            ["waba_id"],
            ["whatsapp_business_account.id"],
            name=op.f("fk_message_template_waba_id_whatsapp_business_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_template")),
    )
    op.create_index(op.f("ix_message_template_waba_id"), "message_template", ["waba_id"], unique=False)
    op.create_index(
        "ix_message_template_severity_name", "message_template", ["severity", "name", "id"], unique=False
    )
    op.create_table(
        "message_template_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.String(length=32), nullable=False),
        sa.Column("since", moment(), nullable=False),
        sa.Column("last_confirmed_at", moment(), nullable=False),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.Column("follows_gap", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("quality_score", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("status_info", sa.JSON(), nullable=False),
        sa.Column("learned_by", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["message_template.id"],
            name=op.f("fk_message_template_history_template_id_message_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_template_history")),
    )
    op.create_index(
        "ix_message_template_history_template_since",
        "message_template_history",
        ["template_id", "since"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_message_template_history_template_since", table_name="message_template_history")
    op.drop_table("message_template_history")
    op.drop_index("ix_message_template_severity_name", table_name="message_template")
    op.drop_index(op.f("ix_message_template_waba_id"), table_name="message_template")
    op.drop_table("message_template")
    with op.batch_alter_table("whatsapp_business_account") as batch:
        batch.drop_column("templates_polled_at")
