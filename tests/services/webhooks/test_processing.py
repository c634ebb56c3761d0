"""Stored deliveries applied after the answer: at start-up, when woken, once each; a bad one marked failed."""

import time
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from services.store.models import WebhookDelivery, WebhookEvent, WhatsAppBusinessAccount
from services.webhooks.deliveries import store_delivery
from services.webhooks.processing import Drain, process_pending
from tests.services.webhooks.payloads import WABA, ban, body
from tests.services.webhooks.store_rows import POLLED, add_fleet

AT = POLLED + timedelta(minutes=1)


def _outcomes(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        return [(d.outcome, d.detail) for d in session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id))]


def test_pending_deliveries_are_applied_once_and_a_malformed_one_fails(store_engine: Engine) -> None:
    add_fleet(store_engine)
    store_delivery(engine=store_engine, body=body(ban()), source_address="", at=AT)
    store_delivery(engine=store_engine, body=body(ban()) + b"\n", source_address="", at=AT)  # same change again
    store_delivery(engine=store_engine, body=b'{"object": "page"}', source_address="", at=AT)
    assert process_pending(engine=store_engine, poll_interval_s=300) == 2
    assert _outcomes(store_engine) == [
        ("applied", "1 change(s), 1 not seen before"),
        ("applied", "1 change(s), 0 not seen before"),
        ("failed", "the body has no list of entries"),
    ]
    assert process_pending(engine=store_engine, poll_interval_s=300) == 0
    with Session(store_engine) as session:
        assert len(session.exec(select(WebhookEvent)).all()) == 1


def test_the_drain_applies_at_start_what_a_stop_left_pending_and_then_what_it_is_woken_for(
    store_engine: Engine,
) -> None:
    add_fleet(store_engine)
    store_delivery(engine=store_engine, body=body(ban()), source_address="", at=AT)  # stored, then the process died
    drain = Drain(lambda: store_engine, poll_interval_s=300, sweep_s=60).start()
    try:
        _wait_for(lambda: _outcomes(store_engine)[0][0] == "applied")
        store_delivery(engine=store_engine, body=body(ban("REINSTATE")), source_address="", at=AT)
        drain.wake()  # the sweep is a minute away: only the wake can apply it in time
        _wait_for(lambda: _outcomes(store_engine)[-1][0] == "applied")
    finally:
        drain.stop()
    with Session(store_engine) as session:
        account = session.get(WhatsAppBusinessAccount, WABA)
    assert account is not None and account.review_status == "APPROVED"


def _wait_for(condition, timeout_s: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the drain did not apply the delivery in time"
        time.sleep(0.05)
