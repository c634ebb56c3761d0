"""Crash safety: SIGKILL a process in the middle of its work, reopen the store, and find everything in order.

1. The app's Submit (tests/resilience/crash_worker.py: open_console, configurations.submit, then the checks) is
   killed while the checks wait on the Graph API: the configuration is Processing. On restart, open_console() and
   recover_processing() check it again; the drafts saved before are intact; PRAGMA integrity_check says ok.
2. Two `python -m services.poller --interval 1` share the file; the one holding the lease is killed while a poll
   cycle writes, three times: every time the file is intact, the history consistent, the dead poller's lease
   lapses within its time to live and the standby takes over within `failover_bound` (its cycle's start, measured
   from the kill, is recorded as the `failover_s` property); polling resumes on the same file.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, func, select

from services.access.roles import DEMO_ADMIN
from services.configurations import lifecycle as configurations
from services.configurations.fields import ConfigurationInput
from services.configurations.records import get
from services.configurations.runs import recover_processing
from services.poller.loop import failover_bound, run_cycle
from services.runtime import open_console
from services.simulator import Fault, Simulator, serve
from services.store.engine import create_store_engine
from services.store.models import ChannelConfiguration, HealthInterval, PollerLease, PollRun
from services.store.types import utcnow
from tests.resilience.scene import NORTHWIND_FIRST, Scene, store_credential
from tests.resilience.store_checks import history_problems, sqlite_integrity

ROOT = Path(__file__).resolve().parents[2]
SCALE_BUSINESS, SCALE_TOKEN, SCALE_WABAS, SCALE_NUMBERS = "1000000000000009", "EAASCALETOKEN", 8, 100
KILLS = 3
WAIT_S = 60.0
# The pollers' lease here (60 s in production), so three takeovers take seconds; the heartbeat renews it every 2 s.
LEASE_S = 6
# A standby asks for the lease on its own schedule; a loaded machine may start the process's cycle this much later.
SCHEDULING_SLACK_S = 3.0


def _python(*args: str, log: Path) -> subprocess.Popen[bytes]:
    """A Python process of the project, with this test's environment (DATABASE_URL, GRAPH_API_URL, key)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def _wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the process ended ({process.returncode}) before {what}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{what} did not happen within {WAIT_S:g} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.02)


def _kill(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL


# --- 1. killed while a configuration is Processing --------------------------------------------------------------

DRAFTS = (
    ConfigurationInput(name="Spring-sale", description="Half done: no sender yet", marketing_action="emailTargeting"),
    ConfigurationInput(name="", description="Ünïcødé, emoji 🎉 and\nline breaks stay as typed"),
)


def _draft_values(engine: Engine) -> dict[int, dict[str, object]]:
    with Session(engine) as session:
        rows = session.exec(select(ChannelConfiguration).where(ChannelConfiguration.status == "draft")).all()
        return {row.id: ConfigurationInput.of(row).as_dict() for row in rows if row.id is not None}


def test_sigkill_while_a_configuration_is_processing(
    scene: Scene, northwind_credential: int, database_url: str, tmp_path: Path
) -> None:
    with Session(scene.engine) as session:
        for draft in DRAFTS:
            configurations.save_draft(session=session, actor=DEMO_ADMIN, values=draft, at=utcnow())
    drafts = _draft_values(scene.engine)
    assert len(drafts) == len(DRAFTS)
    # The checks' first Graph call (debug_token) hangs, so the worker sits in Processing until it is killed.
    scene.simulator.faults.add(Fault(kind="slow", path="debug_token", seconds=30))
    submitted = {
        "name": "Crash-test",
        "description": "Submitted just before the crash",
        "marketing_action": "whatsappMarketing",
        "credential_id": northwind_credential,
        "sender_phone_number_id": NORTHWIND_FIRST,
    }
    asked = scene.simulator.request_count
    log = tmp_path / "worker.log"
    worker = _python("-m", "tests.resilience.crash_worker", json.dumps(submitted), log=log)
    _wait_for(lambda: "processing" in log.read_text(), "the submit", worker, log)
    _wait_for(lambda: scene.simulator.request_count > asked, "the checks' Graph call", worker, log)
    _kill(worker)

    sqlite_integrity(database_url)
    configuration_id = int(log.read_text().split("processing ", 1)[1].split()[0])
    with Session(scene.engine) as session:
        stuck = get(session=session, configuration_id=configuration_id)
        assert stuck.status == "processing" and stuck.check_results == []
    assert _draft_values(scene.engine) == drafts

    scene.disarm()
    console = open_console()  # the restarted app
    try:
        assert recover_processing(engine=console.engine, graph=console.graph, vault=console.vault) == 1
        with Session(console.engine) as session:
            checked = get(session=session, configuration_id=configuration_id)
            assert checked.status in ("active", "failed")
            assert [result["check"] for result in checked.check_results] == [
                "token",
                "waba",
                "sender_in_waba",
                "sender_connected",
                "name_unique",
                "marketing_action",
            ]
            assert {key: getattr(checked, key) for key in submitted} == submitted
        assert recover_processing(engine=console.engine, graph=console.graph, vault=console.vault) == 0
    finally:
        console.engine.dispose()
        console.graph.close()
    assert _draft_values(scene.engine) == drafts
    sqlite_integrity(database_url)


# --- 2. killed while the poller writes ---------------------------------------------------------------------------


@pytest.fixture
def scale_simulator(console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """A simulator with 8 WABAs of 100 numbers each over HTTP, and the console pointed at it."""
    simulator = Simulator(wabas=SCALE_WABAS, numbers_per_waba=SCALE_NUMBERS)
    with serve(simulator) as running:
        monkeypatch.setenv("GRAPH_API_URL", running.url)
        yield simulator


def _rows(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _running(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM poll_run WHERE status = 'running'")).scalar_one() > 0


def _holder(engine: Engine) -> PollerLease | None:
    with Session(engine) as session:
        return session.get(PollerLease, "poller")


def _first_run_after(engine: Engine, at: datetime, not_by: str) -> PollRun | None:
    with Session(engine) as session:
        query = select(PollRun).where(PollRun.started_at > at, PollRun.poller_id != not_by)
        return session.exec(query.order_by(PollRun.started_at)).first()


def test_sigkill_while_the_poller_writes(
    scale_simulator: Simulator,
    database_url: str,
    console_env: dict[str, str],
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    engine = create_store_engine(database_url)
    setup = open_console()
    try:
        store_credential(
            engine=engine,
            graph=setup.graph,
            vault=setup.vault,
            token=SCALE_TOKEN,
            business_id=SCALE_BUSINESS,
            waba_id="2900000000000000",
            phone_number_id="3900000000000000",
            name="Scale portfolio",
        )
    finally:
        setup.graph.close()
        setup.engine.dispose()
    rng = random.Random(20261125)
    ttl, started = timedelta(seconds=LEASE_S), 0
    pollers: dict[int, tuple[subprocess.Popen[bytes], Path]] = {}

    def start_poller() -> None:
        nonlocal started
        log = tmp_path / f"poller-{started}.log"
        started += 1
        poller = _python("-m", "services.poller", "--interval", "1", "--lease", str(LEASE_S), log=log)
        pollers[poller.pid] = (poller, log)

    start_poller()
    start_poller()  # a standby replica on the same file
    failovers: list[float] = []
    try:
        for kill in range(KILLS):
            finished = _rows(engine, PollRun)
            watched, log = next(iter(pollers.values()))
            # Let one cycle finish, then catch the next one in the middle of its writes.
            _wait_for(lambda: _rows(engine, PollRun) > finished + 1, "a finished poll cycle", watched, log)  # noqa: B023
            _wait_for(lambda: _running(engine), "a cycle in flight", watched, log)
            time.sleep(rng.uniform(0.0, 0.2))
            lease = _holder(engine)
            assert lease is not None
            active, log = pollers.pop(int(lease.holder.rsplit(":", 2)[1]))
            _kill(active)
            killed_at, dead = utcnow(), _holder(engine)

            sqlite_integrity(database_url)
            assert history_problems(engine) == []
            with Session(engine) as session:
                runs = session.exec(select(PollRun)).all()
                assert {run.status for run in runs} <= {"ok", "running"}
                # Only cycles a kill cut short, and the standby's if it has taken over already.
                assert sum(run.status == "running" for run in runs) <= kill + 2
            assert dead is not None and dead.holder == lease.holder  # nobody takes a live-looking lease
            assert dead.expires_at <= killed_at + ttl  # renewed until the kill, lapsing within its time to live

            standby, standby_log = next(iter(pollers.values()))
            _wait_for(
                lambda: _first_run_after(engine, killed_at, lease.holder) is not None,  # noqa: B023
                "the standby's takeover",
                standby,
                standby_log,
            )
            takeover = _first_run_after(engine, killed_at, lease.holder)
            assert takeover is not None
            failovers.append((takeover.started_at - killed_at).total_seconds())
            assert failovers[-1] <= failover_bound(1, ttl).total_seconds() + SCHEDULING_SLACK_S
            start_poller()  # the dead replica's replacement, standing by
    finally:
        for poller, _log in pollers.values():
            poller.terminate()
        for poller, _log in pollers.values():
            poller.wait(timeout=20)
    record_property("failover_s", failovers)

    console = open_console()  # polling resumes on the same file
    try:
        rows_before = _rows(engine, HealthInterval)
        run = run_cycle(console=console, poll_interval_s=1)
        assert run.status == "ok" and run.numbers_seen == SCALE_WABAS * SCALE_NUMBERS
        assert _rows(engine, HealthInterval) - rows_before <= SCALE_WABAS * SCALE_NUMBERS
        assert history_problems(engine) == []
    finally:
        console.graph.close()
        console.engine.dispose()
        engine.dispose()
    sqlite_integrity(database_url)
