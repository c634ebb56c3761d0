"""An alert's life: opened when its condition first holds, kept while it holds, resolved after a quiet time.

`evaluate` runs in the caller's transaction, the one that records the health change, and writes the outbox
there too: an AlertDelivery (pending) per enabled channel whose minimum severity the alert meets. The caller's
commit makes the change, the alert and its deliveries durable together, or none of them.

A condition that clears only sets `clear_since`; the alert resolves once it stayed clear for `quiet`. A number
that flaps back within the quiet time keeps its one alert (and sends nothing more).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from services.access import audit
from services.access.roles import Actor, require_admin
from services.alerts.conditions import Condition, current_conditions
from services.alerts.rules import active_rules, meets
from services.store.models import Alert, AlertChannel, AlertDelivery
from services.store.types import utcnow

QUIET = timedelta(minutes=30)
DEFAULT_POLL_INTERVAL_S = 300.0
OPEN_STATES = ("open", "acknowledged", "snoozed")
# Any constant works, as long as every process that evaluates alerts uses the same one.
ALERT_LOCK_KEY = 0x414C_5254


class AlertNotFound(LookupError):
    """The alert is not in the store (or no longer open)."""


def delivery_key(alert_id: int, channel_id: int, kind: str) -> str:
    """The same delivery always has the same key: receivers drop a repeat."""
    return hashlib.sha256(f"alert:{alert_id}:channel:{channel_id}:{kind}".encode()).hexdigest()


def lock_alerts(session: Session) -> None:
    """One evaluation at a time per database, until the caller's transaction ends (two would open one alert twice)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ALERT_LOCK_KEY})
    elif connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _queue(session: Session, alert: Alert, kind: str, channels: list[AlertChannel], now: datetime) -> None:
    assert alert.id is not None
    for channel in channels:
        if channel.id is None or not meets(alert.severity, channel.min_severity):
            continue
        session.add(
            AlertDelivery(
                alert_id=alert.id,
                channel_id=channel.id,
                kind=kind,
                idempotency_key=delivery_key(alert.id, channel.id, kind),
                state="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )


def _describe(alert: Alert, condition: Condition) -> None:
    alert.subject_name = condition.subject_name[:255]
    alert.severity, alert.title = condition.severity, condition.title[:300]
    alert.detail, alert.advice = condition.detail[:2000], condition.advice[:500]


def _open(session: Session, condition: Condition, channels: list[AlertChannel], now: datetime) -> Alert:
    rule, kind, subject = condition.key
    alert = Alert(rule=rule, subject_kind=kind, subject_id=subject, state="open", opened_at=now, last_seen_at=now)
    _describe(alert, condition)
    session.add(alert)
    session.flush()  # its id names its deliveries
    _queue(session, alert, "opened", channels, now)
    return alert


def _resolve(session: Session, alert: Alert, channels: list[AlertChannel], now: datetime) -> None:
    alert.state, alert.resolved_at = "resolved", now
    session.add(alert)
    _queue(session, alert, "resolved", channels, now)


def evaluate(
    session: Session,
    *,
    now: datetime,
    quiet: timedelta = QUIET,
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
) -> list[Alert]:
    """Open, update and resolve alerts from what the store holds at `now`; returns the alerts touched (no commit)."""
    session.flush()  # the caller's health change must be visible to the reads below
    lock_alerts(session)
    active = active_rules(session)
    holding = {c.key: c for c in current_conditions(session, now=now, active=active, poll_interval_s=poll_interval_s)}
    standing = {
        (a.rule, a.subject_kind, a.subject_id): a
        for a in session.exec(select(Alert).where(col(Alert.state).in_(OPEN_STATES)))
    }
    channels = list(session.exec(select(AlertChannel).where(col(AlertChannel.enabled).is_(True))))
    touched: list[Alert] = []
    for key, condition in holding.items():
        alert = standing.get(key)
        if alert is None:
            touched.append(_open(session, condition, channels, now))
            continue
        was = alert.severity
        _describe(alert, condition)
        alert.last_seen_at, alert.clear_since = max(alert.last_seen_at, now), None
        # Worse than when it opened: the channels that only hear of worse alerts hear of it now.
        newly = [c for c in channels if meets(alert.severity, c.min_severity) and not meets(was, c.min_severity)]
        _queue(session, alert, "opened", newly, now)
        if alert.state == "snoozed" and alert.snoozed_until is not None and alert.snoozed_until <= now:
            alert.state = "acknowledged" if alert.acked_by else "open"
        session.add(alert)
        touched.append(alert)
    for key, alert in standing.items():
        if key in holding:
            continue
        alert.clear_since = alert.clear_since or now
        if alert.rule not in active or now - alert.clear_since >= quiet:
            _resolve(session, alert, channels, now)  # a rule switched off resolves its alerts at once
        session.add(alert)
        touched.append(alert)
    session.flush()
    return touched


def evaluate_store(
    engine: Engine,
    *,
    now: Callable[[], datetime] = utcnow,
    quiet: timedelta = QUIET,
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
) -> list[Alert]:
    """Evaluate on its own, in a transaction of its own (for conditions time alone makes true: a silent poller)."""
    with Session(engine, expire_on_commit=False) as session:
        touched = evaluate(session, now=now(), quiet=quiet, poll_interval_s=poll_interval_s)
        session.commit()
    return touched


def _standing(session: Session, alert_id: int) -> Alert:
    lock_alerts(session)  # not while an evaluation of another process decides about the same alert
    alert = session.get(Alert, alert_id, populate_existing=True)
    if alert is None or alert.state == "resolved":
        raise AlertNotFound(f"Alert {alert_id} is not open.")
    return alert


def _audited(session: Session, alert: Alert, actor: Actor, action: str, before: dict[str, object], detail: str) -> None:
    after = {
        "state": alert.state,
        "acked_by": alert.acked_by,
        "ack_note": alert.ack_note,
        "snoozed_until": alert.snoozed_until.isoformat() if alert.snoozed_until else None,
    }
    audit.record(
        session=session,
        actor=actor,
        action=action,
        object_type="alert",
        object_id=alert.id,
        object_name=alert.title[:255],
        before=before,
        after=after,
        detail=detail,
    )


def _before(alert: Alert) -> dict[str, object]:
    return {
        "state": alert.state,
        "acked_by": alert.acked_by,
        "ack_note": alert.ack_note,
        "snoozed_until": alert.snoozed_until.isoformat() if alert.snoozed_until else None,
    }


def acknowledge(session: Session, alert_id: int, actor: Actor, note: str = "") -> Alert:
    """Someone has it in hand: the alert stays until its condition clears (no commit)."""
    require_admin(actor, "acknowledge an alert")
    alert = _standing(session, alert_id)
    before = _before(alert)
    alert.state, alert.acked_by, alert.ack_note = "acknowledged", actor.email, note.strip()[:500]
    if alert.snoozed_until is not None:
        alert.snoozed_until = None
    session.add(alert)
    _audited(session, alert, actor, "acknowledge_alert", before, note.strip()[:1000])
    return alert


def snooze(session: Session, alert_id: int, actor: Actor, until: datetime) -> Alert:
    """Quiet until `until`; after it, the alert stands again if its condition still holds (no commit)."""
    require_admin(actor, "snooze an alert")
    if until.tzinfo is None:
        raise ValueError("Snooze until a time with its time zone.")
    alert = _standing(session, alert_id)
    before = _before(alert)
    alert.state, alert.snoozed_until = "snoozed", until
    session.add(alert)
    _audited(session, alert, actor, "snooze_alert", before, "")
    return alert
