"""Webhook events into the one health model and its history, in the transaction that records them.

An event is recorded once (its key is unique); only the transaction that recorded it applies it, so a
re-sent delivery, or two replicas draining the same one, change nothing twice. A number whose state
changes gets a new history row learned by webhook; a ban sets its WABA's review state. Every health
event also asks the poller to re-read the WABA soon, for what the webhook does not carry (the rating).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from services.alerts import lifecycle as alerts
from services.health.model import severity_of_state
from services.health.recording import _lock_history, gap_after, latest_intervals, recovers
from services.language.translate import _
from services.store.models import HealthInterval, PhoneNumber, WebhookEvent, WhatsAppBusinessAccount
from services.templates.webhook_changes import apply_template_change
from services.webhooks.events import HEALTH_FIELDS, TEMPLATE_FIELDS, Change, limit_of
from services.webhooks.words import name_status_after, summary

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_STATE = ("quality_rating", "throughput_level", "messaging_limit", "status", "verified_name", "name_status")
_STATE += ("can_send", "health_problems")
BAN_REVIEW = {"DISABLE": "REJECTED", "REINSTATE": "APPROVED"}
SENDING_RESTRICTIONS = ("RESTRICTED_BIZ_INITIATED_MESSAGING", "RESTRICTED_CUSTOMER_INITIATED_MESSAGING")
Edit = Callable[[dict[str, Any]], None]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _number_of(session: Session, change: Change, account: WhatsAppBusinessAccount | None) -> PhoneNumber | None:
    if change.value.get("phone_number_id"):
        return session.get(PhoneNumber, str(change.value["phone_number_id"]))
    wanted = _digits(change.display_phone_number or "")
    if not wanted:
        return None
    query = select(PhoneNumber)
    if account is not None:
        query = query.where(col(PhoneNumber.waba_id) == account.id)
    return next((n for n in session.exec(query) if _digits(n.display_phone_number) == wanted), None)


def _portfolio_numbers(session: Session, account: WhatsAppBusinessAccount) -> list[PhoneNumber]:
    """The numbers sharing the account's messaging limit: its business portfolio's (Meta's model since 2025)."""
    query = select(PhoneNumber).join(WhatsAppBusinessAccount, col(WhatsAppBusinessAccount.id) == PhoneNumber.waba_id)
    if account.portfolio_id:
        query = query.where(col(WhatsAppBusinessAccount.portfolio_id) == account.portfolio_id)
    else:
        query = query.where(col(PhoneNumber.waba_id) == account.id)
    return list(session.exec(query.order_by(col(PhoneNumber.id))))


def _waba_numbers(session: Session, account: WhatsAppBusinessAccount) -> list[PhoneNumber]:
    query = select(PhoneNumber).where(col(PhoneNumber.waba_id) == account.id).order_by(col(PhoneNumber.id))
    return list(session.exec(query))


def _change_numbers(
    session: Session, numbers: list[PhoneNumber], edit: Edit, *, at: datetime, poll_interval_s: float
) -> int:
    """Apply `edit` to each number's state; each that changed gets a history row learned by webhook."""
    if not numbers:
        return 0
    session.flush()
    _lock_history(session)
    latest = latest_intervals(session=session, phone_number_ids=[n.id for n in numbers])
    opened = 0
    for number in numbers:
        before = {name: getattr(number, name) for name in _STATE}
        after = {**before, "health_problems": list(before["health_problems"] or [])}
        edit(after)
        if after == before:
            continue
        for name, value in after.items():
            setattr(number, name, value)
        severity = int(severity_of_state(after))
        if recovers(number.severity, severity):
            number.recovered_at = at
        number.severity = severity
        session.add(number)
        last = latest.get(number.id)
        contiguous = last is not None and at - last.last_confirmed_at <= gap_after(poll_interval_s)
        row = HealthInterval(phone_number_id=number.id, since=at, last_confirmed_at=at, polls=0, **after)
        row.follows_gap, row.learned_by = not contiguous, "webhook"
        session.add(row)
        opened += 1
    return opened


def _restricted(account: WhatsAppBusinessAccount, sentence: str) -> Edit:
    problem = {"entity_type": "WABA", "entity_id": account.id, "can_send": "LIMITED", "error_code": None}
    problem |= {"description": sentence, "solution": "Read the restriction in WhatsApp Manager (Account quality)."}

    def edit(state: dict[str, Any]) -> None:
        if state["can_send"] in ("AVAILABLE", "UNKNOWN"):
            state["can_send"] = "LIMITED"
        if problem not in state["health_problems"]:
            state["health_problems"].append(problem)

    return edit


def _apply_health(
    session: Session,
    change: Change,
    account: WhatsAppBusinessAccount,
    number: PhoneNumber | None,
    *,
    sentence: str,
    at: datetime,
    poll_interval_s: float,
) -> None:
    value, timing = change.value, {"at": at, "poll_interval_s": poll_interval_s}
    event = str(value.get("event") or "").upper()
    if change.field == "account_update" and event == "DISABLED_UPDATE":
        ban = value.get("ban_info") if isinstance(value.get("ban_info"), dict) else {}
        review = BAN_REVIEW.get(str(ban.get("waba_ban_state") or "").upper())
        if review is not None:
            account.review_status = review
    elif change.field == "account_update" and event == "ACCOUNT_RESTRICTION":
        kinds = {str(i.get("restriction_type") or "").upper() for i in value.get("restriction_info") or [] if i}
        if kinds & set(SENDING_RESTRICTIONS):
            _change_numbers(session, _waba_numbers(session, account), _restricted(account, sentence), **timing)
    elif change.field in ("phone_number_quality_update", "business_capability_update"):
        if limit := limit_of(value):
            edit: Edit = lambda state: state.update(messaging_limit=limit)  # noqa: E731
            _change_numbers(session, _portfolio_numbers(session, account), edit, **timing)
        if event == "THROUGHPUT_UPGRADE" and number is not None:
            _change_numbers(session, [number], lambda state: state.update(throughput_level="HIGH"), **timing)
    elif change.field == "phone_number_name_update" and number is not None:
        status = name_status_after(str(value.get("decision") or ""))
        requested = value.get("requested_verified_name")

        def named(state: dict[str, Any]) -> None:
            state["name_status"] = status or state["name_status"]
            if status == "APPROVED" and isinstance(requested, str) and requested:
                state["verified_name"] = requested[:255]

        _change_numbers(session, [number], named, **timing)
    account.reread_requested_at = at
    session.add(account)


def event_summary(change: Change, account: WhatsAppBusinessAccount | None, number: PhoneNumber | None) -> str:
    """The event's sentence in the current language, naming the account and number as the operator knows them."""
    if account is not None:
        account_words = _("WhatsApp Business Account {name}", name=account.name)
    else:
        account_words = _("WhatsApp Business Account {name}", name=change.entry_id or _("(not named)"))
    if number is not None:
        number_words = f"{number.verified_name} {number.display_phone_number}".strip()
    else:
        number_words = _("number {number}", number=change.display_phone_number or _("(not named)"))
    return summary(change, account=account_words, number=number_words)


def apply_change(*, session: Session, delivery_id: int, change: Change, at: datetime, poll_interval_s: float) -> bool:
    """Record the change and apply it, unless it was recorded before; True when it was new (no commit)."""
    account = session.get(WhatsAppBusinessAccount, change.entry_id) if change.entry_id else None
    number = _number_of(session, change, account)
    sentence = event_summary(change, account, number)
    row = {
        "delivery_id": delivery_id,
        "event_key": change.event_key,
        "field": change.field,
        "waba_id": account.id if account else (change.entry_id or None),
        "phone_number_id": number.id if number else None,
        "occurred_at": change.occurred_at,
        "received_at": at,
        "value": change.value,
        "summary": sentence,
        "outcome": change.outcome,
    }
    insert = _INSERTS[session.connection().dialect.name]
    added = insert(WebhookEvent).values(**row).on_conflict_do_nothing().returning(WebhookEvent.id)
    if session.execute(added).scalar_one_or_none() is None:
        return False
    if change.field in HEALTH_FIELDS and account is not None:
        _apply_health(session, change, account, number, sentence=sentence, at=at, poll_interval_s=poll_interval_s)
        alerts.evaluate(session, now=at, poll_interval_s=poll_interval_s)  # the alert commits with the change
    elif change.field in TEMPLATE_FIELDS and account is not None:
        timing = {"at": at, "poll_interval_s": poll_interval_s, "occurred_at": change.occurred_at}
        if apply_template_change(session=session, field=change.field, waba_id=account.id, value=change.value, **timing):
            alerts.evaluate(session, now=at, poll_interval_s=poll_interval_s)
    return True
