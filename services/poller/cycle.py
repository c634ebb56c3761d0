"""One poll cycle: every WABA the stored credentials reach, read once, its numbers' health recorded.

The Graph calls run on a few threads (`poller_reading`); every store write happens on the calling
thread, in one transaction once the answers are in (a thousand numbers take a fraction of a
second). The run itself is a `PollRun` row: written when the cycle starts (so a running cycle
shows), completed in that same last transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from services.alerts import lifecycle as alerts
from services.graph.errors import GraphError, RateLimited
from services.health import recording as health
from services.poller import reread
from services.poller.backoff import wait_entry
from services.poller.plan import plan_cycle, record_token_outcomes
from services.poller.reading import WORKERS, Outcome, Reader, cycle_client
from services.runtime import Console
from services.settings import Settings
from services.store.models import PollRun

Progress = Callable[[int, int, str], None]
# In demo mode the app polls every minute (or faster if configured) so the charts visibly move while you watch.
DEMO_INTERVAL_S = 60
STOPPED = "The poll cycle stopped early; the next one runs as planned."
ABANDONED = "The poller stopped during this cycle (its process ended); the cycle did not finish."
# A cycle takes seconds; one still "running" after this long belongs to a process that is gone.
ABANDONED_AFTER = timedelta(hours=1)
CROWDED = "Meta reports this WhatsApp Business Account near its hourly call quota; the poller rests it a while."


@dataclass
class Tally:
    errors: list[dict[str, Any]]
    used: dict[int, bool] = field(default_factory=dict)  # credential id -> some WABA was read through it
    numbers: int = 0
    wabas_read: int = 0


def error_entry(credential_id: int, waba_id: str, error: GraphError, at: datetime, interval: float) -> dict[str, Any]:
    if isinstance(error, RateLimited):
        until = at + timedelta(seconds=error.retry_after_s or interval)
        return wait_entry(credential_id=credential_id, waba_id=waba_id, until=until, sentence=error.sentence)
    return {"credential_id": credential_id, "waba_id": waba_id, "kind": error.kind, "sentence": error.sentence}


def interval_of(settings: Settings) -> int:
    """Seconds between polls: POLL_INTERVAL_SECONDS, at most a minute in demo mode."""
    if settings.demo:
        return min(settings.poll_interval_seconds, DEMO_INTERVAL_S)
    return settings.poll_interval_seconds


def run_cycle(
    *,
    console: Console,
    clock: Callable[[], datetime] | None = None,
    trigger: str = "schedule",
    on_progress: Progress | None = None,
    poller_id: str = "",
    poll_interval_s: float | None = None,
    workers: int = WORKERS,
    only: Collection[str] | None = None,
) -> PollRun:
    """Poll every reachable WABA once (or just those `only` names), record its numbers' health and the run itself."""
    clock = clock or console.clock
    interval = poll_interval_s or interval_of(console.settings)
    with Session(console.engine, expire_on_commit=False) as session:
        run = PollRun(started_at=clock(), trigger=trigger, poller_id=poller_id[:64], status="running")
        session.add(run)
        session.commit()
    try:
        return _poll(console, run, clock=clock, interval=interval, on_progress=on_progress, workers=workers, only=only)
    except BaseException:
        with Session(console.engine, expire_on_commit=False) as session:
            finish_run(session, run, status="failed", at=clock(), errors=[{"kind": "internal", "sentence": STOPPED}])
        raise


def _poll(
    console: Console,
    run: PollRun,
    *,
    clock: Callable[[], datetime],
    interval: float,
    on_progress: Progress | None,
    workers: int,
    only: Collection[str] | None = None,
) -> PollRun:
    with Session(console.engine) as session:
        plan = plan_cycle(session=session, vault=console.vault, now=run.started_at)
    if only is not None:
        plan.candidates = {waba_id: ids for waba_id, ids in plan.candidates.items() if waba_id in only}
    graph, watch = cycle_client(console.graph)
    reader, tally = Reader(plan, graph, clock), Tally(errors=list(plan.errors))
    total, outcomes = len(plan.candidates), []
    if on_progress:
        on_progress(0, total, "Starting")
    for done, outcome in enumerate(reader.read_all(list(plan.candidates), workers=workers), start=1):
        outcomes.append((outcome, watch.crowded(outcome.waba_id)))
        if on_progress:
            on_progress(done, total, plan.labels.get(outcome.waba_id, outcome.waba_id))
    finished = clock()
    # One transaction for the whole cycle: its history, what it learned of each token and the run row commit together.
    with Session(console.engine, expire_on_commit=False) as session:
        for outcome, crowded in outcomes:
            record_outcome(outcome, tally, interval=interval, crowded=crowded)
        # Every number of the cycle is recorded at the cycle's own time, so each poll time is a PollRun's.
        read = [(o.waba_id, o.numbers) for o, _ in outcomes if o.numbers is not None and o.credential_id is not None]
        # WABA rows first, then the history lock: the order a credential's check takes them in, so neither waits
        # on the other (PostgreSQL found the deadlock the other order makes).
        health.observe_accounts(session=session, accounts=[o.account for o, _ in outcomes if o.account], at=finished)
        health.observe_many(session=session, polls=read, at=run.started_at, poll_interval_s=interval)
        record_token_outcomes(session=session, used=tally.used, failed=reader.failed, at=finished)
        reread.clear(session=session, waba_ids=set(only or ()) | set(plan.candidates), before=run.started_at)
        status = status_of(tally, total)
        run.credentials_polled, run.numbers_seen, run.graph_calls = len(tally.used), tally.numbers, graph.calls
        if run.trigger != "demo":  # the demo's simulated past opens its alerts once, when it is written
            session.add(run)
            run.status, run.finished_at = status, finished
            quiet = timedelta(minutes=console.settings.alert_quiet_minutes)
            alerts.evaluate(session, now=finished, quiet=quiet, poll_interval_s=interval)
        return finish_run(session, run, status=status, at=finished, errors=tally.errors)


def status_of(tally: Tally, wabas: int) -> str:
    """ok: every WABA read without an error; failed: there were WABAs and none was read; partial otherwise."""
    return "ok" if not tally.errors else ("failed" if wabas and not tally.wabas_read else "partial")


def record_outcome(outcome: Outcome, tally: Tally, *, interval: float, crowded: float | None) -> None:
    for credential_id, error in outcome.failures:
        tally.used.setdefault(credential_id, False)
        tally.errors.append(error_entry(credential_id, outcome.waba_id, error, outcome.at, interval))
    if outcome.numbers is None or outcome.credential_id is None:
        return
    tally.used[outcome.credential_id] = True
    if crowded is not None:
        until = outcome.at + timedelta(seconds=max(crowded, interval))
        entry = wait_entry(credential_id=outcome.credential_id, waba_id=outcome.waba_id, until=until, sentence=CROWDED)
        tally.errors.append(entry)
    tally.numbers += len(outcome.numbers)
    tally.wabas_read += 1


def close_abandoned(*, engine: Engine, now: datetime) -> int:
    """Mark cycles left running by a process that died as failed; returns how many (call it holding the lease)."""
    stale = (col(PollRun.status) == "running", col(PollRun.started_at) < now - ABANDONED_AFTER)
    failed = {"status": "failed", "errors": [{"kind": "internal", "sentence": ABANDONED}]}
    with Session(engine) as session:
        closed = session.exec(update(PollRun).where(*stale).values(**failed)).rowcount  # type: ignore[call-overload]
        session.commit()
    return int(closed)


def finish_run(session: Session, run: PollRun, *, status: str, at: datetime, errors: list[dict[str, Any]]) -> PollRun:
    session.add(run)
    run.status, run.finished_at, run.errors = status, at, errors
    session.commit()
    return run
