"""The poller lease: one active poller per database, so several app replicas never poll twice.

A lease is a row (name, holder, expires_at). Taking it is one conditional UPDATE (free, expired, or
already mine), then an INSERT when no row exists yet; the primary key settles two first-comers.
Both statements are atomic on SQLite and PostgreSQL, so no lock outlives a statement.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import Engine, case, delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.store.models import PollerLease

POLLER = "poller"


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
    """Extend a lease we hold (or take it back if it lapsed unclaimed); False if another holder has it."""
    return acquire(engine=engine, holder=holder, ttl=ttl, now=now, name=name)


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
