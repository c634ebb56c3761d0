"""Stored channel configurations: reading them, and writing under optimistic locking with an audit row.

Every change names the version the person opened; a change saved meanwhile by someone else refuses it,
so nobody silently overwrites another person's work.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from services.access import audit
from services.access.roles import Actor
from services.configurations.fields import ConfigurationInput, ConfigurationInvalid, taken_sentence
from services.graph.expiry import spoken
from services.language.translate import _, lazy
from services.store.models import LIVE_NAME_INDEX, ChannelConfiguration
from services.store.types import utcnow

STATUSES = ("draft", "processing", "active", "failed", "deactivated")
# Journey Optimizer's names for them (简体中文: 草稿, 正在处理, 活动, 失败, 已停用).
STATUS_WORDS = {
    "draft": lazy("Draft"),
    "processing": lazy("Processing"),
    "active": lazy("Active"),
    "failed": lazy("Failed"),
    "deactivated": lazy("Deactivated"),
}


def status_words(status: str) -> str:
    """'Active', '活动'; a status the console does not know reads as itself."""
    words = STATUS_WORDS.get(status)
    return str(words) if words is not None else status.title()


OBJECT_TYPE = "channel_configuration"


class ConfigurationRefused(Exception):
    """The configuration cannot do this in its present state; the message says why and what to do instead."""


class ConfigurationChanged(ConfigurationRefused):
    """Someone else saved the configuration after it was opened here."""


class ConfigurationNotFound(ConfigurationRefused):
    """The configuration does not exist (any more)."""


def list_configurations(
    *, session: Session, statuses: Iterable[str] = (), search: str = ""
) -> list[ChannelConfiguration]:
    """Configurations, most recently changed first; `statuses` filters (empty: all), `search` matches names."""
    query = select(ChannelConfiguration)
    wanted = list(statuses)
    if wanted:
        query = query.where(col(ChannelConfiguration.status).in_(wanted))
    if search.strip():
        query = query.where(col(ChannelConfiguration.name).icontains(search.strip(), autoescape=True))
    order = (col(ChannelConfiguration.updated_at).desc(), col(ChannelConfiguration.id).desc())
    return list(session.exec(query.order_by(*order)))


def processing_ids(*, session: Session) -> set[int]:
    """The configurations whose checks (or whose update's checks) are running or due."""
    stuck = or_(
        col(ChannelConfiguration.status) == "processing", col(ChannelConfiguration.update_status) == "processing"
    )
    return {row_id for row_id in session.exec(select(ChannelConfiguration.id).where(stuck)) if row_id is not None}


def get(*, session: Session, configuration_id: int) -> ChannelConfiguration:
    """The configuration as stored now; ConfigurationNotFound if it was deleted."""
    row = session.get(ChannelConfiguration, configuration_id, populate_existing=True)
    if row is None:
        raise ConfigurationNotFound(_("This channel configuration no longer exists; it was deleted meanwhile."))
    return row


def display_name(row: ChannelConfiguration) -> str:
    """The name, or "Untitled draft #N" for a draft saved without one."""
    return row.name or _("Untitled draft #{id}", id=row.id)


def snapshot(row: ChannelConfiguration) -> dict[str, Any]:
    """What the audit trail records of a configuration."""
    return {**ConfigurationInput.of(row).as_dict(), "status": row.status, "update_status": row.update_status}


def opened(*, session: Session, configuration_id: int, expected_version: int | None) -> ChannelConfiguration:
    """The configuration, if nobody changed it since `expected_version` was opened (None: any version)."""
    row = get(session=session, configuration_id=configuration_id)
    if expected_version is not None and row.version != expected_version:
        raise changed(row)
    return row


def changed(row: ChannelConfiguration) -> ConfigurationChanged:
    """The refusal of a save that would overwrite `row`'s newer version."""
    when = spoken(row.updated_at)
    keep = _("Your input is kept: reopen the configuration to see the latest version, then apply your changes again.")
    if row.updated_by:
        said = _(
            "“{name}” was changed since you opened it (by {who} at {moment}).",
            name=display_name(row),
            who=row.updated_by,
            moment=when,
        )
    else:
        said = _(
            "“{name}” was changed since you opened it (by someone at {moment}).", name=display_name(row), moment=when
        )
    return ConfigurationChanged(f"{said} {keep}")


def store(
    *,
    session: Session,
    row: ChannelConfiguration | None,
    changes: dict[str, Any],
    actor: Actor,
    action: str,
    expected_version: int | None,
    at: datetime | None = None,
    detail: str = "",
) -> ChannelConfiguration:
    """Insert, or update only if the row is still at the version read (one guarded UPDATE); audit; commit.

    A name taken meanwhile by another configuration (the unique index refuses it: two admins saving the same
    name at the same moment) raises ConfigurationInvalid with the sentence the name check gives.
    """
    name = changes.get("name", row.name if row is not None else "")
    try:
        return _store(
            session=session,
            row=row,
            changes=changes,
            actor=actor,
            action=action,
            expected_version=expected_version,
            at=at or utcnow(),
            detail=detail,
        )
    except IntegrityError as exc:
        session.rollback()
        if LIVE_NAME_INDEX not in str(exc.orig):
            raise
        raise ConfigurationInvalid({"name": taken_sentence(name)}) from None


def _store(
    *,
    session: Session,
    row: ChannelConfiguration | None,
    changes: dict[str, Any],
    actor: Actor,
    action: str,
    expected_version: int | None,
    at: datetime,
    detail: str,
) -> ChannelConfiguration:
    stamp = {"updated_at": at, "updated_by": actor.email}
    if row is None:
        row = ChannelConfiguration(**changes, **stamp, created_at=at, created_by=actor.email)
        session.add(row)
        session.flush()
        before = None
    else:
        assert row.id is not None
        before = snapshot(row)
        version = row.version if expected_version is None else expected_version
        guarded = update(ChannelConfiguration).where(
            col(ChannelConfiguration.id) == row.id, col(ChannelConfiguration.version) == version
        )
        result = session.exec(guarded.values(**changes, **stamp, version=version + 1))
        if result.rowcount != 1:
            session.rollback()
            raise changed(get(session=session, configuration_id=row.id))
        session.refresh(row)
    audit.record(
        session=session,
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=row.id,
        object_name=display_name(row),
        before=before,
        after=snapshot(row),
        detail=detail,
    )
    session.commit()
    session.refresh(row)
    return row
