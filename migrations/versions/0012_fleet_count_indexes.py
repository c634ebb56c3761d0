"""fleet count indexes: the overview's counts read from indexes alone, whatever the fleet's size

Revision ID: 0012
Revises: 0011

The counts by WABA, business portfolio and messaging limit, and by status, scan a covering index instead of the
numbers' rows; nothing is rewritten.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_phone_number_waba_counts",
        "phone_number",
        ["waba_id", "messaging_limit", "severity", "last_polled_at"],
        unique=False,
    )
    op.create_index("ix_phone_number_status", "phone_number", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_phone_number_status", table_name="phone_number")
    op.drop_index("ix_phone_number_waba_counts", table_name="phone_number")
