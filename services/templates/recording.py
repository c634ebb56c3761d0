"""Message template history: changes, not repeats, like a number's.

Each history row is an unchanged stretch of a template's status and quality. A poll that finds the same state as
the template's latest row, soon enough after it, only moves `last_confirmed_at`; a change (by poll or webhook)
opens a new row, and one that starts after time nobody looked has `follows_gap` set.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.health.model import PAUSE_HOURS, assess_template
from services.health.recording import _lock_history, gap_after
from services.store.models import MessageTemplate, TemplateInterval
from services.templates.state import TemplateState

State = tuple[str, str, str, str | None, str]


def _state(values: Mapping[str, Any]) -> State:
    info = json.dumps(values["status_info"] or {}, sort_keys=True, default=str)
    return (values["status"], values["quality_score"], values["category"], values["reason"], info)


def _merged(state: TemplateState, known: MessageTemplate | None, *, at: datetime, learned_by: str) -> dict[str, Any]:
    """The state to store: what Meta said now, plus what an earlier webhook said that a poll cannot carry."""
    values: dict[str, Any] = {
        "status": state.status.upper()[:32] or "PENDING",
        "quality_score": (state.quality_score or "UNKNOWN").upper()[:16],
        "category": (state.category or (known.category if known else "")).upper()[:32],
        "reason": (state.reason or None) and state.reason[:64],
        "status_info": dict(state.status_info),
    }
    same_status = known is not None and known.status == values["status"]
    if learned_by == "poll" and same_status and known is not None and values["reason"] in (None, known.reason):
        # The message_templates edge has no pause title, disable date or Meta's rejection words: keep the webhook's
        # while the status (and reason) stands.
        values["reason"], values["status_info"] = known.reason, dict(known.status_info or {})
    hours = PAUSE_HOURS.get((values["reason"] or "").upper()) if values["status"] == "PAUSED" else None
    if hours and "paused_until" not in values["status_info"]:
        already = same_status and known is not None and known.reason == values["reason"]
        until = (known.status_info or {}).get("paused_until") if already and known else None
        values["status_info"]["paused_until"] = until or (at + timedelta(hours=hours)).isoformat()
    values["severity"] = int(assess_template(**{k: values[k] for k in ("status", "quality_score", "reason")}).severity)
    return values


def _outdated(row: MessageTemplate, at: datetime, learned_by: str) -> bool:
    """Whether what the store knows of the template is newer than an answer from `at`."""
    if row.last_polled_at is not None and at <= row.last_polled_at:
        return True
    # Events of one moment all apply; one older than the last change does not.
    return learned_by == "webhook" and row.changed_at is not None and at < row.changed_at


def latest_intervals(*, session: Session, template_ids: Sequence[str]) -> dict[str, TemplateInterval]:
    """The newest history row of each given template (rows are appended in time order: the highest id)."""
    if not template_ids:
        return {}
    newest = (
        select(func.max(TemplateInterval.id))
        .where(col(TemplateInterval.template_id).in_(list(template_ids)))
        .group_by(col(TemplateInterval.template_id))
    )
    rows = session.exec(select(TemplateInterval).where(col(TemplateInterval.id).in_(newest)))
    return {row.template_id: row for row in rows}


def observe_templates(
    *,
    session: Session,
    waba_id: str,
    templates: Sequence[TemplateState],
    at: datetime,
    poll_interval_s: float,
    learned_by: str = "poll",
) -> int:
    """Record what Meta says of a WABA's templates at `at`; returns how many changed (no commit; locks until it).

    The WABA row must exist. A template seen for the first time is created; one listed twice counts once.
    """
    seen = {t.id: t for t in templates if t.id}
    if not seen:
        return 0
    session.flush()
    _lock_history(session)  # the poll and a webhook must not both extend the same latest row
    ids = list(seen)
    known = {row.id: row for row in session.exec(select(MessageTemplate).where(col(MessageTemplate.id).in_(ids)))}
    latest = latest_intervals(session=session, template_ids=ids)
    max_gap = gap_after(poll_interval_s)
    changed = 0
    for template_id, state in seen.items():
        row = known.get(template_id)
        if row is not None and _outdated(row, at, learned_by):
            continue  # an older answer (a late poll, a replayed webhook) changes nothing we know
        values = _merged(state, row, at=at, learned_by=learned_by)
        if row is None:
            row = MessageTemplate(id=template_id, waba_id=waba_id, name=state.name, language=state.language)
            row.first_seen_at = at
        before = None if row.status is None or template_id not in known else _state(row.model_dump())
        after = _state(values)
        for name, value in values.items():
            setattr(row, name, value)
        row.waba_id = waba_id
        row.name, row.language = (state.name or row.name)[:512], (state.language or row.language)[:16]
        if learned_by == "poll":
            row.last_polled_at = at
        if before != after:
            row.changed_at = at
        session.add(row)

        last = latest.get(template_id)
        if learned_by == "webhook" and last is not None and at == last.since == last.last_confirmed_at:
            # Two events of one moment (a status and a quality change sent together) make one row.
            for name in ("status", "quality_score", "category", "reason", "status_info"):
                setattr(last, name, values[name])
            session.add(last)
            continue
        if last is not None and at <= last.last_confirmed_at:
            continue
        contiguous = last is not None and at - last.last_confirmed_at <= max_gap
        if last is not None and contiguous and _state(last.model_dump()) == after:
            if learned_by == "poll":
                last.last_confirmed_at, last.polls = at, last.polls + 1
                session.add(last)
            continue
        history = {k: values[k] for k in ("status", "quality_score", "category", "reason", "status_info")}
        session.add(
            TemplateInterval(
                template_id=template_id,
                since=at,
                last_confirmed_at=at,
                polls=1 if learned_by == "poll" else 0,
                follows_gap=not contiguous,
                learned_by=learned_by,
                **history,
            )
        )
        changed += 1
    session.flush()
    return changed
