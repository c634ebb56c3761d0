"""Meta's template webhooks as template states: `message_template_status_update` and `..._quality_update`.

Meta's payload (reference §9): `event`, `message_template_id` (a number), `message_template_name`,
`message_template_language`, `message_template_category`, `reason`, `other_info{title, description}` for pauses
and locks, `disable_info{disable_date}`, `rejection_info{reason, recommendation}`; the quality update carries
`previous_quality_score` and `new_quality_score`. A template the console has not polled yet is created from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from services.store.models import MessageTemplate
from services.templates.recording import observe_templates
from services.templates.state import TemplateState

STATUS_FIELD, QUALITY_FIELD = "message_template_status_update", "message_template_quality_update"
# The status an event leaves the template in; an event not listed is the status of its own name.
STATUS_AFTER = {"REINSTATED": "APPROVED", "UNARCHIVED": "APPROVED", "UNLOCKED": "APPROVED", "UNPAUSED": "APPROVED"}
# Webhook rows use at least the default template interval to tell a gap, whatever the numbers' interval.
TEMPLATE_GAP_FLOOR_S = 900.0


def _object(value: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    found = value.get(key)
    return found if isinstance(found, Mapping) else {}


def _text(raw: object, length: int) -> str:
    return str(raw).strip()[:length] if raw is not None else ""


def template_id_of(value: Mapping[str, Any]) -> str | None:
    """The template an event is about (Meta sends the ID as a number)."""
    raw = value.get("message_template_id")
    return _text(raw, 32) or None if raw not in (None, "") else None


def _status_info(value: Mapping[str, Any]) -> dict[str, Any]:
    other, disabled, rejected = (_object(value, k) for k in ("other_info", "disable_info", "rejection_info"))
    info = {
        "title": _text(other.get("title"), 64).upper(),
        "description": _text(other.get("description"), 500),
        "disable_date": disabled.get("disable_date"),
        "rejection_reason": _text(rejected.get("reason"), 500),
        "recommendation": _text(rejected.get("recommendation"), 500),
    }
    return {key: raw for key, raw in info.items() if raw not in (None, "")}


def state_after(field: str, value: Mapping[str, Any], known: MessageTemplate | None) -> TemplateState | None:
    """The template's state once this event is applied, or None when the event names no template."""
    template_id = template_id_of(value)
    if template_id is None:
        return None
    base = {
        "id": template_id,
        "name": _text(value.get("message_template_name"), 512) or (known.name if known else template_id),
        "language": _text(value.get("message_template_language"), 16) or (known.language if known else ""),
        "category": _text(value.get("message_template_category"), 32).upper() or (known.category if known else ""),
    }
    if field == QUALITY_FIELD:
        score = _text(value.get("new_quality_score"), 16).upper() or "UNKNOWN"
        # Meta rates only templates it sends, so an unknown template with a score is an approved one.
        status = known.status if known else "APPROVED"
        reason, info = (known.reason, dict(known.status_info or {})) if known else (None, {})
        return TemplateState(**base, status=status, quality_score=score, reason=reason, status_info=info)
    event = _text(value.get("event"), 32).upper()
    status = STATUS_AFTER.get(event, event) or (known.status if known else "PENDING")
    info = _status_info(value)
    raw_reason = _text(value.get("reason"), 64).upper()
    reason = info.get("title") if status in ("PAUSED", "DISABLED") else None
    if status == "REJECTED" or (reason is None and raw_reason not in ("", "NONE")):
        reason = raw_reason if raw_reason not in ("", "NONE") else None
    quality = known.quality_score if known else "UNKNOWN"
    return TemplateState(**base, status=status, quality_score=quality, reason=reason, status_info=info)


def apply_template_change(
    *,
    session: Session,
    field: str,
    waba_id: str,
    value: Mapping[str, Any],
    at: datetime,
    poll_interval_s: float,
    occurred_at: datetime | None = None,
) -> bool:
    """Change the template's state and history at once (learned by webhook); False when it names no template.

    The change counts from when Meta says it happened (never later than `at`, when it is applied), so a delivery
    Meta retried for hours, or one replayed, is no newer than what a poll has seen since.
    """
    template_id = template_id_of(value)
    if template_id is None:
        return False
    state = state_after(field, value, session.get(MessageTemplate, template_id))
    if state is None:
        return False
    observe_templates(
        session=session,
        waba_id=waba_id,
        templates=[state],
        at=min(occurred_at, at) if occurred_at else at,
        poll_interval_s=max(poll_interval_s, TEMPLATE_GAP_FLOOR_S),
        learned_by="webhook",
    )
    return True
