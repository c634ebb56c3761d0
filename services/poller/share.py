"""One poller's share of a shared cycle (PostgreSQL): claim a batch of the tick's WABAs, read it, record it, repeat.

The next batch is claimed and its Graph calls start before the last one is recorded, so reading and
writing overlap. Each batch is recorded in one transaction: the WABAs' work rows marked done, their numbers'
history, what was learned of each token and this share's run row; the batch that completes the tick also
evaluates the alerts, once per cycle however many pollers share it (the evaluation reads the whole fleet). A poller
that dies loses at most its batches in flight; their claims lapse and another poller reads them.
The share's `PollRun` is written at its first batch (a poller that found nothing left to claim writes none).
"""

from __future__ import annotations

import logging
import math
import threading
from concurrent.futures import Future
from datetime import datetime, timedelta

from sqlmodel import Session

from services.alerts import lifecycle as alerts
from services.graph.errors import GraphError
from services.health import recording as health
from services.poller import reread, work
from services.poller.cycle import STOPPED, Tally, finish_run, record_outcome, status_of
from services.poller.plan import Plan, plan_cycle, record_token_outcomes
from services.poller.reading import WORKERS, Outcome, Reader, cycle_client
from services.runtime import Console
from services.store.models import PollRun

# A cycle in about this many batches: enough that pollers share it evenly and a dead one loses little,
# few enough that the per-batch transaction (history, alerts) is paid a handful of times per cycle.
BATCHES_PER_CYCLE = 10
MAX_BATCH = 100
log = logging.getLogger("services.poller")


def batch_size(wabas: int, workers: int = WORKERS) -> int:
    """How many WABAs one claim takes, for a cycle of `wabas`."""
    return max(workers, min(MAX_BATCH, math.ceil(wabas / BATCHES_PER_CYCLE)))


class _Share:
    def __init__(
        self, console: Console, plan: Plan, *, tick: datetime, holder: str, interval_s: float, ttl: timedelta
    ) -> None:
        self.console, self.plan, self.tick, self.holder = console, plan, tick, holder
        self.interval_s, self.ttl = interval_s, ttl
        self.graph, self.watch = cycle_client(console.graph)
        self.reader = Reader(plan, self.graph, console.clock)
        self.tally = Tally(errors=list(plan.errors))
        self.started = console.clock()
        self.run: PollRun | None = None
        self.claimed = 0
        self._reported: set[int] = set()  # credentials whose failure is already recorded

    def claim_and_read(self, size: int, workers: int) -> tuple[list[str], list[Future[Outcome]]]:
        """Claim the next batch; start reading the WABAs this poller can read. (claimed ids, readings)."""
        engine, clock = self.console.engine, self.console.clock
        ids = work.claim(engine=engine, tick=self.tick, holder=self.holder, limit=size, now=clock(), ttl=self.ttl)
        self.claimed += len(ids)
        # A WABA another poller published that this one has no usable token for (resting, just removed) is done unread.
        readable = [waba_id for waba_id in ids if waba_id in self.plan.candidates]
        return ids, self.reader.start(readable, workers=workers) if readable else []

    def open_run(self, trigger: str) -> PollRun:
        run = PollRun(started_at=self.started, trigger=trigger, poller_id=self.holder[:64], status="running")
        with Session(self.console.engine, expire_on_commit=False) as session:
            session.add(run)
            session.commit()
        self.run = run
        return run

    def record(self, ids: list[str], outcomes: list[Outcome]) -> None:
        assert self.run is not None
        finished = self.console.clock()
        with Session(self.console.engine, expire_on_commit=False) as session:
            mine = work.finish(session=session, tick=self.tick, holder=self.holder, waba_ids=ids, at=finished)
            kept = [(o, self.watch.crowded(o.waba_id)) for o in outcomes if o.waba_id in mine]
            for outcome, crowded in kept:
                record_outcome(outcome, self.tally, interval=self.interval_s, crowded=crowded)
            accounts = [o.account for o, _ in kept if o.account]
            health.observe_accounts(session=session, accounts=accounts, at=finished)
            read = [(o.waba_id, o.numbers) for o, _ in kept if o.numbers is not None and o.credential_id is not None]
            health.observe_many(session=session, polls=read, at=self.run.started_at, poll_interval_s=self.interval_s)
            failed: dict[int, GraphError] = {
                cid: error for cid, error in self.reader.failed.items() if cid not in self._reported
            }
            working = {cid: used for cid, used in self.tally.used.items() if cid not in self.reader.failed}
            record_token_outcomes(session=session, used=working, failed=failed, at=finished)
            reread.clear(session=session, waba_ids=mine, before=self.run.started_at)
            self._write_counts()
            session.add(self.run)
            if work.left_after(session=session, tick=self.tick) == 0:
                self._evaluate_alerts(session, finished)
            session.commit()
        self._reported |= set(failed)

    def _evaluate_alerts(self, session: Session, now: datetime) -> None:
        """The alerts of the whole cycle, once, in the transaction of its last batch (their outbox commits with it)."""
        quiet = timedelta(minutes=self.console.settings.alert_quiet_minutes)
        try:
            with session.begin_nested():
                alerts.evaluate(session, now=now, quiet=quiet, poll_interval_s=self.interval_s)
        except Exception:  # the history stays; the next cycle (or the alert sender's own pass) evaluates again
            log.exception("evaluating alerts after poll cycle %s failed", self.tick.isoformat())

    def _write_counts(self) -> None:
        assert self.run is not None
        self.run.credentials_polled, self.run.numbers_seen = len(self.tally.used), self.tally.numbers
        self.run.graph_calls, self.run.errors = self.graph.calls, list(self.tally.errors)

    def finish(self, status: str | None = None, errors: list[dict[str, object]] | None = None) -> PollRun:
        assert self.run is not None
        self._write_counts()
        with Session(self.console.engine, expire_on_commit=False) as session:
            return finish_run(
                session,
                self.run,
                status=status or status_of(self.tally, self.claimed),
                at=self.console.clock(),
                errors=errors if errors is not None else self.tally.errors,
            )


def run_share(
    *,
    console: Console,
    tick: datetime,
    holder: str,
    interval_s: float,
    ttl: timedelta = work.CLAIM_TTL,
    workers: int = WORKERS,
    stop: threading.Event | None = None,
    trigger: str = "schedule",
    always_record: bool = False,
) -> PollRun | None:
    """Read and record this poller's share of the tick's cycle; its run, or None if nothing was left to claim.

    `always_record` (the coordinating poller) writes a run even then when the plan has something to say: a rate-limit
    wait carried forward, a token that cannot be decrypted, or a fleet without WABAs.
    """
    with Session(console.engine) as session:
        plan = plan_cycle(session=session, vault=console.vault, now=console.clock())
    work.publish(engine=console.engine, tick=tick, waba_ids=list(plan.candidates))
    share = _Share(console, plan, tick=tick, holder=holder, interval_s=interval_s, ttl=ttl)
    size = batch_size(len(plan.candidates), workers)
    renewal = work.ClaimRenewal(engine=console.engine, tick=tick, holder=holder, clock=console.clock, ttl=ttl)
    try:
        with renewal:
            ids, readings = share.claim_and_read(size, workers)
            while ids:
                if share.run is None:
                    share.open_run(trigger)
                outcomes = [reading.result() for reading in readings]
                stopping = stop is not None and stop.is_set()
                following = ([], []) if stopping else share.claim_and_read(size, workers)
                share.record(ids, outcomes)
                ids, readings = following
    except BaseException:
        try:
            work.release(engine=console.engine, tick=tick, holder=holder)
        except Exception:  # the claims lapse by themselves
            pass
        if share.run is not None:
            share.finish(status="failed", errors=[{"kind": "internal", "sentence": STOPPED}])
        raise
    if share.run is None:
        if not (always_record and (plan.errors or not plan.candidates)):
            return None
        share.open_run(trigger)
    return share.finish()
