"""The demo's first start: demo credentials and 35 days of history, made by the real poller over simulated time.

Nothing here writes history rows itself. A second simulator, identical to the console's (same
anchor, same portfolio) but on a clock we step, answers the real Graph client; the credentials
are stored through `credentials.connect` as a person would, then `run_cycle` polls every two hours
of simulated time from 35 days before the anchor up to now. Later starts find the marker (an audit
event) and do nothing; a start that died half-way is resumed from its last cycle.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from services.access import audit
from services.access.roles import DEMO_ADMIN, SYSTEM
from services.alerts import lifecycle as alerts
from services.credentials import lifecycle as credentials
from services.graph.connection import build_graph_client
from services.poller import lease as poller_lease
from services.poller.cycle import interval_of, run_cycle
from services.runtime import DEMO_GRAPH_BASE_URL, Console
from services.simulator import ManualClock, Simulator, in_process_transport
from services.store.models import AuditEvent, Credential, PollRun

DEMO_TOKEN = "EAADEMOTOKEN"
# Jasper's credential reaches its own WABA and Lucky Shrub's (a client WABA); Aurora's reaches Aurora's.
# Together they reach every demo number (the 230-number Northwind WABA is for paging tests, not the demo).
DEMO_CREDENTIALS = (
    ("1000000000000001", "2000000000000011", "3000000000000101"),
    ("1000000000000002", "2000000000000021", "3000000000000106"),
)
HISTORY = timedelta(days=35)
# Every scripted change of the demo portfolio is a whole number of days from the anchor, so polls every two hours
# from the anchor back still record each one at its exact time; hourly polls would double the first start's time
# (measured: about 6 s of CPU for 842 cycles against 3 s for 421) without showing anything more on a 30-day chart.
STEP = timedelta(hours=2)
MARKER = "demo_history"
BOOTSTRAPPER = "demo-bootstrap"
# Renewed by a heartbeat every third of it while the history is written; a bootstrap that died is taken over after it.
LEASE_TTL = timedelta(seconds=30)
WAIT_FOR_OTHER_S = 60.0
log = logging.getLogger(__name__)


def is_done(console: Console) -> bool:
    """Whether this store already holds the demo's history."""
    with Session(console.engine) as session:
        return session.exec(select(AuditEvent.id).where(AuditEvent.action == MARKER)).first() is not None


def bootstrap(console: Console) -> None:
    """On a demo store's first start, connect the demo credentials and poll 35 days of simulated time."""
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
                cycles = _write_history(console, holder)
            took = time.perf_counter() - started
            log.info("demo history: %d poll cycles over %d days in %.1f s", cycles, HISTORY.days, took)
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
        time.sleep(0.2)
    return True


def _simulated(console: Console) -> tuple[Console, ManualClock]:
    """The console with a twin of its simulator whose clock we step, and that clock."""
    anchor: datetime = console.simulator.anchor  # type: ignore[union-attr]
    clock = ManualClock(anchor - HISTORY)
    twin = Simulator(clock=clock, anchor=anchor)
    graph = build_graph_client(
        DEMO_GRAPH_BASE_URL, version=console.settings.graph_api_version, transport=in_process_transport(twin)
    )
    return dataclasses.replace(console, graph=graph, clock=clock, simulator=twin), clock


def _resume_from(console: Console, start: datetime) -> datetime:
    with Session(console.engine) as session:
        last = session.exec(select(func.max(PollRun.started_at)).where(PollRun.trigger == "demo")).one()
    return max(start, last + STEP) if last is not None else start


def _connect(console: Console, at: datetime) -> None:
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
    simulated, clock = _simulated(console)
    end = console.clock()
    # Stepping from the anchor (a whole hour) back puts the polls on the whole days the changes are scripted at.
    at = min(_resume_from(console, clock()), end)
    step_s, cycles = STEP.total_seconds(), 0
    try:
        clock.set(at)
        _connect(simulated, at)
        while True:
            clock.set(at)
            run_cycle(console=simulated, trigger="demo", poller_id=holder, poll_interval_s=step_s, workers=1)
            cycles += 1
            if at >= end:
                break
            at = min(at + STEP, end)
    finally:
        simulated.graph.close()
    with Session(console.engine) as session:
        audit.record(
            session=session,
            actor=SYSTEM,
            action=MARKER,
            object_type="demo",
            object_id="history",
            object_name="Demo history",
            detail=f"{cycles} poll cycles of the simulated Graph API over the last {HISTORY.days} days",
        )
        # The demo's blocked numbers stand as alerts at first start, from the history just written.
        quiet = timedelta(minutes=console.settings.alert_quiet_minutes)
        alerts.evaluate(session, now=end, quiet=quiet, poll_interval_s=interval_of(console.settings))
        session.commit()
    return cycles
