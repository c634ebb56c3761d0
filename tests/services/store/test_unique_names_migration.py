"""Migration 0003 on a store that already holds configurations named alike: renamed, never lost, then unique."""

from __future__ import annotations

import importlib.util
from types import ModuleType
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from services.store.engine import create_store_engine
from services.store.migrate import MIGRATIONS_DIR, alembic_config, migration_lock, upgrade_to_head
from services.store.models import LIVE_NAME_INDEX, AuditEvent, ChannelConfiguration

LONG = "L" + "o" * 119  # 120 characters, the longest name the rule allows


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "migration_0003", MIGRATIONS_DIR / "versions" / "0003_unique_names.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    with engine.connect() as connection, migration_lock(connection):
        (command.downgrade if down else command.upgrade)(alembic_config(connection), revision)


def _configuration(row_id: int, name: str, status: str = "draft") -> dict[str, Any]:
    return ChannelConfiguration(id=row_id, name=name, status=status, version=3).model_dump()


def _insert(engine: Engine, *rows: dict[str, Any]) -> None:
    with engine.begin() as connection:
        connection.execute(ChannelConfiguration.__table__.insert(), list(rows))  # type: ignore[attr-defined]


def _names(engine: Engine) -> dict[int, tuple[str, str, int]]:
    table = ChannelConfiguration.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(select(table.c.id, table.c.name, table.c.status, table.c.version))
        return {row_id: (name, status, version) for row_id, name, status, version in rows}


@pytest.fixture
def at_0002(empty_store_url: str) -> Any:
    engine = create_store_engine(empty_store_url)
    _migrate(engine, "0002")
    yield engine
    engine.dispose()


def test_names_repeated_among_live_configurations_are_renamed_and_audited(at_0002: Engine) -> None:
    _insert(
        at_0002,
        _configuration(1, "promo", "draft"),
        _configuration(2, "Promo", "active"),  # an active one keeps the name, though younger
        _configuration(3, "PROMO", "failed"),  # failed is kept before draft, so renamed first
        _configuration(4, "Promo-2", "draft"),  # a suffix already taken is skipped
        _configuration(5, "Promo", "deactivated"),  # deactivated ones may share a name
        _configuration(6, "", "draft"),  # so may unnamed drafts
        _configuration(7, "", "draft"),
        _configuration(8, LONG, "draft"),
        _configuration(9, LONG.upper(), "processing"),  # processing is kept before draft
        _configuration(10, "Solo", "draft"),
    )

    _migrate(at_0002, "0003")

    assert _names(at_0002) == {
        1: ("promo-4", "draft", 4),
        2: ("Promo", "active", 3),
        3: ("PROMO-3", "failed", 4),
        4: ("Promo-2", "draft", 3),
        5: ("Promo", "deactivated", 3),
        6: ("", "draft", 3),
        7: ("", "draft", 3),
        8: (LONG[:118] + "-2", "draft", 4),
        9: (LONG.upper(), "processing", 3),
        10: ("Solo", "draft", 3),
    }
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    with at_0002.connect() as connection:
        events = connection.execute(select(table).order_by(table.c.object_id)).mappings().all()
    assert [(e["object_id"], e["actor"], e["action"], e["changes"]) for e in events] == [
        ("1", "migration 0003", "rename_duplicate", {"name": ["promo", "promo-4"]}),
        ("3", "migration 0003", "rename_duplicate", {"name": ["PROMO", "PROMO-3"]}),
        ("8", "migration 0003", "rename_duplicate", {"name": [LONG, LONG[:118] + "-2"]}),
    ]
    assert all(e["object_type"] == "channel_configuration" and e["at"] is not None for e in events)


def test_after_the_migration_the_store_refuses_a_repeated_live_name(at_0002: Engine) -> None:
    _insert(at_0002, _configuration(1, "Promo"), _configuration(2, "promo"))
    upgrade_to_head(at_0002)
    _insert(at_0002, _configuration(3, "PROMO", "deactivated"), _configuration(4, ""), _configuration(5, ""))
    with pytest.raises(IntegrityError, match=LIVE_NAME_INDEX):
        _insert(at_0002, _configuration(6, "pRoMo-2"))  # the name migration 0003 gave row 2
    with pytest.raises(IntegrityError, match=LIVE_NAME_INDEX):
        _insert(at_0002, _configuration(6, "PROMO", "active"))
    assert len(_names(at_0002)) == 5


def test_downgrade_drops_the_index_and_keeps_the_names(at_0002: Engine) -> None:
    _insert(at_0002, _configuration(1, "Promo"), _configuration(2, "promo"))
    _migrate(at_0002, "0003")
    _migrate(at_0002, "0002", down=True)
    _insert(at_0002, _configuration(3, "PROMO"))
    assert {name for name, _, _ in _names(at_0002).values()} == {"Promo", "promo-2", "PROMO"}


def test_renames_alone() -> None:
    renames = _migration().renames
    assert renames([]) == {}
    assert renames([(1, "a", "draft"), (2, "A", "deactivated"), (3, "", "draft"), (4, "", "active")]) == {}
    assert renames([(1, "a", "draft"), (2, "A", "draft"), (3, "a-2", "deactivated")]) == {2: "A-3"}
