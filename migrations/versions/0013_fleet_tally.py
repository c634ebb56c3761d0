"""fleet tally: the overview's counts kept by the database as numbers change, and each number's latest recovery

Revision ID: 0013
Revises: 0012

`fleet_tally` holds how many numbers each WABA has at each messaging limit, severity and status, and the newest
poll among them. Triggers on `phone_number` keep it in the transaction of every insert, update and delete, whoever
writes, so the overview reads a few rows a WABA instead of counting the fleet. It is filled from the numbers on
upgrade. The covering index the counts used to scan goes.

`phone_number.recovered_at` is when the number last went from needing attention to not (its writers set it); the
overview's recoveries read the newest of them from its index. Numbers stored before this revision get it from
their history on upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.store.types

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = "waba_id, messaging_limit, severity, status"
_OLD = "OLD.waba_id, COALESCE(OLD.messaging_limit, ''), OLD.severity, COALESCE(OLD.status, '')"
_NEW = "NEW.waba_id, COALESCE(NEW.messaging_limit, ''), NEW.severity, COALESCE(NEW.status, '')"
_MATCHES_OLD = (
    "waba_id = OLD.waba_id AND messaging_limit = COALESCE(OLD.messaging_limit, '') "
    "AND severity = OLD.severity AND status = COALESCE(OLD.status, '')"
)
_COUNTED = "waba_id, messaging_limit, severity, status, last_polled_at"
_SAME_KEY = (
    "OLD.waba_id = NEW.waba_id AND OLD.messaging_limit IS NOT DISTINCT FROM NEW.messaging_limit "
    "AND OLD.severity = NEW.severity AND OLD.status IS NOT DISTINCT FROM NEW.status"
)
_NEWER_POLL = (
    "newest_poll = CASE WHEN newest_poll IS NULL OR NEW.last_polled_at > newest_poll "
    "THEN NEW.last_polled_at ELSE newest_poll END"
)
_MATCHES_NEW = (
    "waba_id = NEW.waba_id AND messaging_limit = COALESCE(NEW.messaging_limit, '') "
    "AND severity = NEW.severity AND status = COALESCE(NEW.status, '')"
)

_SQLITE_ADD = f"""
INSERT INTO fleet_tally ({_KEY}, numbers, newest_poll) VALUES ({_NEW}, 1, NEW.last_polled_at)
ON CONFLICT ({_KEY}) DO UPDATE SET numbers = numbers + 1,
    newest_poll = CASE WHEN newest_poll IS NULL OR excluded.newest_poll > newest_poll
                       THEN excluded.newest_poll ELSE newest_poll END;
"""
_SQLITE_REMOVE = f"UPDATE fleet_tally SET numbers = numbers - 1 WHERE {_MATCHES_OLD};"
# A poll that finds a number unchanged only moves its poll time: one row's newest poll, not a move between rows.
_SQLITE_SAME_KEY = _SAME_KEY.replace("IS NOT DISTINCT FROM", "IS")
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER fleet_tally_insert AFTER INSERT ON phone_number BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER fleet_tally_update AFTER UPDATE OF {_COUNTED} ON phone_number "
    f"WHEN NOT ({_SQLITE_SAME_KEY}) BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
    f"CREATE TRIGGER fleet_tally_poll AFTER UPDATE OF last_polled_at ON phone_number "
    f"WHEN {_SQLITE_SAME_KEY} BEGIN UPDATE fleet_tally SET {_NEWER_POLL} WHERE {_MATCHES_NEW}; END",
    f"CREATE TRIGGER fleet_tally_delete AFTER DELETE ON phone_number BEGIN {_SQLITE_REMOVE} END",
)
_POSTGRES_FUNCTION = f"""
CREATE FUNCTION fleet_tally_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND {_SAME_KEY} THEN
        UPDATE fleet_tally SET {_NEWER_POLL.replace("newest_poll IS NULL", "fleet_tally.newest_poll IS NULL")}
        WHERE {_MATCHES_NEW};
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE fleet_tally SET numbers = numbers - 1 WHERE {_MATCHES_OLD};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO fleet_tally ({_KEY}, numbers, newest_poll) VALUES ({_NEW}, 1, NEW.last_polled_at)
        ON CONFLICT ({_KEY}) DO UPDATE SET numbers = fleet_tally.numbers + 1,
            newest_poll = GREATEST(fleet_tally.newest_poll, excluded.newest_poll);
    END IF;
    RETURN NULL;
END $$
"""
_POSTGRES_TRIGGER = (
    f"CREATE TRIGGER fleet_tally_count AFTER INSERT OR DELETE OR UPDATE OF {_COUNTED} ON phone_number "
    "FOR EACH ROW EXECUTE FUNCTION fleet_tally_count()"
)


def upgrade() -> None:
    # The column first: on SQLite a table rebuilt by a batch would lose its triggers.
    with op.batch_alter_table("phone_number") as batch:
        batch.add_column(sa.Column("recovered_at", services.store.types.UTCDateTime(), nullable=True))
    op.create_index("ix_phone_number_recovered_at", "phone_number", ["recovered_at"], unique=False)
    _backfill_recoveries()
    op.create_table(
        "fleet_tally",
        sa.Column("waba_id", sa.String(length=32), nullable=False),
        sa.Column("messaging_limit", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("numbers", sa.Integer(), nullable=False),
        sa.Column("newest_poll", services.store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("waba_id", "messaging_limit", "severity", "status", name=op.f("pk_fleet_tally")),
    )
    op.execute(
        f"INSERT INTO fleet_tally ({_KEY}, numbers, newest_poll) "
        "SELECT waba_id, COALESCE(messaging_limit, ''), severity, COALESCE(status, ''), COUNT(*), MAX(last_polled_at) "
        "FROM phone_number GROUP BY waba_id, COALESCE(messaging_limit, ''), severity, COALESCE(status, '')"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        op.execute(_POSTGRES_TRIGGER)
    else:
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
    op.drop_index("ix_phone_number_waba_counts", table_name="phone_number")


def _backfill_recoveries() -> None:
    """Each number's newest step in its history from needing attention to not, judged by the health model."""
    from services.health.model import Severity, severity_of_state

    connection = op.get_bind()
    history = sa.table(
        "phone_number_health",
        sa.column("phone_number_id"),
        sa.column("since", services.store.types.UTCDateTime()),
        sa.column("quality_rating"),
        sa.column("throughput_level"),
        sa.column("messaging_limit"),
        sa.column("status"),
        sa.column("name_status"),
        sa.column("can_send"),
        sa.column("health_problems", sa.JSON()),
    )
    ordered = sa.select(history).order_by(history.c.phone_number_id, history.c.since)
    recovered: dict[str, object] = {}
    previous: tuple[str, bool] | None = None
    for row in connection.execute(ordered).mappings():
        needs = severity_of_state(row) <= Severity.WATCH
        if previous is not None and previous[0] == row["phone_number_id"] and previous[1] and not needs:
            recovered[row["phone_number_id"]] = row["since"]
        previous = (row["phone_number_id"], needs)
    if recovered:
        numbers = sa.table("phone_number", sa.column("id"), sa.column("recovered_at", services.store.types.UTCDateTime()))
        statement = numbers.update().where(numbers.c.id == sa.bindparam("number_id"))
        rows = [{"number_id": number_id, "moment": moment} for number_id, moment in recovered.items()]
        connection.execute(statement.values(recovered_at=sa.bindparam("moment")), rows)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER fleet_tally_count ON phone_number")
        op.execute("DROP FUNCTION fleet_tally_count()")
    else:
        for name in ("fleet_tally_insert", "fleet_tally_update", "fleet_tally_poll", "fleet_tally_delete"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("fleet_tally")
    op.create_index(
        "ix_phone_number_waba_counts",
        "phone_number",
        ["waba_id", "messaging_limit", "severity", "last_polled_at"],
        unique=False,
    )
    op.drop_index("ix_phone_number_recovered_at", table_name="phone_number")
    with op.batch_alter_table("phone_number") as batch:
        batch.drop_column("recovered_at")
