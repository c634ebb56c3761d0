"""A store migrated to one revision, for the tests of the migration after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from sqlalchemy import Connection, Engine, text

from services.store.engine import create_store_engine
from services.store.migrate import alembic_config, migration_lock


def migrate(engine: Engine, revision: str) -> None:
    with engine.connect() as connection, migration_lock(connection):
        command.upgrade(alembic_config(connection), revision)


@contextmanager
def store_at(url: str, revision: str) -> Iterator[Engine]:
    """An engine on the empty store at `url`, migrated up to `revision`; disposed afterwards."""
    engine = create_store_engine(url)
    migrate(engine, revision)
    try:
        yield engine
    finally:
        engine.dispose()


def add_account(connection: Connection, *, at: str) -> None:
    """WABA 201, Jasper's Market, in columns every revision since the first has."""
    connection.execute(
        text(
            "INSERT INTO whatsapp_business_account (id, name, first_seen_at, last_seen_at, can_send, "
            "health_problems) VALUES ('201', 'Jasper''s Market', :at, :at, 'AVAILABLE', '[]')"
        ),
        {"at": at},
    )
