"""Alerts open in the transaction that records the health change: a poll cycle's, a webhook event's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.poller.loop import run_cycle
from services.runtime import Console
from services.store.models import Alert, AlertChannel, AlertDelivery, PhoneNumber
from tests.fixtures.simulator import ServedSimulator
from tests.services.poller.test_cycle import FLEET, POLL_S, connect_fleet, make_console
from tests.services.webhooks.payloads import WABA, ban
from tests.services.webhooks.store_rows import add_fleet
from tests.services.webhooks.test_apply import AT, _apply


@pytest.fixture
def console(engine: Engine, graph_simulator: ServedSimulator, tmp_path: Path) -> Iterator[Console]:
    opened = make_console(engine, graph_simulator, tmp_path)
    yield opened
    opened.graph.close()


def _channel(engine: Engine) -> int:
    with Session(engine) as session:
        channel = AlertChannel(kind="webhook", name="Ops", min_severity="info", config_ciphertext="sealed")
        session.add(channel)
        session.commit()
        assert channel.id is not None
        return channel.id


def test_a_poll_cycle_opens_alerts_for_its_blocked_numbers_once(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    connect_fleet(console, graph_simulator, FLEET)
    channel_id = _channel(console.engine)
    graph_simulator.clock.advance(POLL_S)
    run = run_cycle(console=console)
    with Session(console.engine) as session:
        blocked = {n.id for n in session.exec(select(PhoneNumber).where(PhoneNumber.can_send == "BLOCKED"))}
        alerts = list(session.exec(select(Alert).where(Alert.rule == "number_cannot_send").order_by(col(Alert.id))))
        deliveries = list(session.exec(select(AlertDelivery).order_by(col(AlertDelivery.id))))
    assert blocked and blocked <= {a.subject_id for a in alerts}
    assert {a.opened_at for a in alerts} == {run.finished_at}
    assert {(d.channel_id, d.kind, d.state, d.created_at) for d in deliveries} == {
        (channel_id, "opened", "pending", run.finished_at)
    }
    graph_simulator.clock.advance(POLL_S)
    run_cycle(console=console)
    with Session(console.engine) as session:
        assert [
            a.id for a in session.exec(select(Alert).where(Alert.rule == "number_cannot_send").order_by(col(Alert.id)))
        ] == [a.id for a in alerts]
        assert len(list(session.exec(select(AlertDelivery)))) == len(deliveries)


def test_a_ban_by_webhook_opens_its_alert_with_the_event(store_engine: Engine) -> None:
    add_fleet(store_engine)
    channel_id = _channel(store_engine)
    assert _apply(store_engine, ban()) == [True]
    with Session(store_engine) as session:
        alert = session.exec(select(Alert).where(Alert.rule == "waba_banned")).one()
        delivery = session.exec(select(AlertDelivery).where(AlertDelivery.alert_id == alert.id)).one()
    assert (alert.subject_kind, alert.subject_id, alert.opened_at, alert.state) == ("waba", WABA, AT, "open")
    assert (delivery.channel_id, delivery.kind) == (channel_id, "opened")
