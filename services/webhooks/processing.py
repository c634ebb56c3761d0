"""After the 200: stored deliveries applied by a drain thread, woken by each delivery and sweeping now and then.

Its first sweep runs at start-up, so a delivery a crash left pending (answered, stored, not applied) is
applied then; the sweeps also pick up what another replica stored and could not finish. A store that is
briefly unavailable leaves a delivery pending for the next sweep; one that cannot be read is marked failed
with the reason, and the raw body stays for anyone to look at.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from services.store.models import WebhookDelivery
from services.store.types import utcnow
from services.webhooks.apply import apply_change
from services.webhooks.deliveries import pending_ids
from services.webhooks.events import MalformedDelivery, parse_delivery

log = logging.getLogger(__name__)
DRAIN_THREAD = "console-webhook-drain"
SWEEP_S = 5.0
MAX_DETAIL = 500


def process_delivery(
    *, engine: Engine, delivery_id: int, poll_interval_s: float, clock: Callable[[], datetime] = utcnow
) -> str:
    """Apply one stored delivery's events in one transaction; its outcome (pending if the store was busy)."""
    with Session(engine) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.outcome != "pending":
            return delivery.outcome if delivery else "missing"
        try:
            at = clock()
            changes = parse_delivery(delivery.body)
            new = sum(
                apply_change(
                    session=session, delivery_id=delivery_id, change=change, at=at, poll_interval_s=poll_interval_s
                )
                for change in changes
            )
            delivery.outcome, delivery.processed_at = "applied", at
            delivery.detail = f"{len(changes)} change(s), {new} not seen before"
            session.add(delivery)
            session.commit()
            return "applied"
        except OperationalError:
            log.warning("the store was busy applying webhook delivery %s; the next sweep tries again", delivery_id)
            return "pending"
        except Exception as exc:
            session.rollback()
            reason = str(exc) if isinstance(exc, MalformedDelivery) else f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, MalformedDelivery):
                log.exception("webhook delivery %s could not be applied", delivery_id)
    with Session(engine) as session:
        failed = session.get(WebhookDelivery, delivery_id)
        if failed is not None and failed.outcome == "pending":
            failed.outcome, failed.processed_at, failed.detail = "failed", clock(), reason[:MAX_DETAIL]
            session.add(failed)
            session.commit()
    return "failed"


def process_pending(*, engine: Engine, poll_interval_s: float, clock: Callable[[], datetime] = utcnow) -> int:
    """Apply every pending delivery, oldest first; how many were applied."""
    applied = 0
    while True:
        with Session(engine) as session:
            batch = pending_ids(session=session)
        outcomes = [
            process_delivery(engine=engine, delivery_id=i, poll_interval_s=poll_interval_s, clock=clock) for i in batch
        ]
        applied += outcomes.count("applied")
        if len(batch) < 100 or "pending" in outcomes:
            return applied


class Drain:
    """The thread that applies stored deliveries: at start, when woken, and every SWEEP_S."""

    def __init__(self, open_engine: Callable[[], Engine], *, poll_interval_s: float, sweep_s: float = SWEEP_S) -> None:
        self._open_engine, self._poll_interval_s, self._sweep_s = open_engine, poll_interval_s, sweep_s
        self._wake, self._stop = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, name=DRAIN_THREAD, daemon=True)

    def start(self) -> Drain:
        self.thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self.thread.join(timeout_s)

    def _run(self) -> None:
        engine: Engine | None = None
        while not self._stop.is_set():
            self._wake.clear()
            try:
                engine = engine or self._open_engine()
                process_pending(engine=engine, poll_interval_s=self._poll_interval_s)
            except Exception:  # the store may be back by the next sweep; the drain must outlive this
                log.warning("applying stored webhook deliveries failed; the next sweep tries again", exc_info=True)
            self._wake.wait(self._sweep_s)


_drain: Drain | None = None
_drain_lock = threading.Lock()


def start_drain(open_engine: Callable[[], Engine], *, poll_interval_s: float) -> Drain:
    """This process's drain, started once (its first sweep applies what a stop left pending)."""
    global _drain
    with _drain_lock:
        if _drain is None or not _drain.thread.is_alive():
            _drain = Drain(open_engine, poll_interval_s=poll_interval_s).start()
        return _drain
