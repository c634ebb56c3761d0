"""Sign-in throttling: each failed try makes the next one wait longer, per client and per account at that client.

A hard lock that anyone could trigger by typing five wrong passwords is gone: a stranger elsewhere
only slows down their own client, and an account's owner at their own client is not held up by
them. Attempts are counted before the password is checked, in one UPDATE per key, so parallel
tries cannot all slip through between a read and a write.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, delete, literal, null, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from services.store.models import SignInThrottle
from services.store.types import UTCDateTime

FREE_ATTEMPTS = 3
FIRST_DELAY = timedelta(seconds=2)
LONGEST_DELAY = timedelta(minutes=15)
_STEPS = math.ceil(math.log2(LONGEST_DELAY / FIRST_DELAY)) + 1


def delay_after(failures: int) -> timedelta:
    """How long the next try waits after `failures` counted tries: none for the first few, then doubling."""
    if failures <= FREE_ATTEMPTS:
        return timedelta(0)
    return min(LONGEST_DELAY, FIRST_DELAY * 2 ** (failures - FREE_ATTEMPTS - 1))


def keys_for(*, email: str, client: str) -> tuple[str, str]:
    client = client or "unknown"
    return f"client:{client}"[:320], f"account:{email.strip().lower()}|client:{client}"[:320]


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _ensure_rows(session: Session, keys: Sequence[str]) -> None:
    insert = _INSERTS[session.connection().dialect.name]
    for key in keys:
        session.exec(insert(SignInThrottle).values(key=key, failures=0).on_conflict_do_nothing())  # type: ignore[call-overload]


def take_attempt(*, session: Session, keys: Sequence[str], now: datetime) -> timedelta | None:
    """Count one try against every key; None when it may go ahead, else how long to wait (commits)."""
    _ensure_rows(session, keys)
    counted = SignInThrottle.failures + 1  # type: ignore[operator]
    moment = UTCDateTime()
    next_allowed = case(
        (counted <= FREE_ATTEMPTS, null()),
        *[
            (counted == n, literal(now + delay_after(n), moment))
            for n in range(FREE_ATTEMPTS + 1, FREE_ATTEMPTS + 1 + _STEPS)
        ],
        else_=literal(now + LONGEST_DELAY, moment),
    )
    wait: timedelta | None = None
    for key in keys:
        allowed = session.exec(
            update(SignInThrottle)  # type: ignore[call-overload]
            .where(
                col(SignInThrottle.key) == key,
                (col(SignInThrottle.next_allowed_at).is_(None))
                | (col(SignInThrottle.next_allowed_at) <= bindparam("now", now, type_=moment)),
            )
            .values(failures=counted, next_allowed_at=next_allowed)
            .returning(SignInThrottle.failures)
        ).first()
        if allowed is None:
            row = session.exec(select(SignInThrottle).where(col(SignInThrottle.key) == key)).one()
            left = (row.next_allowed_at - now) if row.next_allowed_at else timedelta(0)
            wait = max(wait or timedelta(0), left, timedelta(seconds=1))
    session.commit()
    return wait


def succeeded(*, session: Session, keys: Sequence[str]) -> None:
    """A right password clears its keys (no commit)."""
    session.exec(delete(SignInThrottle).where(col(SignInThrottle.key).in_(list(keys))))  # type: ignore[call-overload]
