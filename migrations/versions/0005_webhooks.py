"""webhooks: Meta's deliveries stored raw, their events once each, refusals; re-read requests; learned_by

Revision ID: 0005
Revises: 0004

History rows written before this revision were all learned by polling.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.store.types

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = services.store.types.UTCDateTime
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", moment(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source_address", sa.String(length=64), nullable=False),
        sa.Column("processed_at", moment(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
        sa.UniqueConstraint("body_sha256", name=op.f("uq_webhook_delivery_body_sha256")),
    )
    op.create_index(op.f("ix_webhook_delivery_received_at"), "webhook_delivery", ["received_at"], unique=False)
    op.create_table(
        "webhook_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("waba_id", sa.String(length=32), nullable=True),
        sa.Column("phone_number_id", sa.String(length=32), nullable=True),
        sa.Column("occurred_at", moment(), nullable=True),
        sa.Column("received_at", moment(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_delivery.id"],
            name=op.f("fk_webhook_event_delivery_id_webhook_delivery"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_event")),
        sa.UniqueConstraint("event_key", name=op.f("uq_webhook_event_event_key")),
    )
    op.create_index(op.f("ix_webhook_event_delivery_id"), "webhook_event", ["delivery_id"], unique=False)
    op.create_index(op.f("ix_webhook_event_field"), "webhook_event", ["field"], unique=False)
    op.create_index(op.f("ix_webhook_event_waba_id"), "webhook_event", ["waba_id"], unique=False)
    op.create_index(op.f("ix_webhook_event_phone_number_id"), "webhook_event", ["phone_number_id"], unique=False)
    op.create_table(
        "webhook_refusal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", moment(), nullable=False),
        sa.Column("source_address", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("body_bytes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_refusal")),
    )
    op.create_index(op.f("ix_webhook_refusal_at"), "webhook_refusal", ["at"], unique=False)
    with op.batch_alter_table("whatsapp_business_account") as batch:
        batch.add_column(sa.Column("reread_requested_at", moment(), nullable=True))
    with op.batch_alter_table("phone_number_health") as batch:
        batch.add_column(sa.Column("learned_by", sa.String(length=16), nullable=False, server_default="poll"))
    # The default only filled existing rows; the model gives every new row its value.
    with op.batch_alter_table("phone_number_health") as batch:
        batch.alter_column("learned_by", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("phone_number_health") as batch:
        batch.drop_column("learned_by")
    with op.batch_alter_table("whatsapp_business_account") as batch:
        batch.drop_column("reread_requested_at")
    op.drop_index(op.f("ix_webhook_refusal_at"), table_name="webhook_refusal")
    op.drop_table("webhook_refusal")
    for column in ("phone_number_id", "waba_id", "field", "delivery_id"):
        op.drop_index(op.f(f"ix_webhook_event_{column}"), table_name="webhook_event")
    op.drop_table("webhook_event")
    op.drop_index(op.f("ix_webhook_delivery_received_at"), table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
