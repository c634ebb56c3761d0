"""The alert sender: hands the outbox's pending deliveries to their channels, with backoff, one sender per database.

A delivery is claimed before it is sent (one conditional UPDATE: attempts + 1 and the next attempt pushed past
IN_FLIGHT), so two senders never send it at once, and one that dies between sending and marking sends it again
only after IN_FLIGHT, with the same idempotency key (the webhook's `Idempotency-Key`, the email's Message-ID),
so the receiver keeps it once. A failure waits 30 s, doubling each time, until 24 h after the delivery was
written; a failure after that marks it failed. `run_sender` loops while it holds the lease "alert-sender"
(the poller's lease table), so however many processes run it, one sends.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from services.access.vault import TokenVault, VaultError
from services.alerts.email import EmailError, send_email
from services.alerts.lifecycle import evaluate_store
from services.alerts.messages import Message, message_for
from services.alerts.webhook_post import WebhookPostError, post_webhook
from services.alerts.wording import DEFAULT_POLL_INTERVAL_S, said_again
from services.language import languages
from services.language.current import speaking
from services.language.translate import _
from services.poller import lease as poller_lease
from services.store.models import Alert, AlertChannel, AlertDelivery

EVALUATE_EVERY_S = 60.0
LEASE = "alert-sender"
FIRST_RETRY = timedelta(seconds=30)
GIVE_UP_AFTER = timedelta(hours=24)
IN_FLIGHT = timedelta(minutes=2)  # a claimed delivery whose sender died is tried again after this
BATCH = 50
EVERY_S = 5.0
log = logging.getLogger(__name__)

Transport = Callable[[Mapping[str, Any], Message, str], object]


class DeliveryError(Exception):
    """The channel cannot take this delivery now."""


def _send_email(config: Mapping[str, Any], message: Message, key: str) -> None:
    send_email(config, message, key=key)


TRANSPORTS: dict[str, Transport] = {"email": _send_email, "webhook": post_webhook}


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 60 s, 120 s, …"""
    return FIRST_RETRY * (2 ** max(0, min(attempts - 1, 20)))


@dataclass(frozen=True)
class _Due:
    id: int
    attempts: int


def _due(engine: Engine, now: datetime) -> list[_Due]:
    with Session(engine) as session:
        query = (
            select(AlertDelivery.id, AlertDelivery.attempts)
            .where(AlertDelivery.state == "pending")
            .where(col(AlertDelivery.next_attempt_at) <= now)
            .order_by(col(AlertDelivery.id))
            .limit(BATCH)
        )
        return [_Due(id=row[0], attempts=row[1]) for row in session.exec(query).all()]


def _claim(engine: Engine, due: _Due, now: datetime) -> bool:
    """Take the delivery for one attempt; False if another sender took it first."""
    table = AlertDelivery.__table__
    claimed = (
        update(table)
        .where(table.c.id == due.id, table.c.state == "pending", table.c.attempts == due.attempts)
        .values(attempts=due.attempts + 1, next_attempt_at=now + IN_FLIGHT)
    )
    with engine.begin() as connection:
        return connection.execute(claimed).rowcount == 1


def _message(
    engine: Engine,
    vault: TokenVault,
    delivery_id: int,
    base_url: str | None,
    now: datetime,
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
) -> tuple[str, dict, Message, str]:
    """The delivery's channel kind, configuration, message (in the channel's language) and idempotency key."""
    with Session(engine) as session:
        delivery = session.get(AlertDelivery, delivery_id)
        assert delivery is not None
        alert = session.get(Alert, delivery.alert_id)
        channel = session.get(AlertChannel, delivery.channel_id)
        if alert is None or channel is None:
            raise DeliveryError(_("The alert or its channel was deleted."))
        if not channel.enabled:
            raise DeliveryError(_("The channel {name} is switched off.", name=channel.name))
        try:
            config = json.loads(vault.decrypt(channel.config_ciphertext)) if channel.config_ciphertext else {}
        except VaultError:
            raise DeliveryError(_("The settings of channel {name} cannot be decrypted.", name=channel.name)) from None
        with speaking(languages.parse(channel.language) or languages.ENGLISH):
            words = said_again(session, alert, now=now, poll_interval_s=poll_interval_s)
            message = message_for(alert, delivery.kind, base_url, words)
        return channel.kind, config, message, delivery.idempotency_key


def _mark(engine: Engine, delivery_id: int, now: datetime, error: str | None, final: bool = False) -> str:
    with Session(engine) as session:
        delivery = session.get(AlertDelivery, delivery_id)
        assert delivery is not None
        if error is None:
            delivery.state, delivery.delivered_at, delivery.last_error = "delivered", now, ""
        else:
            deadline = delivery.created_at + GIVE_UP_AFTER
            delivery.last_error = error[:500]
            if final or now >= deadline:
                delivery.state = "failed"
            else:
                delivery.next_attempt_at = min(now + backoff(delivery.attempts), deadline)
        session.add(delivery)
        session.commit()
        return delivery.state


def deliver_due(
    engine: Engine,
    vault: TokenVault,
    now: datetime,
    *,
    base_url: str | None = None,
    transports: Mapping[str, Transport] | None = None,
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
) -> int:
    """Send every pending delivery due at `now`, each in its channel's language; how many were delivered."""
    transports = transports or TRANSPORTS
    delivered = 0
    for due in _due(engine, now):
        if not _claim(engine, due, now):
            continue
        try:
            kind, config, message, key = _message(engine, vault, due.id, base_url, now, poll_interval_s)
            transport = transports.get(kind)
            if transport is None:
                raise DeliveryError(_("No sender for channel kind {kind}.", kind=repr(kind)))
            transport(config, message, key)
        except (DeliveryError, EmailError, WebhookPostError) as exc:
            state = _mark(engine, due.id, now, str(exc), final=isinstance(exc, DeliveryError))
            log.warning("alert delivery %d not delivered (%s): %s", due.id, state, exc)
            continue
        except Exception as exc:  # a bug in one message must not stop the others; retried with backoff
            log.exception("alert delivery %d failed unexpectedly", due.id)
            _mark(engine, due.id, now, f"{exc.__class__.__name__}: {exc}")
            continue
        _mark(engine, due.id, now, None)
        delivered += 1
    return delivered


def run_sender(
    *,
    engine: Engine,
    vault: TokenVault,
    stop: threading.Event,
    clock: Callable[[], datetime],
    holder: str | None = None,
    base_url: str | None = None,
    every_s: float = EVERY_S,
    ttl: timedelta = poller_lease.LEASE_TTL,
    poll_interval_s: float = 300.0,
    quiet: timedelta = timedelta(minutes=30),
) -> None:
    """Deliver what is due every `every_s` while holding the "alert-sender" lease, until `stop`; then release it."""
    holder = holder or poller_lease.holder_id(LEASE)
    heartbeat: poller_lease.Heartbeat | None = None
    evaluated = float("-inf")
    try:
        while not stop.is_set():
            started = time.monotonic()
            try:
                if poller_lease.acquire(engine=engine, holder=holder, ttl=ttl, now=clock(), name=LEASE):
                    if heartbeat is None or not heartbeat.beating:
                        heartbeat = poller_lease.Heartbeat(
                            engine=engine, holder=holder, clock=clock, ttl=ttl, name=LEASE
                        ).start()
                    if time.monotonic() - evaluated >= EVALUATE_EVERY_S:
                        # What time alone makes true (a silent poller, a token nearing expiry) needs no event.
                        evaluate_store(engine, now=clock, quiet=quiet, poll_interval_s=poll_interval_s)
                        evaluated = time.monotonic()
                    deliver_due(engine, vault, clock(), base_url=base_url, poll_interval_s=poll_interval_s)
                elif heartbeat is not None:
                    heartbeat.stop()
                    heartbeat = None
            except Exception:  # the store may be back next round; the loop must outlive this
                log.exception("alert sending round failed; the next one runs as planned")
            stop.wait(max(0.0, started + every_s - time.monotonic()))
    finally:
        if heartbeat is not None:
            heartbeat.stop()
        try:
            poller_lease.release(engine=engine, holder=holder, name=LEASE)
        except Exception:
            log.warning("could not release the alert sender lease; another sender takes over when it expires")


def start_sender(
    *,
    engine: Engine,
    vault: TokenVault,
    clock: Callable[[], datetime],
    base_url: str | None,
    stop: threading.Event,
    name: str = "alert-sender",
    poll_interval_s: float = 300.0,
    quiet: timedelta = timedelta(minutes=30),
) -> threading.Thread:
    """`run_sender` on a daemon thread until `stop` is set."""
    thread = threading.Thread(
        target=run_sender,
        kwargs={
            "engine": engine,
            "vault": vault,
            "stop": stop,
            "clock": clock,
            "base_url": base_url,
            "poll_interval_s": poll_interval_s,
            "quiet": quiet,
        },
        name=name,
        daemon=True,
    )
    thread.start()
    return thread
