"""Migrations: empty to head with no drift, a quick no-op at head, safe from several processes at once."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from services.store.engine import create_store_engine
from services.store.migrate import (
    ALEMBIC_INI,
    MIGRATIONS_DIR,
    MigrationError,
    current_revision,
    migration_lock,
    upgrade_to_head,
)
from services.store.models import ConsoleUser, PhoneNumber

ROOT = ALEMBIC_INI.parent
USER = ConsoleUser(email="ops@example.com", role="admin").model_dump()
HEAD = ScriptDirectory.from_config(Config(str(ALEMBIC_INI))).get_current_head()

# Each child loads everything, says "ready", then migrates when told to, so the migrations really overlap.
CHILD = """
import sys
from alembic.config import main
from services.store.engine import create_store_engine
from services.store.migrate import upgrade_to_head
print("ready", flush=True)
sys.stdin.readline()
if sys.argv[1] == "cli":
    main(argv=["-x", f"url={sys.argv[2]}", "upgrade", "head"])
else:
    upgrade_to_head(create_store_engine(sys.argv[2]))
"""


def _drift(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return current_revision(connection)


def test_migrations_take_an_empty_database_to_head_without_drift(
    empty_store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the migrations are found from the package, not from the current directory
    engine = create_store_engine(empty_store_url)
    assert inspect(engine).get_table_names() == []
    upgrade_to_head(engine)
    assert HEAD is not None and _revision(engine) == HEAD
    assert set(inspect(engine).get_table_names()) == set(SQLModel.metadata.tables) | {"alembic_version"}
    assert _drift(engine) == []
    engine.dispose()


def test_upgrade_to_head_at_head_only_reads(store_engine: Engine) -> None:
    with store_engine.begin() as connection:
        connection.execute(ConsoleUser.__table__.insert().values(**USER))
    statements: list[str] = []
    event.listen(store_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    upgrade_to_head(store_engine)
    upgrade_to_head(store_engine)
    assert statements, "upgrade_to_head should at least read the current revision"
    assert [s for s in statements if not s.lstrip().upper().startswith(("SELECT", "PRAGMA"))] == []
    assert len(statements) <= 6
    assert _revision(store_engine) == HEAD
    with store_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ConsoleUser.__table__)).scalar_one() == 1


def test_several_processes_can_migrate_one_empty_database_at_once(empty_store_url: str) -> None:
    kinds = ["app", "app", "cli"]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, kind, empty_store_url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for kind in kinds
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outcomes = [child.communicate(timeout=120) for child in children]
    failures = [err for child, (_, err) in zip(children, outcomes, strict=True) if child.returncode != 0]
    assert failures == []
    engine = create_store_engine(empty_store_url)
    assert _revision(engine) == HEAD
    assert _drift(engine) == []
    engine.dispose()


def test_sqlite_foreign_keys_are_back_on_for_the_connection_that_migrated(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'console.sqlite'}")
    upgrade_to_head(engine)
    assert engine.pool.checkedin() == 1  # the next connect() reuses the connection that ran the migration
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    engine.dispose()


def test_a_migration_that_breaks_a_foreign_key_is_rolled_back_whole(store_engine: Engine) -> None:
    orphan = PhoneNumber(id="1", waba_id="no-such-account", display_phone_number="+1 555-0100").model_dump()
    # SQLite migrates with foreign keys off and checks them before committing; PostgreSQL refuses at once.
    expected = MigrationError if store_engine.dialect.name == "sqlite" else IntegrityError
    with store_engine.connect() as connection:
        with pytest.raises(expected), migration_lock(connection):
            connection.execute(ConsoleUser.__table__.insert().values(**USER))
            connection.execute(PhoneNumber.__table__.insert().values(**orphan))
        assert connection.execute(select(func.count()).select_from(ConsoleUser.__table__)).scalar_one() == 0


def test_autogenerate_renders_utc_datetime_columns_that_import_cleanly(tmp_path: Path) -> None:
    scripts = tmp_path / "migrations"
    (scripts / "versions").mkdir(parents=True)
    for name in ("env.py", "script.py.mako"):
        shutil.copy(MIGRATIONS_DIR / name, scripts / name)
    engine = create_store_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(scripts))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message="probe", autogenerate=True, rev_id="probe")
    engine.dispose()
    [script] = (scripts / "versions").glob("probe_*.py")
    source = script.read_text()
    assert "sa.Column('started_at', services.store.types.UTCDateTime(), nullable=False)" in source
    spec = importlib.util.spec_from_file_location("probe_migration", script)
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
