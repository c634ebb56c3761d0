"""The demo's first start: demo credentials and 35 days of history, as the real poller would have recorded them.

A second simulator, identical to the console's (same anchor, same portfolio) but on a clock we set, stands in
for Meta in the past. The credentials are stored through `credentials.connect` as a person would, then each
fill step writes its history for every poll moment, two hours apart, from 35 days before the anchor up to now,
in one transaction (a start that dies half-way leaves no half-written past). The numbers' step records through
the real `observe_accounts`/`observe_many`, as a poll cycle does; it reads the twin through the real Graph
client only when the simulator's scripted state of a WABA changes, since the same state gives the same answer.
Later starts find the marker (an audit event) and do nothing.

More history (templates, say) is one more function on FILL_STEPS: it gets the session and the `Past`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlmodel import Session, col, select

from services.access import audit
from services.access.roles import DEMO_ADMIN, SYSTEM
from services.alerts import lifecycle as alerts
from services.credentials import lifecycle as credentials
from services.graph.connection import build_graph_client
from services.graph.types import AccountHealth
from services.health import recording as health
from services.poller import lease as poller_lease
from services.poller import reread
from services.poller.cycle import interval_of
from services.poller.plan import Plan, plan_cycle, record_token_outcomes
from services.runtime import DEMO_GRAPH_BASE_URL, Console
from services.simulator import ManualClock, Simulator, in_process_transport
from services.simulator.schedule import Health
from services.store.models import AuditEvent, Credential, PollRun
from services.templates import demo_fill as demo_templates

DEMO_TOKEN = "EAADEMOTOKEN"
# Jasper's credential reaches its own WABA and Lucky Shrub's (a client WABA); Aurora's reaches Aurora's.
# Together they reach every demo number (the 230-number Northwind WABA is for paging tests, not the demo).
DEMO_CREDENTIALS = (
    ("1000000000000001", "2000000000000011", "3000000000000101"),
    ("1000000000000002", "2000000000000021", "3000000000000106"),
)
HISTORY = timedelta(days=35)
# Every scripted change of the demo portfolio is a whole number of days from the anchor, so polls every two hours
# from the anchor back record each one at its exact time; hourly polls would show nothing more on a 30-day chart.
STEP = timedelta(hours=2)
MARKER = "demo_history"
BOOTSTRAPPER = "demo-bootstrap"
TRIGGER = "demo"
# Renewed by a heartbeat every third of it while the history is written; a bootstrap that died is taken over after it.
LEASE_TTL = timedelta(seconds=30)
WAIT_FOR_OTHER_S = 60.0
log = logging.getLogger(__name__)


@dataclass
class Past:
    """What every fill step writes over: the twin console (its Graph client answers as of `clock`) and the moments."""

    console: Console  # the twin: graph over the twin simulator, clock the ManualClock below
    clock: ManualClock
    moments: tuple[datetime, ...]  # the poll times, oldest first; the last one is now
    holder: str  # the poller id the history is recorded under
    notes: list[str] = field(default_factory=list)  # what each step wrote, for the marker's detail

    @property
    def simulator(self) -> Simulator:
        return self.console.simulator  # type: ignore[return-value]


FillStep = Callable[[Session, Past], None]


def poll_moments(start: datetime, end: datetime, step: timedelta = STEP) -> tuple[datetime, ...]:
    """`start`, every `step` after it while before `end`, then `end` itself: the poller's moments over the past."""
    moments, at = [start], start
    while at < end:
        at = min(at + step, end)
        moments.append(at)
    return tuple(moments)


class _Reads:
    """Each WABA's answer at a moment: read through the real client once per scripted state, then remembered."""

    def __init__(self, past: Past, plan: Plan) -> None:
        self.past, self.plan = past, plan
        self._known: dict[tuple[object, ...], tuple[AccountHealth, int]] = {}

    def _scripted(self, waba_id: str, at: datetime) -> tuple[object, ...]:
        """Everything the simulator's answer for this WABA depends on at `at`: its listed numbers' health."""
        simulator, offset = self.past.simulator, at - self.past.simulator.anchor
        listed: list[tuple[str, Health]] = [
            (number.id, number.schedule.at(offset))
            for number in simulator.portfolio.numbers_of(waba_id)
            if number.onboarded <= offset
        ]
        return (waba_id, *listed)

    def account(self, waba_id: str, at: datetime) -> tuple[AccountHealth, int]:
        """The WABA as the poller reads it at `at`, and how many Graph calls that read takes."""
        key = self._scripted(waba_id, at)
        if key not in self._known:
            self.past.clock.set(at)
            graph = self.past.console.graph
            calls = graph.calls
            credential_id = self.plan.candidates[waba_id][0]
            read = graph.account_health(self.plan.tokens[credential_id], waba_id)
            self._known[key] = (read, graph.calls - calls)
        return self._known[key]


def number_history(session: Session, past: Past) -> None:
    """Every demo number's health and its WABA's at each moment, and a poll run per moment, as a cycle records them."""
    interval = STEP.total_seconds()
    plan = plan_cycle(session=session, vault=past.console.vault, now=past.moments[0])
    reads, runs = _Reads(past, plan), []
    used = {candidates[0]: True for candidates in plan.candidates.values()}
    for at in past.moments:
        answers = [(waba_id, *reads.account(waba_id, at)) for waba_id in plan.candidates]
        polls = [(waba_id, account.numbers) for waba_id, account, _ in answers]
        health.observe_many(session=session, polls=polls, at=at, poll_interval_s=interval)
        runs.append(
            {
                "started_at": at,
                "finished_at": at,
                "trigger": TRIGGER,
                "poller_id": past.holder[:64],
                "status": "ok",
                "credentials_polled": len(used),
                "numbers_seen": sum(len(account.numbers) for _, account, _ in answers),
                "graph_calls": sum(calls for _, _, calls in answers),
                "errors": [],
            }
        )
    # A WABA's own health keeps no history, only its latest reading: the last moment's is what every moment leaves.
    health.observe_accounts(session=session, accounts=[account for _, account, _ in answers], at=past.moments[-1])
    session.execute(insert(PollRun), runs)
    record_token_outcomes(session=session, used=used, failed={}, at=past.moments[-1])
    reread.clear(session=session, waba_ids=set(plan.candidates), before=past.moments[-1])
    past.notes.append(f"{len(runs)} poll cycles of the simulated Graph API over the last {HISTORY.days} days")


# The history the demo's first start writes, in order; each step adds its own rows for the same moments.
FILL_STEPS: list[FillStep] = [number_history, demo_templates.fill_step]


def is_done(console: Console) -> bool:
    """Whether this store already holds the demo's history."""
    with Session(console.engine) as session:
        return session.exec(select(AuditEvent.id).where(AuditEvent.action == MARKER)).first() is not None


def bootstrap(console: Console) -> None:
    """On a demo store's first start, connect the demo credentials and write 35 days of polled history."""
    if not console.settings.demo or console.simulator is None or is_done(console):
        return
    holder = poller_lease.holder_id(BOOTSTRAPPER)
    # Holding the poller's lease keeps every background poller out until the past is written.
    if not _take_lease(console, holder):
        return
    started = time.perf_counter()
    try:
        if not is_done(console):
            with poller_lease.Heartbeat(engine=console.engine, holder=holder, clock=console.clock, ttl=LEASE_TTL):
                moments = _write_history(console, holder)
            took = time.perf_counter() - started
            log.info("demo history: %d poll moments over %d days in %.2f s", moments, HISTORY.days, took)
    finally:
        poller_lease.release(engine=console.engine, holder=holder)


def _take_lease(console: Console, holder: str) -> bool:
    """The poller lease, waiting while another process bootstraps (and taking over if it died doing so)."""
    deadline = time.monotonic() + WAIT_FOR_OTHER_S
    while not poller_lease.acquire(engine=console.engine, holder=holder, ttl=LEASE_TTL, now=console.clock()):
        lease = poller_lease.current(engine=console.engine, now=console.clock())
        if lease is not None and not lease.holder.startswith(f"{BOOTSTRAPPER}@"):
            return False  # a poller runs here already; its store was bootstrapped or is not ours to fill
        if time.monotonic() > deadline or is_done(console):
            return False
        time.sleep(0.05)
    return True


def twin_console(console: Console) -> tuple[Console, ManualClock]:
    """The console with a twin of its simulator whose clock we set, and that clock."""
    anchor: datetime = console.simulator.anchor  # type: ignore[union-attr]
    clock = ManualClock(anchor - HISTORY)
    twin = Simulator(clock=clock, anchor=anchor)
    graph = build_graph_client(
        DEMO_GRAPH_BASE_URL, version=console.settings.graph_api_version, transport=in_process_transport(twin)
    )
    return dataclasses.replace(console, graph=graph, clock=clock, simulator=twin), clock


def connect_credentials(console: Console, at: datetime) -> None:
    """Store the demo credentials (those not stored yet) as the demo admin would, at `at`."""
    fingerprint = console.vault.fingerprint(DEMO_TOKEN)
    for business_id, waba_id, number_id in DEMO_CREDENTIALS:
        with Session(console.engine) as session:
            stored = select(Credential.id).where(
                Credential.token_fingerprint == fingerprint, col(Credential.phone_number_id) == number_id
            )
            if session.exec(stored).first() is not None:
                continue
            credentials.connect(
                session=session,
                graph=console.graph,
                vault=console.vault,
                actor=DEMO_ADMIN,
                token=DEMO_TOKEN,
                business_id=business_id,
                waba_id=waba_id,
                phone_number_id=number_id,
                at=at,
                poll_interval_s=STEP.total_seconds(),
            )


def _write_history(console: Console, holder: str) -> int:
    twin, clock = twin_console(console)
    end = console.clock()
    # Stepping from the anchor (a whole hour) back puts the polls on the whole days the changes are scripted at.
    past = Past(console=twin, clock=clock, moments=poll_moments(min(clock(), end), end), holder=holder)
    try:
        connect_credentials(twin, past.moments[0])
        with Session(console.engine) as session:
            for step in FILL_STEPS:
                step(session, past)
            audit.record(
                session=session,
                actor=SYSTEM,
                action=MARKER,
                object_type="demo",
                object_id="history",
                object_name="Demo history",
                detail="; ".join(past.notes),
            )
            # The demo's blocked numbers stand as alerts at first start, from the history just written.
            quiet = timedelta(minutes=console.settings.alert_quiet_minutes)
            alerts.evaluate(session, now=end, quiet=quiet, poll_interval_s=interval_of(console.settings))
            session.commit()
    finally:
        twin.graph.close()
    return len(past.moments)
