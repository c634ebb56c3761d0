"""unique names: one configuration per name (case ignored) among those not deactivated

Revision ID: 0003
Revises: 0002

Adds the unique index `uq_channel_configuration_live_name` on lower(name), partial: only rows that are
not deactivated and have a name (unnamed drafts and deactivated configurations may share a name, as
the name rule says). It works on SQLite (3.9 or later) and PostgreSQL. The WABA and phone number rows
are unique by id already (their primary keys); their inserts now use INSERT ... ON CONFLICT.

Existing duplicates: within each group of names equal when lower-cased, among configurations not
deactivated, one keeps its name (an active one first, then processing, failed, draft; the oldest id
among equals) and every other is renamed "<name>-2", "<name>-3", ... (the first suffix free among all
names, case ignored, the name shortened to fit 120 characters), which still follows the name rule.
Nothing is lost: no row is deleted, every other field stays as it was, the version goes up by one (so
an editor who opened the old version is told it changed instead of overwriting it), and each rename
is written to the audit trail (action "rename_duplicate", actor "migration 0003", old and new name).
Downgrade drops the index and keeps the new names.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import services.store.types

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "uq_channel_configuration_live_name"
ACTOR = "migration 0003"
MAX_NAME_LENGTH = 120
_LIVE = "status != 'deactivated' AND name != ''"
_KEEP_FIRST = {"active": 0, "processing": 1, "failed": 2, "draft": 3}

_configuration = sa.table(
    "channel_configuration",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("status", sa.String),
    sa.column("version", sa.Integer),
    sa.column("updated_by", sa.String),
)
_audit = sa.table(
    "audit_event",
    sa.column("at", services.store.types.UTCDateTime),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("object_name", sa.String),
    sa.column("changes", sa.JSON),
    sa.column("detail", sa.String),
)


def renames(rows: Sequence[tuple[int, str, str]]) -> dict[int, str]:
    """{id: new name} for the (id, name, status) rows whose name repeats one kept by another live row."""
    used = {name.lower() for _, name, _ in rows}
    groups: dict[str, list[tuple[int, str, str]]] = {}
    for row in rows:
        if row[1] and row[2] != "deactivated":
            groups.setdefault(row[1].lower(), []).append(row)
    renamed: dict[int, str] = {}
    for group in groups.values():
        group.sort(key=lambda row: (_KEEP_FIRST.get(row[2], len(_KEEP_FIRST)), row[0]))
        for row_id, name, _ in group[1:]:
            n = 2
            while True:
                suffix = f"-{n}"
                candidate = name[: MAX_NAME_LENGTH - len(suffix)] + suffix
                if candidate.lower() not in used:
                    break
                n += 1
            used.add(candidate.lower())
            renamed[row_id] = candidate
    return renamed


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_configuration.c.id, _configuration.c.name, _configuration.c.status)).all()
    names = {row_id: name for row_id, name, _ in rows}
    at = datetime.now(UTC)
    for row_id, new_name in sorted(renames([tuple(row) for row in rows]).items()):
        bind.execute(
            sa.update(_configuration)
            .where(_configuration.c.id == row_id)
            .values(name=new_name, version=_configuration.c.version + 1, updated_by=ACTOR)
        )
        bind.execute(
            sa.insert(_audit).values(
                at=at,
                actor=ACTOR,
                action="rename_duplicate",
                object_type="channel_configuration",
                object_id=str(row_id),
                object_name=new_name,
                changes={"name": [names[row_id], new_name]},
                detail=(
                    f"Another configuration not deactivated was already named “{names[row_id]}” (case ignored); "
                    f"names must be unique, so this one is now “{new_name}”."
                ),
            )
        )
    op.create_index(
        INDEX,
        "channel_configuration",
        [sa.text("lower(name)")],
        unique=True,
        sqlite_where=sa.text(_LIVE),
        postgresql_where=sa.text(_LIVE),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="channel_configuration")
