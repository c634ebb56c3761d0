"""A shared cycle's work: one `poll_work` row per WABA per tick, claimed a batch at a time by the pollers.

Every poller on one PostgreSQL computes the same tick (the interval boundary the cycle belongs to), so
they agree on the cycle without talking. The first poller of a tick writes its rows (a second write is a
no-op); each poller then claims free rows with `FOR UPDATE SKIP LOCKED`, so two pollers never claim one
row, and renews its claims while it reads. A row is marked done in the transaction that records the
WABA's health, and only by its holder: a poller whose claim lapsed and was taken over records nothing.
A poller that dies leaves claims that lapse after CLAIM_TTL; another poller claims them again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from services.store.models import PollWork

CLAIM_TTL = timedelta(seconds=60)
# Three renewals per claim's time to live: two may fail before the claim lapses.
RENEWALS_PER_TTL = 3
# Work rows are only read for the current tick; a day of them is kept to show what each cycle did.
KEEP = timedelta(days=1)
# Any constant works, as long as every poller uses the same one (the history lock's is 0x57414848).
FINISH_LOCK_KEY = 0x5057_4F52
log = logging.getLogger(__name__)
_WORK = PollWork.__table__.c  # type: ignore[attr-defined]


def shares_cycles(engine: Engine) -> bool:
    """Whether pollers on this store divide each cycle between them (PostgreSQL), or one polls under the lease."""
    return engine.dialect.name == "postgresql"


def tick_of(now: datetime, interval_s: float) -> datetime:
    """The scheduled start of the cycle `now` falls in: the last multiple of the interval since the epoch."""
    step = max(1, int(interval_s))
    return datetime.fromtimestamp(int(now.timestamp()) // step * step, UTC)


def publish(*, engine: Engine, tick: datetime, waba_ids: Collection[str]) -> int:
    """Write the tick's work rows that do not exist yet; returns how many this call wrote."""
    if not waba_ids:
        return 0
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    rows = [{"cycle_at": tick, "waba_id": waba_id, "attempts": 0} for waba_id in sorted(waba_ids)]
    statement = dialect.insert(PollWork.__table__).values(rows).on_conflict_do_nothing().returning(_WORK.waba_id)
    with engine.begin() as connection:
        return len(connection.execute(statement).all())


def _free(tick: datetime, now: datetime) -> tuple[object, ...]:
    return (
        _WORK.cycle_at == tick,
        _WORK.done_at.is_(None),
        _WORK.claimed_until.is_(None) | (_WORK.claimed_until < now),
    )


def claim(*, engine: Engine, tick: datetime, holder: str, limit: int, now: datetime, ttl: timedelta) -> list[str]:
    """Claim up to `limit` free WABAs of the tick for `holder` until now + ttl; their ids (none when all are taken)."""
    free = _free(tick, now)
    # SKIP LOCKED: rows another poller is claiming right now are passed over, never waited for or claimed twice.
    # The rows are locked by this SELECT until the transaction ends, so the UPDATE after it takes exactly them.
    chosen = select(_WORK.waba_id).where(*free).order_by(_WORK.waba_id).limit(limit).with_for_update(skip_locked=True)
    with engine.begin() as connection:
        ids = list(connection.execute(chosen).scalars())
        if ids:
            taken = update(PollWork.__table__).where(_WORK.cycle_at == tick, _WORK.waba_id.in_(ids))
            connection.execute(taken.values(holder=holder, claimed_until=now + ttl, attempts=_WORK.attempts + 1))
    return ids


def claimable(*, engine: Engine, tick: datetime, now: datetime) -> bool:
    """Whether the tick has work nobody holds: not claimed yet, or a claim that lapsed (its poller died)."""
    with engine.connect() as connection:
        return connection.execute(select(_WORK.waba_id).where(*_free(tick, now)).limit(1)).first() is not None


def renew(*, engine: Engine, tick: datetime, holder: str, now: datetime, ttl: timedelta) -> int:
    """Extend every claim `holder` still has on the tick's unfinished work; returns how many."""
    mine = update(PollWork.__table__).where(_WORK.cycle_at == tick, _WORK.holder == holder, _WORK.done_at.is_(None))
    with engine.begin() as connection:
        return int(connection.execute(mine.values(claimed_until=now + ttl)).rowcount or 0)


def finish(*, session: Session, tick: datetime, holder: str, waba_ids: Collection[str], at: datetime) -> set[str]:
    """Mark the holder's claimed WABAs done (no commit); returns those still its own, the only ones to record."""
    if not waba_ids:
        return set()
    done = (
        update(PollWork.__table__)
        .where(_WORK.cycle_at == tick, _WORK.waba_id.in_(list(waba_ids)))
        .where(_WORK.holder == holder, _WORK.done_at.is_(None))
        .values(done_at=at)
        .returning(_WORK.waba_id)
    )
    return set(session.execute(done).scalars())


def left_after(*, session: Session, tick: datetime) -> int:
    """How many of the tick's WABAs are not done once this transaction commits (taking the tick's finish lock).

    Every poller's batch asks this last, under one lock held until its commit, so of batches finishing at once
    the later sees the earlier's rows done: exactly one batch sees 0 and evaluates the cycle as a whole.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FINISH_LOCK_KEY})
    undone = select(func.count()).where(_WORK.cycle_at == tick, _WORK.done_at.is_(None))
    return int(session.execute(undone).scalar_one())


def release(*, engine: Engine, tick: datetime, holder: str) -> None:
    """Hand back the holder's unfinished claims at once (a poller told to stop), so another need not wait."""
    mine = update(PollWork.__table__).where(_WORK.cycle_at == tick, _WORK.holder == holder, _WORK.done_at.is_(None))
    with engine.begin() as connection:
        connection.execute(mine.values(claimed_until=None))


def prune(*, engine: Engine, now: datetime, keep: timedelta = KEEP) -> int:
    """Delete work rows of cycles older than `keep`; returns how many."""
    with engine.begin() as connection:
        return int(connection.execute(delete(PollWork.__table__).where(_WORK.cycle_at < now - keep)).rowcount or 0)


def progress(*, engine: Engine, tick: datetime) -> tuple[int, int]:
    """(done, total) work rows of the tick."""
    counted = select(func.count(_WORK.done_at), func.count()).where(_WORK.cycle_at == tick)
    with engine.connect() as connection:
        done, total = connection.execute(counted).one()
    return int(done), int(total)


class ClaimRenewal:
    """Renews a poller's claims on one tick every ttl / RENEWALS_PER_TTL on a daemon thread, until stopped."""

    def __init__(
        self, *, engine: Engine, tick: datetime, holder: str, clock: Callable[[], datetime], ttl: timedelta
    ) -> None:
        self.engine, self.tick, self.holder, self.clock, self.ttl = engine, tick, holder, clock, ttl
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="poll-claims", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.ttl.total_seconds() / RENEWALS_PER_TTL):
            try:
                renew(engine=self.engine, tick=self.tick, holder=self.holder, now=self.clock(), ttl=self.ttl)
            except Exception:  # the claims outlive two missed renewals
                log.warning("could not renew this poller's claims; trying again", exc_info=True)

    def __enter__(self) -> ClaimRenewal:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
