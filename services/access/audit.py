"""The audit trail: who did what, when, and which fields changed (never a token)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from services.access.roles import Actor
from services.store.models import AuditEvent
from services.store.types import utcnow

_NEVER_RECORDED = frozenset({"token", "token_ciphertext", "token_fingerprint", "password", "password_hash"})


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [before, after]}; secret fields are left out."""
    before, after = before or {}, after or {}
    fields = (set(before) | set(after)) - _NEVER_RECORDED
    return {f: [before.get(f), after.get(f)] for f in sorted(fields) if before.get(f) != after.get(f)}


def record(
    *,
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    object_name: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    detail: str = "",
    at: datetime | None = None,
) -> AuditEvent:
    """Add an audit row to `session`; the caller's commit makes it durable with the change itself.

    `at` is when it happened (default now): the demo's credentials are dated in its simulated past.
    """
    event = AuditEvent(
        at=at or utcnow(),
        actor=actor.email,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_name=object_name,
        changes=diff(before, after),
        detail=detail[:1000],
    )
    session.add(event)
    return event


def list_events(
    *, session: Session, object_type: str | None = None, actor: str | None = None, limit: int = 500
) -> list[AuditEvent]:
    """Newest first, optionally for one kind of object or one person."""
    query = select(AuditEvent)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    return list(session.exec(query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).limit(limit)))


@dataclass(frozen=True)
class FilterChoices:
    object_types: list[str]
    actors: list[str]


def filter_choices(*, session: Session) -> FilterChoices:
    """The object kinds and people that appear in the trail, for the page's filters."""
    types = session.exec(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type))
    actors = session.exec(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor))
    return FilterChoices(object_types=list(types), actors=list(actors))


def describe_changes(changes: Mapping[str, Any]) -> str:
    """'status: draft → processing; name: a → b' (values shortened)."""

    def short(value: Any) -> str:
        text = "—" if value in (None, "") else str(value)
        return text if len(text) <= 40 else text[:39] + "…"

    return "; ".join(f"{field}: {short(pair[0])} → {short(pair[1])}" for field, pair in changes.items())
