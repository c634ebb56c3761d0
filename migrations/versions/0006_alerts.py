"""alerts: one open alert per subject and rule, their deliveries (the outbox), channels and rule switches

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.store.types

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_RESOLVED = sa.text("state != 'resolved'")


def upgrade() -> None:
    moment = services.store.types.UTCDateTime
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=48), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("subject_name", sa.String(length=255), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.String(length=2000), nullable=False),
        sa.Column("advice", sa.String(length=500), nullable=False),
        sa.Column("opened_at", moment(), nullable=False),
        sa.Column("last_seen_at", moment(), nullable=False),
        sa.Column("clear_since", moment(), nullable=True),
        sa.Column("resolved_at", moment(), nullable=True),
        sa.Column("acked_by", sa.String(length=255), nullable=True),
        sa.Column("ack_note", sa.String(length=500), nullable=False),
        sa.Column("snoozed_until", moment(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
    )
    op.create_index(op.f("ix_alert_rule"), "alert", ["rule"], unique=False)
    op.create_index(
        "uq_alert_open_subject",
        "alert",
        ["rule", "subject_kind", "subject_id"],
        unique=True,
        sqlite_where=_NOT_RESOLVED,
        postgresql_where=_NOT_RESOLVED,
    )
    op.create_table(
        "alert_channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("min_severity", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("config_ciphertext", sa.Text(), nullable=False),
        sa.Column("from_settings", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_channel")),
    )
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", moment(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", moment(), nullable=False),
        sa.Column("delivered_at", moment(), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name=op.f("fk_alert_delivery_alert_id_alert")),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["alert_channel.id"], name=op.f("fk_alert_delivery_channel_id_alert_channel")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_delivery")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_alert_delivery_idempotency_key")),
    )
    for column in ("alert_id", "channel_id", "next_attempt_at"):
        op.create_index(op.f(f"ix_alert_delivery_{column}"), "alert_delivery", [column], unique=False)
    op.create_table(
        "alert_rule",
        sa.Column("rule", sa.String(length=48), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("rule", name=op.f("pk_alert_rule")),
    )


def downgrade() -> None:
    op.drop_table("alert_rule")
    for column in ("next_attempt_at", "channel_id", "alert_id"):
        op.drop_index(op.f(f"ix_alert_delivery_{column}"), table_name="alert_delivery")
    op.drop_table("alert_delivery")
    op.drop_table("alert_channel")
    op.drop_index("uq_alert_open_subject", table_name="alert")
    op.drop_index(op.f("ix_alert_rule"), table_name="alert")
    op.drop_table("alert")
