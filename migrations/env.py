"""Alembic environment for the console store: SQLModel metadata, batch mode for SQLite, one migration lock."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import services.store.models  # noqa: F401  (registers every table on SQLModel.metadata)
from services.settings import load_settings
from services.store.engine import create_store_engine
from services.store.migrate import migration_lock
from services.store.types import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata

# A connection handed in by services.store.migrate belongs to a running app: leave its logging alone.
if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or load_settings().database_url


def _render_item(kind: str, obj: Any, _autogen_context: Any) -> str | bool:
    # The default rendering, UTCDateTime(timezone=True), passes an argument the decorator ignores.
    # script.py.mako imports services.store.types for this line.
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "services.store.types.UTCDateTime()"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
        **kwargs,
    )


def _run_on(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    _configure(url=_database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _run_on(given)
        return
    engine = create_store_engine(_database_url())
    try:
        with engine.connect() as connection, migration_lock(connection):
            _run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
