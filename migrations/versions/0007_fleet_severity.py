"""fleet severity: each number's health verdict stored with it, so the fleet sorts, counts and filters in SQL

Revision ID: 0007
Revises: 0006

Numbers stored before this revision get their verdict from the health model on upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("phone_number") as batch:
        batch.add_column(sa.Column("severity", sa.Integer(), server_default="3", nullable=False))
    op.create_index("ix_phone_number_severity_name", "phone_number", ["severity", "verified_name", "id"], unique=False)
    op.create_index("ix_phone_number_health_since", "phone_number_health", ["since"], unique=False)
    _backfill()


def _backfill() -> None:
    from services.health.model import severity_of_state

    connection = op.get_bind()
    numbers = sa.table(
        "phone_number",
        sa.column("id"),
        sa.column("severity"),
        sa.column("quality_rating"),
        sa.column("throughput_level"),
        sa.column("messaging_limit"),
        sa.column("status"),
        sa.column("name_status"),
        sa.column("can_send"),
        sa.column("health_problems", sa.JSON()),
    )
    rows = connection.execute(sa.select(numbers)).mappings().all()
    verdicts = [{"number_id": row["id"], "verdict": int(severity_of_state(row))} for row in rows]
    if verdicts:
        statement = numbers.update().where(numbers.c.id == sa.bindparam("number_id"))
        connection.execute(statement.values(severity=sa.bindparam("verdict")), verdicts)


def downgrade() -> None:
    op.drop_index("ix_phone_number_health_since", table_name="phone_number_health")
    op.drop_index("ix_phone_number_severity_name", table_name="phone_number")
    with op.batch_alter_table("phone_number") as batch:
        batch.drop_column("severity")
