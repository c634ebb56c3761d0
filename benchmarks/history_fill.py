"""Filling a store with months of 5-minute polls through the real write path, `health.observe`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from benchmarks.health_schedule import number_schedule, poller_outages
from benchmarks.profiling import profiled
from benchmarks.sizes import POLL_INTERVAL_S
from services.graph.types import BusinessAccount, PhoneNumberHealth
from services.health import fleet
from services.health import recording as health
from services.store.models import HealthInterval

WABA = BusinessAccount(id="2800000000000001", name="Benchmark WABA")
BUSINESS_ID = "1000000000000008"
POLLS_PER_TRANSACTION = 288  # one day of polls


@dataclass(frozen=True)
class Fill:
    """What a fill recorded: observations fed to observe() and the history rows they became."""

    number_ids: tuple[str, ...]
    polls_ingested: int
    rows_stored: int
    polls_counted: int  # sum of the rows' `polls`: equals polls_ingested when nothing was lost
    first_poll: datetime
    last_poll: datetime


def _poll_times(end: datetime, polls: int) -> list[datetime]:
    # A real poller runs a little late each time; a fixed pattern of a few seconds keeps runs comparable.
    start = end - timedelta(seconds=POLL_INTERVAL_S * (polls - 1))
    return [start + timedelta(seconds=POLL_INTERVAL_S * k + (k * 7) % 11) for k in range(polls)]


def _prepare(engine: Engine, at: datetime) -> None:
    with Session(engine) as session:
        fleet.upsert_business_account(session=session, account=WABA, business_id=BUSINESS_ID, at=at)
        session.commit()


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        rows, polls = session.exec(select(func.count(), func.coalesce(func.sum(HealthInterval.polls), 0))).one()
    return int(rows), int(polls)


def fill_history(
    *, engine: Engine, numbers: int, polls: int, end: datetime | None = None, profile: Path | None = None
) -> Fill:
    """Record `polls` 5-minute polls of `numbers` numbers, all in one batch per poll, ending at `end` (now).

    With `profile`, the last transaction (a day of polls, the store at its fullest) is profiled into it.
    """
    end = end or datetime.now(UTC).replace(second=0, microsecond=0)
    times = _poll_times(end, polls)
    schedules = [number_schedule(position, polls=polls) for position in range(numbers)]
    changes: dict[int, list[tuple[int, PhoneNumberHealth]]] = {}
    for position, schedule in enumerate(schedules):
        for at, state in schedule.changes:
            changes.setdefault(at, []).append((position, state))
    missed = poller_outages(polls)
    current = [schedule.initial for schedule in schedules]
    _prepare(engine, times[0])
    ingested = 0
    last = (polls - 1) // POLLS_PER_TRANSACTION * POLLS_PER_TRANSACTION
    for first in range(0, polls, POLLS_PER_TRANSACTION):
        with profiled(profile if first == last else None), Session(engine) as session:
            for k in range(first, min(polls, first + POLLS_PER_TRANSACTION)):
                for position, state in changes.get(k, ()):
                    current[position] = state
                if k in missed:
                    continue
                health.observe(
                    session=session, waba_id=WABA.id, numbers=current, at=times[k], poll_interval_s=POLL_INTERVAL_S
                )
                ingested += len(current)
            session.commit()
    rows, counted = _counts(engine)
    return Fill(
        number_ids=tuple(schedule.initial.id for schedule in schedules),
        polls_ingested=ingested,
        rows_stored=rows,
        polls_counted=counted,
        first_poll=times[0],
        last_poll=times[-1],
    )


def fill_current_only(*, engine: Engine, numbers: int, at: datetime | None = None) -> Fill:
    """The same fleet polled once: every number known, no history to speak of (the 'empty store')."""
    return fill_history(engine=engine, numbers=numbers, polls=1, end=at)
