"""The poller lease: one active poller per database, so several app replicas never poll twice.

A lease is a row (name, holder, expires_at). Taking it is one conditional UPDATE (free, expired, or
already mine), then an INSERT when no row exists yet; the primary key settles two first-comers.
Both statements are atomic on SQLite and PostgreSQL, so no lock outlives a statement.

The lease is short (LEASE_TTL) and a `Heartbeat` thread renews it while its holder works or sleeps, so a
holder that dies is replaced within a minute or so whatever the poll interval; one that lives keeps it
however long a cycle takes.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, case, delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.store.models import PollerLease

POLLER = "poller"
LEASE_TTL = timedelta(seconds=60)
# Three renewals per time to live: two may fail (a busy database, a slow statement) before the lease lapses.
BEATS_PER_TTL = 3
log = logging.getLogger(__name__)


def holder_id(role: str = "poller") -> str:
    """A name for this process (and one lease holder in it) that shows where the poller runs."""
    host = socket.gethostname()[:32]
    return f"{role}@{host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]


def acquire(*, engine: Engine, holder: str, ttl: timedelta, now: datetime, name: str = POLLER) -> bool:
    """Take or extend the lease `name` until now + ttl; False while someone else holds an unexpired one."""
    lease = PollerLease.__table__
    taken = (
        update(lease)
        .where(lease.c.name == name)
        .where((lease.c.expires_at < now) | (lease.c.holder == holder))
        .values(
            holder=holder,
            acquired_at=case((lease.c.holder == holder, lease.c.acquired_at), else_=now),
            expires_at=now + ttl,
        )
    )
    with engine.begin() as connection:
        if connection.execute(taken).rowcount == 1:
            return True
    try:
        with engine.begin() as connection:
            connection.execute(insert(lease).values(name=name, holder=holder, acquired_at=now, expires_at=now + ttl))
    except IntegrityError:
        return False  # the row exists: someone else holds it, or took it between our two statements
    return True


def renew(*, engine: Engine, holder: str, ttl: timedelta, now: datetime, name: str = POLLER) -> bool:
    """Extend a lease we hold (or took and nobody claimed since it lapsed); False if it is gone or another's.

    Never creates the row: a heartbeat that outlives a release must not take the lease back.
    """
    lease = PollerLease.__table__
    extended = update(lease).where(lease.c.name == name, lease.c.holder == holder).values(expires_at=now + ttl)
    with engine.begin() as connection:
        return connection.execute(extended).rowcount == 1


def release(*, engine: Engine, holder: str, name: str = POLLER) -> None:
    """Give the lease up at once, if we hold it, so a standby poller need not wait for it to expire."""
    lease = PollerLease.__table__
    with engine.begin() as connection:
        connection.execute(delete(lease).where(lease.c.name == name, lease.c.holder == holder))


def current(*, engine: Engine, now: datetime, name: str = POLLER) -> PollerLease | None:
    """The unexpired lease `name`, if anyone holds it (for the monitoring page: who polls, until when)."""
    with Session(engine) as session:
        query = select(PollerLease).where(PollerLease.name == name, col(PollerLease.expires_at) >= now)
        return session.exec(query).first()


class Heartbeat:
    """Renews a held lease every ttl / BEATS_PER_TTL on a daemon thread until stopped or the lease is lost."""

    def __init__(
        self,
        *,
        engine: Engine,
        holder: str,
        clock: Callable[[], datetime],
        ttl: timedelta = LEASE_TTL,
        every_s: float | None = None,
        name: str = POLLER,
    ) -> None:
        self.engine, self.holder, self.clock, self.ttl, self.name = engine, holder, clock, ttl, name
        self.every_s = every_s if every_s is not None else ttl.total_seconds() / BEATS_PER_TTL
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-heartbeat-{name}", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop renewing; returns once no renewal is in flight (so a release that follows is final)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    @property
    def beating(self) -> bool:
        return self._thread.is_alive() and not self.lost.is_set()

    def beat(self) -> bool:
        """One renewal; False (and `lost` set) once another holder has the lease."""
        try:
            held = renew(engine=self.engine, holder=self.holder, ttl=self.ttl, now=self.clock(), name=self.name)
        except Exception:  # the store may answer the next beat; the lease outlives two missed ones
            log.warning("could not renew the %s lease; trying again in %.0f s", self.name, self.every_s, exc_info=True)
            return True
        if not held:
            log.warning("the %s lease was taken over by another holder; %s stops renewing it", self.name, self.holder)
            self.lost.set()
        return held

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            if not self.beat():
                return

    def __enter__(self) -> Heartbeat:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
