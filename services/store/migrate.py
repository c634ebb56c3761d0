"""Bring a store's schema to the newest migration, safely from several processes at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

if TYPE_CHECKING:
    from alembic.config import Config

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
# Any constant works, as long as every process that migrates the same database uses the same one.
ADVISORY_LOCK_KEY = 0x5741_4343
# Alembic keeps the running migration in module globals, so two threads of one process must take turns.
_ALEMBIC_TURN = threading.Lock()


class MigrationError(RuntimeError):
    """A migration could not be applied cleanly; the message says what is wrong."""


def alembic_config(connection: Connection | None = None) -> Config:
    """The project's Alembic configuration, found from this package rather than the current directory."""
    # Alembic is imported when a store is opened, not when a module naming MigrationError is: the server's start.
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str | None:
    """The revision id of the newest migration."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at; None when it has never been migrated."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def migration_lock(connection: Connection) -> Iterator[None]:
    """Run the block in one transaction that no other migrating process can interleave with, then commit."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        # Batch migrations copy a table and drop the original; with foreign keys on, that drop would
        # cascade or fail. The pragma is ignored inside a transaction, so it must come before BEGIN.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        if dialect == "sqlite":
            # IMMEDIATE takes the write lock now; a second process waits (busy timeout) instead of racing.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        yield
        if dialect == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise MigrationError(f"The migration left {len(broken)} rows with a broken foreign key: {broken[:3]}")
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        if dialect == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def upgrade_to_head(engine: Engine) -> None:
    """Apply every pending migration through `engine`; only a quick read when the database is already at head."""
    with engine.connect() as connection:
        if current_revision(connection) == head_revision():
            return
        connection.rollback()
        from alembic import command

        with _ALEMBIC_TURN, migration_lock(connection):
            command.upgrade(alembic_config(connection), "head")
