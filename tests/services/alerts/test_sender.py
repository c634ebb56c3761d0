"""The alert sender over a real HTTP receiver, on SQLite and PostgreSQL: backoff, giving up, crashes, the lease."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlmodel import Session

from services.access.vault import TokenVault
from services.alerts import sender
from services.poller import lease as poller_lease
from services.store.models import Alert, AlertChannel, AlertDelivery
from tests.webhook_receiver import Receiver, receiving

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
KEY = Fernet.generate_key()


@pytest.fixture
def vault() -> TokenVault:
    return TokenVault(KEY)


def outbox(engine: Engine, vault: TokenVault, url: str, *, at: datetime = T0, key: str = "delivery-key-1") -> int:
    """An open alert with one pending webhook delivery to `url`, as the lifecycle writes it; the delivery's id."""
    with Session(engine) as session:
        alert = Alert(
            rule="waba_banned",
            subject_kind="waba",
            subject_id="1029384756",
            subject_name="Aurora Coffee",
            severity="critical",
            title="WABA Aurora Coffee was banned",
            detail="Meta banned the WhatsApp Business Account.",
            advice="Appeal in Business Manager.",
            opened_at=at,
            last_seen_at=at,
        )
        channel = AlertChannel(
            kind="webhook",
            name="Ops Slack",
            min_severity="warning",
            config_ciphertext=vault.encrypt(json.dumps({"url": url})),
        )
        session.add(alert)
        session.add(channel)
        session.flush()
        assert alert.id is not None and channel.id is not None
        delivery = AlertDelivery(
            alert_id=alert.id,
            channel_id=channel.id,
            kind="opened",
            idempotency_key=key,
            created_at=at,
            next_attempt_at=at,
        )
        session.add(delivery)
        session.commit()
        assert delivery.id is not None
        return delivery.id


def delivery_of(engine: Engine, delivery_id: int) -> AlertDelivery:
    with Session(engine) as session:
        found = session.get(AlertDelivery, delivery_id)
        assert found is not None
        return found


def stored_by_key(receiver: Receiver) -> dict[str, bytes]:
    """What a receiver that honours Idempotency-Key keeps: one body per key, for the POSTs it answered 2xx."""
    return {post.headers["idempotency-key"]: post.body for post in receiver.posts}


def test_a_receiver_down_then_up_gets_the_alert_once_with_the_same_key(store_engine: Engine, vault: TokenVault) -> None:
    with receiving("/alerts") as receiver:
        receiver.answers += [503, 502]
        delivery_id = outbox(store_engine, vault, receiver.url)

        assert sender.deliver_due(store_engine, vault, T0) == 0
        first = delivery_of(store_engine, delivery_id)
        assert (first.state, first.attempts, first.next_attempt_at) == ("pending", 1, T0 + timedelta(seconds=30))
        assert "answered 503" in first.last_error

        assert sender.deliver_due(store_engine, vault, T0 + timedelta(seconds=29)) == 0  # not due yet: no POST
        assert len(receiver.posts) == 1
        assert sender.deliver_due(store_engine, vault, T0 + timedelta(seconds=30)) == 0  # 502: wait twice as long
        assert delivery_of(store_engine, delivery_id).next_attempt_at == T0 + timedelta(seconds=90)
        assert sender.deliver_due(store_engine, vault, T0 + timedelta(seconds=90)) == 1
        assert sender.deliver_due(store_engine, vault, T0 + timedelta(hours=1)) == 0  # delivered: never again

    done = delivery_of(store_engine, delivery_id)
    assert (done.state, done.attempts, done.delivered_at, done.last_error) == (
        "delivered",
        3,
        T0 + timedelta(seconds=90),
        "",
    )
    assert [post.headers["idempotency-key"] for post in receiver.posts] == ["delivery-key-1"] * 3
    assert json.loads(receiver.posts[-1].body)["text"].startswith("Critical: WABA Aurora Coffee was banned")


def test_a_delivery_that_fails_for_24_hours_is_marked_failed(store_engine: Engine, vault: TokenVault) -> None:
    with receiving("/alerts") as receiver:
        url = receiver.url  # and then it is gone for good
    delivery_id = outbox(store_engine, vault, url)
    attempts_at: list[datetime] = []
    at = T0
    while (delivery := delivery_of(store_engine, delivery_id)).state == "pending":
        at = delivery.next_attempt_at
        attempts_at.append(at)
        assert sender.deliver_due(store_engine, vault, at) == 0
        assert len(attempts_at) < 40
    assert delivery.state == "failed"
    assert "Cannot reach" in delivery.last_error
    assert attempts_at[-1] == T0 + timedelta(hours=24)  # the last try is at the 24 h mark, not after it
    gaps = [(b - a).total_seconds() for a, b in zip(attempts_at, attempts_at[1:], strict=False)]
    assert gaps[:5] == [30, 60, 120, 240, 480]
    assert delivery.attempts == len(attempts_at)


CRASHING_SENDER = textwrap.dedent(
    """
    import os, sys
    from datetime import datetime
    from services.access.vault import TokenVault
    from services.alerts import sender
    from services.alerts.webhook_post import post_webhook
    from services.store.engine import create_store_engine

    def post_then_die(config, message, key):
        post_webhook(config, message, key)
        os._exit(9)  # killed after sending, before marking

    engine = create_store_engine(sys.argv[1])
    vault = TokenVault(os.environ["TEST_VAULT_KEY"].encode())
    sender.deliver_due(engine, vault, datetime.fromisoformat(sys.argv[2]), transports={"webhook": post_then_die})
    """
)


def test_a_sender_killed_after_sending_resends_with_the_same_key_and_it_is_stored_once(
    store_url: str, store_engine: Engine, vault: TokenVault
) -> None:
    with receiving("/alerts") as receiver:
        delivery_id = outbox(store_engine, vault, receiver.url)
        crashed = subprocess.run(
            [sys.executable, "-c", CRASHING_SENDER, store_url, T0.isoformat()],
            env={**os.environ, "TEST_VAULT_KEY": KEY.decode()},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert crashed.returncode == 9, crashed.stderr
        assert len(receiver.posts) == 1
        claimed = delivery_of(store_engine, delivery_id)
        assert (claimed.state, claimed.attempts) == ("pending", 1)  # sent, but nobody marked it

        # Another sender does not send it again while the dead one might still be at it…
        assert sender.deliver_due(store_engine, vault, T0 + timedelta(seconds=30)) == 0
        assert len(receiver.posts) == 1
        # …and does once that window has passed: the same key, so the receiver keeps it once.
        assert sender.deliver_due(store_engine, vault, T0 + sender.IN_FLIGHT) == 1
        receiver.wait_for(2)

    assert delivery_of(store_engine, delivery_id).state == "delivered"
    assert [post.headers["idempotency-key"] for post in receiver.posts] == ["delivery-key-1"] * 2
    assert len(stored_by_key(receiver)) == 1


def test_one_sender_per_database_holds_the_lease(store_engine: Engine, vault: TokenVault) -> None:
    now = datetime.now(UTC)
    assert poller_lease.acquire(
        engine=store_engine, holder="alert-sender@elsewhere", ttl=timedelta(minutes=10), now=now, name=sender.LEASE
    )
    with receiving("/alerts") as receiver:
        delivery_id = outbox(store_engine, vault, receiver.url, at=now)
        stop = threading.Event()
        thread = threading.Thread(
            target=sender.run_sender,
            kwargs={
                "engine": store_engine,
                "vault": vault,
                "stop": stop,
                "clock": lambda: datetime.now(UTC),
                "holder": "alert-sender@here",
                "every_s": 0.05,
            },
            daemon=True,
        )
        thread.start()
        try:
            time.sleep(0.5)  # ten rounds standing by
            assert receiver.posts == []
            assert delivery_of(store_engine, delivery_id).state == "pending"
            # The other sender stops and gives its lease up: this one takes over and delivers.
            poller_lease.release(engine=store_engine, holder="alert-sender@elsewhere", name=sender.LEASE)
            receiver.wait_for(1)
            deadline = time.monotonic() + 10
            while delivery_of(store_engine, delivery_id).state != "delivered" and time.monotonic() < deadline:
                time.sleep(0.05)
            assert delivery_of(store_engine, delivery_id).state == "delivered"
            held = poller_lease.current(engine=store_engine, now=datetime.now(UTC), name=sender.LEASE)
            assert held is not None and held.holder == "alert-sender@here"
            # The poller's own lease is another row: the sender never takes it.
            assert poller_lease.current(engine=store_engine, now=datetime.now(UTC)) is None
        finally:
            stop.set()
            thread.join(10)
    assert not thread.is_alive()
    assert poller_lease.current(engine=store_engine, now=datetime.now(UTC), name=sender.LEASE) is None
    assert len(receiver.posts) == 1
