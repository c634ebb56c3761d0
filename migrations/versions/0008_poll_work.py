"""poll work: the WABAs of each poll cycle, claimed one batch at a time by pollers sharing a PostgreSQL

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.store.types

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = services.store.types.UTCDateTime
    op.create_table(
        "poll_work",
        sa.Column("cycle_at", moment(), nullable=False),
        sa.Column("waba_id", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", moment(), nullable=True),
        sa.Column("done_at", moment(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cycle_at", "waba_id", name=op.f("pk_poll_work")),
    )


def downgrade() -> None:
    op.drop_table("poll_work")
