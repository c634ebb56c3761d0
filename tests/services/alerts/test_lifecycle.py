"""An alert's life on both stores: opened once, kept through flapping, resolved after the quiet time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.access.roles import Actor, PermissionDenied
from services.alerts import lifecycle
from services.store.models import Alert, AlertDelivery, AuditEvent, PhoneNumber
from tests.services.alerts.fleet import NUMBER_ID, T0, add_channel, add_fleet, set_health

ADMIN = Actor(email="ana@example.com", role="admin")
VIEWER = Actor(email="vic@example.com", role="viewer")
QUIET = timedelta(minutes=30)


def _deliveries(session: Session) -> list[tuple[int, str, int]]:
    rows = session.exec(select(AlertDelivery).order_by(col(AlertDelivery.id)))
    return [(d.alert_id, d.kind, d.channel_id) for d in rows]


def test_a_flapping_number_keeps_one_alert_and_resolves_after_the_quiet_time(store_session: Session) -> None:
    add_fleet(store_session)
    channel = add_channel(store_session)
    set_health(store_session, blocked=True)
    (opened,) = lifecycle.evaluate(store_session, now=T0, quiet=QUIET)
    assert (opened.rule, opened.subject_kind, opened.subject_id, opened.state) == (
        "number_cannot_send",
        "number",
        NUMBER_ID,
        "open",
    )
    assert opened.severity == "critical"
    for minutes, blocked in [(5, False), (10, True), (15, False), (40, True), (45, False)]:
        set_health(store_session, blocked=blocked)
        lifecycle.evaluate(store_session, now=T0 + timedelta(minutes=minutes), quiet=QUIET)
        assert store_session.get(Alert, opened.id).state == "open"  # type: ignore[union-attr]
    assert _deliveries(store_session) == [(opened.id, "opened", channel.id)]
    alert = store_session.get(Alert, opened.id)
    assert alert is not None and alert.clear_since == T0 + timedelta(minutes=45)
    assert alert.last_seen_at == T0 + timedelta(minutes=40)

    lifecycle.evaluate(store_session, now=T0 + timedelta(minutes=74), quiet=QUIET)
    assert store_session.get(Alert, opened.id).state == "open"  # type: ignore[union-attr]
    lifecycle.evaluate(store_session, now=T0 + timedelta(minutes=75), quiet=QUIET)
    store_session.commit()
    alert = store_session.get(Alert, opened.id)
    assert alert is not None and alert.state == "resolved" and alert.resolved_at == T0 + timedelta(minutes=75)
    assert _deliveries(store_session) == [(opened.id, "opened", channel.id), (opened.id, "resolved", channel.id)]
    assert len(list(store_session.exec(select(Alert)))) == 1


def test_a_condition_back_after_resolution_opens_a_new_alert(store_session: Session) -> None:
    add_fleet(store_session)
    set_health(store_session, blocked=True)
    (first,) = lifecycle.evaluate(store_session, now=T0, quiet=QUIET)
    set_health(store_session, blocked=False)
    lifecycle.evaluate(store_session, now=T0 + timedelta(minutes=1), quiet=timedelta(0))
    set_health(store_session, blocked=True)
    (second,) = lifecycle.evaluate(store_session, now=T0 + timedelta(minutes=2), quiet=QUIET)
    store_session.commit()
    assert second.id != first.id
    assert [a.state for a in store_session.exec(select(Alert).order_by(col(Alert.id)))] == ["resolved", "open"]


def test_deliveries_go_to_channels_whose_minimum_the_alert_meets(store_session: Session) -> None:
    add_fleet(store_session, quality_rating="YELLOW")  # a watch: quality dropped, one step milder than warning
    wide = add_channel(store_session, name="Everything", min_severity="info")
    add_channel(store_session, name="Pager", min_severity="critical")
    add_channel(store_session, name="Off", min_severity="info", enabled=False)
    (alert,) = lifecycle.evaluate(store_session, now=T0)
    assert (alert.rule, alert.severity) == ("quality_dropped", "info")
    assert _deliveries(store_session) == [(alert.id, "opened", wide.id)]
    delivery = store_session.exec(select(AlertDelivery)).one()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("pending", 0, T0)
    assert delivery.idempotency_key == lifecycle.delivery_key(alert.id, wide.id, "opened")  # type: ignore[arg-type]


def test_the_alert_and_its_deliveries_commit_or_roll_back_with_the_health_change(store_engine: Engine) -> None:
    with Session(store_engine) as session:
        add_fleet(session)
        add_channel(session)
        session.commit()
    with Session(store_engine) as session:
        set_health(session, blocked=True)
        assert lifecycle.evaluate(session, now=T0)
        session.rollback()
    with Session(store_engine) as session:
        assert session.get(PhoneNumber, NUMBER_ID).can_send == "AVAILABLE"  # type: ignore[union-attr]
        assert list(session.exec(select(Alert))) == [] and _deliveries(session) == []
        set_health(session, blocked=True)
        lifecycle.evaluate(session, now=T0)
        session.commit()
    with Session(store_engine) as session:
        assert session.get(PhoneNumber, NUMBER_ID).can_send == "BLOCKED"  # type: ignore[union-attr]
        assert len(list(session.exec(select(Alert)))) == 1 and len(_deliveries(session)) == 1


def test_the_database_refuses_a_second_open_alert_for_one_subject_and_rule(store_session: Session) -> None:
    def alert(state: str) -> Alert:
        return Alert(
            rule="token_expired",
            subject_kind="credential",
            subject_id="7",
            severity="critical",
            state=state,
            title="API credential Aurora token has expired",
            opened_at=T0,
            last_seen_at=T0,
        )

    store_session.add_all([alert("resolved"), alert("resolved"), alert("acknowledged")])
    store_session.commit()
    store_session.add(alert("open"))
    with pytest.raises(IntegrityError):
        store_session.commit()


def test_acknowledge_and_snooze_are_audited_and_a_snooze_ends(store_session: Session) -> None:
    add_fleet(store_session)
    set_health(store_session, blocked=True)
    (alert,) = lifecycle.evaluate(store_session, now=T0)
    assert alert.id is not None
    with pytest.raises(PermissionDenied):
        lifecycle.acknowledge(store_session, alert.id, VIEWER, "mine")
    lifecycle.acknowledge(store_session, alert.id, ADMIN, "Paying the invoice now")
    assert (alert.state, alert.acked_by, alert.ack_note) == ("acknowledged", ADMIN.email, "Paying the invoice now")
    until = T0 + timedelta(hours=1)
    lifecycle.snooze(store_session, alert.id, ADMIN, until)
    store_session.commit()
    events = list(
        store_session.exec(select(AuditEvent).where(AuditEvent.object_type == "alert").order_by(col(AuditEvent.id)))
    )
    assert [(e.actor, e.action, e.object_id) for e in events] == [
        (ADMIN.email, "acknowledge_alert", str(alert.id)),
        (ADMIN.email, "snooze_alert", str(alert.id)),
    ]
    assert events[0].changes["state"] == ["open", "acknowledged"]
    assert events[1].changes["snoozed_until"] == [None, until.isoformat()]

    lifecycle.evaluate(store_session, now=T0 + timedelta(minutes=30))
    assert alert.state == "snoozed"
    lifecycle.evaluate(store_session, now=until)
    assert alert.state == "acknowledged"  # the snooze is over and the number still cannot send


def test_an_alert_that_gets_worse_reaches_the_channels_for_worse_alerts_once(store_session: Session) -> None:
    add_fleet(store_session, status="RESTRICTED")  # at risk: a warning
    everyone = add_channel(store_session, name="Everyone", min_severity="warning")
    pager = add_channel(store_session, name="Pager", min_severity="critical")
    (alert,) = lifecycle.evaluate(store_session, now=T0)
    assert alert.severity == "warning" and _deliveries(store_session) == [(alert.id, "opened", everyone.id)]
    set_health(store_session, blocked=True)
    lifecycle.evaluate(store_session, now=T0 + timedelta(minutes=5))
    lifecycle.evaluate(store_session, now=T0 + timedelta(minutes=10))
    assert alert.severity == "critical"
    assert _deliveries(store_session) == [(alert.id, "opened", everyone.id), (alert.id, "opened", pager.id)]
