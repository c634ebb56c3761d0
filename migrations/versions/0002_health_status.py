"""health_status: can-send verdict and Meta's reasons on numbers, their history and WABAs

Revision ID: 0002
Revises: 0001

Rows polled before this revision read UNKNOWN with no reasons: the console never saw their
health_status, so it must not claim they could send.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.store.types

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HEALTH_TABLES = ("phone_number", "phone_number_health", "whatsapp_business_account")


def upgrade() -> None:
    for table in _HEALTH_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("can_send", sa.String(length=16), nullable=False, server_default="UNKNOWN"))
            batch.add_column(sa.Column("health_problems", sa.JSON(), nullable=False, server_default="[]"))
    for table in _HEALTH_TABLES[:2]:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("name_status", sa.String(length=32), nullable=True))
    with op.batch_alter_table("whatsapp_business_account") as batch:
        batch.add_column(sa.Column("review_status", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("portfolio_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("portfolio_name", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("health_polled_at", services.store.types.UTCDateTime(), nullable=True))
    # The defaults only filled existing rows; the models give every new row its values.
    for table in _HEALTH_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("can_send", server_default=None)
            batch.alter_column("health_problems", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("whatsapp_business_account") as batch:
        batch.drop_column("health_polled_at")
        batch.drop_column("portfolio_name")
        batch.drop_column("portfolio_id")
        batch.drop_column("review_status")
    for table in reversed(_HEALTH_TABLES):
        with op.batch_alter_table(table) as batch:
            if table != "whatsapp_business_account":
                batch.drop_column("name_status")
            batch.drop_column("health_problems")
            batch.drop_column("can_send")
