"""Pollers sharing a cycle on PostgreSQL: real `python -m services.poller` processes against the served simulator.

Reads are counted where they happen, at the simulator (its request log), and held against the work rows:
every done row is one read of its WABA in its cycle, and no WABA is read without one, unless its poller died.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.access.roles import DEMO_ADMIN
from services.access.vault import TokenVault
from services.credentials import lifecycle as credentials
from services.graph.connection import build_graph_client
from services.poller import lease as poller_lease
from services.poller import loop as poller
from services.poller import reread, work
from services.poller.share import run_share
from services.runtime import Console
from services.settings import Settings
from services.simulator import Fault, RunningSimulator, Simulator, serve
from services.store.engine import create_store_engine
from services.store.models import Alert, PhoneNumber, PollRun, PollWork, WhatsAppBusinessAccount
from tests.fixtures.simulator import ServedSimulator
from tests.fixtures.store import PostgresDatabases
from tests.services.poller.test_cycle import AURORA_WABA, FLEET, POLL_S, connect_fleet, make_console

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[3]
WABAS, NUMBERS_PER_WABA = 60, 5
SCALE_TOKEN, SCALE_BUSINESS = "EAASCALETOKEN", "1000000000000009"
CLAIM_S = 3
WAIT_S = 60


@dataclass
class Fleet:
    console: Console
    served: RunningSimulator
    key: str
    logs: Path
    processes: list[subprocess.Popen[bytes]]

    @property
    def engine(self) -> Engine:
        return self.console.engine

    def start(self, name: str, *, interval_s: int) -> subprocess.Popen[bytes]:
        env = os.environ | {
            "DATABASE_URL": self.console.settings.database_url,
            "GRAPH_API_URL": self.served.url,
            "CONSOLE_SECRET_KEY": self.key,
        }
        command = [sys.executable, "-m", "services.poller", "--interval", str(interval_s), "--claim", str(CLAIM_S)]
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=log, stdout=log)
        self.processes.append(process)
        until(lambda: b" started: every " in (self.logs / f"{name}.log").read_bytes(), f"poller {name} to start")
        return process

    def connect(self) -> None:
        """Store the scale credential the way an admin does; its reach is every WABA of the scale business."""
        graph, at = self.console.graph, self.console.clock()
        waba = credentials.discover(graph=graph, token=SCALE_TOKEN, business_id=SCALE_BUSINESS, at=at).accounts[0]
        number = credentials.discover_numbers(graph=graph, token=SCALE_TOKEN, waba_id=waba.id)[0]
        with Session(self.engine) as session:
            credentials.connect(
                session=session,
                graph=graph,
                vault=self.console.vault,
                actor=DEMO_ADMIN,
                token=SCALE_TOKEN,
                business_id=SCALE_BUSINESS,
                waba_id=waba.id,
                phone_number_id=number.id,
                at=at,
            )

    def reads(self, since: int = 0) -> Counter[str]:
        """WABA id -> how many times the poller's expanded read of it reached the simulator (after `since`)."""
        found: Counter[str] = Counter()
        for entry in self.served.simulator.requests()[since:]:
            parts = str(entry["path"]).strip("/").split("/")
            if len(parts) == 2 and "phone_numbers.limit" in str(entry["request"]):
                found[parts[1]] += 1
        return found

    def work(self) -> list[PollWork]:
        with Session(self.engine) as session:
            return list(session.exec(select(PollWork).order_by(col(PollWork.cycle_at), col(PollWork.waba_id))))

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def until(condition: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {timeout_s:g} s for {what}.")
        time.sleep(0.1)


@pytest.fixture
def fleet(postgres_databases: PostgresDatabases, tmp_path: Path) -> Iterator[Fleet]:
    url = postgres_databases.migrated()
    engine = create_store_engine(url)
    key = Fernet.generate_key().decode()
    simulator = Simulator(wabas=WABAS, numbers_per_waba=NUMBERS_PER_WABA)
    served = serve(simulator)
    settings = Settings(
        database_url=url,
        graph_api_url=served.url,
        graph_api_version="v24.0",
        secret_key=key,
        poll_interval_seconds=300,
        data_dir=tmp_path / "data",
    )
    graph = build_graph_client(served.url, version="v24.0")
    console = Console(
        settings=settings, engine=engine, graph=graph, vault=TokenVault(key.encode()), clock=lambda: datetime.now(UTC)
    )
    running = Fleet(console=console, served=served, key=key, logs=tmp_path, processes=[])
    try:
        yield running
    finally:
        running.stop_all()
        graph.close()
        served.close()
        engine.dispose()
        postgres_databases.drop(url)


def numbers_polled(engine: Engine) -> int:
    with Session(engine) as session:
        return len(list(session.exec(select(PhoneNumber.id).where(col(PhoneNumber.last_polled_at).is_not(None)))))


@pytest.mark.parametrize("pollers", [2, 3])
def test_pollers_on_one_postgresql_read_every_waba_exactly_once_per_cycle(fleet: Fleet, pollers: int) -> None:
    # Each read takes a moment, so a cycle lasts long enough that every poller gets a share of it.
    fleet.served.simulator.faults.add(Fault(kind="slow", seconds=0.15))
    for n in range(pollers):
        fleet.start(f"poller-{n}", interval_s=4)  # no credential yet: nothing to poll, every poller waits for a tick
    fleet.connect()
    # Entries are logged as they are answered, each a slow read later: none of the pollers' is in yet.
    since = len(fleet.served.simulator.requests())
    until(lambda: len({row.cycle_at for row in fleet.work() if row.done_at}) >= 3, "three shared cycles")
    fleet.stop_all()

    work = fleet.work()
    done = [row for row in work if row.done_at is not None]
    reads = fleet.reads(since)
    assert reads == Counter(row.waba_id for row in done)  # one read per WABA per cycle, none without its row
    cycles = {row.cycle_at for row in work}
    finished = [tick for tick in cycles if all(r.done_at for r in work if r.cycle_at == tick)]
    assert len(finished) >= 2
    for tick in finished:
        assert {r.waba_id for r in work if r.cycle_at == tick} == {f"29{w:014d}" for w in range(WABAS)}
    assert all(row.attempts == 1 for row in done)
    holders = {row.holder for row in done}
    assert len(holders) == pollers  # every poller took a share
    assert any(len({r.holder for r in done if r.cycle_at == tick}) > 1 for tick in finished)
    assert numbers_polled(fleet.engine) == WABAS * NUMBERS_PER_WABA
    with Session(fleet.engine) as session:
        shares = list(session.exec(select(PollRun).where(col(PollRun.numbers_seen) > 0)))
    assert {run.status for run in shares} == {"ok"}
    by_tick = Counter(row.cycle_at for row in done)
    assert sum(run.numbers_seen for run in shares) == sum(by_tick.values()) * NUMBERS_PER_WABA


def test_a_poller_killed_while_it_holds_claims_has_its_wabas_read_by_another_in_the_same_cycle(fleet: Fleet) -> None:
    first = f"29{0:014d}"
    fleet.connect()
    # The first WABA answers the first poller only after a long while: it is killed while it waits.
    fleet.served.simulator.faults.add(Fault(kind="slow", seconds=30, path=f"/{first}$", times=1))
    doomed = fleet.start("doomed", interval_s=86400)
    until(lambda: any(r.holder and r.holder.split(":")[1] == str(doomed.pid) for r in fleet.work()), "claims")
    held = {r.waba_id for r in fleet.work() if r.holder and r.holder.split(":")[1] == str(doomed.pid)}
    assert first in held and all(r.done_at is None for r in fleet.work() if r.waba_id in held)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)

    survivor = fleet.start("survivor", interval_s=86400)
    until(lambda: all(r.done_at for r in fleet.work()) and len(fleet.work()) == WABAS, "every WABA read", 30)
    work = fleet.work()
    assert len({row.cycle_at for row in work}) == 1  # the same cycle
    assert {row.holder for row in work} == {next(iter({r.holder for r in work}))}
    assert str(survivor.pid) in next(iter({row.holder for row in work}))
    assert {row.waba_id for row in work if row.attempts == 2} == held
    assert numbers_polled(fleet.engine) == WABAS * NUMBERS_PER_WABA


# --- one poller's share, in process ------------------------------------------------------------------------


@pytest.fixture
def shared_console(
    postgres_databases: PostgresDatabases, graph_simulator: ServedSimulator, tmp_path: Path
) -> Iterator[Console]:
    """A console on a PostgreSQL of its own whose clock moves a second at every reading, with the test fleet."""
    url = postgres_databases.migrated()
    engine = create_store_engine(url)
    console = make_console(engine, graph_simulator, tmp_path)
    connect_fleet(console, graph_simulator, FLEET)
    console.clock = lambda: graph_simulator.clock.advance(1)
    try:
        yield console
    finally:
        console.graph.close()
        engine.dispose()
        postgres_databases.drop(url)


def test_a_share_records_batch_by_batch_and_the_batch_that_completes_the_cycle_opens_its_alerts(
    shared_console: Console,
) -> None:
    tick = work.tick_of(shared_console.clock(), POLL_S)
    run = run_share(console=shared_console, tick=tick, holder="poller-a", interval_s=POLL_S, workers=1)
    assert run is not None and (run.status, run.numbers_seen, run.graph_calls) == ("ok", 238, 6)
    with Session(shared_console.engine) as session:
        rows = list(session.exec(select(PollWork).where(col(PollWork.cycle_at) == tick)))
    assert len(rows) == 4 and {row.holder for row in rows} == {"poller-a"}
    assert len({row.done_at for row in rows}) == 4  # four batches, four transactions
    with Session(shared_console.engine) as session:
        alerts = list(session.exec(select(Alert).where(Alert.rule == "number_cannot_send")))
    assert alerts and {alert.opened_at for alert in alerts} == {max(row.done_at for row in rows if row.done_at)}
    # Nothing is left for a second poller: it writes no run of its own.
    assert run_share(console=shared_console, tick=tick, holder="poller-b", interval_s=POLL_S) is None


def test_the_coordinating_poller_reads_what_a_webhook_marks_between_ticks(shared_console: Console) -> None:
    engine, clock = shared_console.engine, shared_console.clock
    tick = work.tick_of(clock(), POLL_S)
    assert poller_lease.acquire(engine=engine, holder="poller-a", ttl=poller_lease.LEASE_TTL, now=clock())
    run_share(console=shared_console, tick=tick, holder="poller-a", interval_s=POLL_S)
    with Session(engine) as session:
        account = session.get(WhatsAppBusinessAccount, AURORA_WABA)
        assert account is not None
        account.reread_requested_at = clock()
        session.add(account)
        session.commit()
    runs = poller._between_ticks(
        shared_console,
        holder="poller-a",
        interval_s=POLL_S,
        tick=tick,
        stop=threading.Event(),
        until=time.monotonic() + 1.0,
        ttl=poller_lease.LEASE_TTL,
        claim_ttl=work.CLAIM_TTL,
        check_s=0.1,
    )
    assert [(run.trigger, run.numbers_seen) for run in runs] == [("webhook", 3)]
    assert reread.requested(engine=engine) == []
