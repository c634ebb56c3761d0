"""The poller loop: one active poller per database, takeover after expiry, the command line, the demo thread."""

from __future__ import annotations

import dataclasses
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services import demo
from services.poller import lease as poller_lease
from services.poller import loop as poller
from services.runtime import Console, open_console
from services.settings import Settings
from services.store.models import PollRun
from tests.fixtures.simulator import ServedSimulator
from tests.services.poller.test_cycle import FLEET, POLL_S, connect_fleet, make_console

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def console(engine: Engine, graph_simulator: ServedSimulator, tmp_path: Path) -> Iterator[Console]:
    opened = make_console(engine, graph_simulator, tmp_path)
    connect_fleet(opened, graph_simulator, FLEET)
    yield opened
    opened.graph.close()


def runs(engine: Engine) -> list[PollRun]:
    with Session(engine) as session:
        return list(session.exec(select(PollRun).order_by(col(PollRun.id))))


def test_a_second_poller_stands_by_until_the_first_ones_lease_expires(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    ttl = poller_lease.LEASE_TTL
    assert poller_lease.acquire(engine=console.engine, holder="first", ttl=ttl, now=console.clock())
    stop = threading.Event()

    assert poller.poll_loop(console=console, interval_s=POLL_S, stop=stop, holder="second", once=True) == []
    assert runs(console.engine) == []

    graph_simulator.clock.advance(ttl.total_seconds() + 1)  # the first poller died without releasing
    [run] = poller.poll_loop(console=console, interval_s=POLL_S, stop=stop, holder="second", once=True)
    assert (run.status, run.poller_id, run.numbers_seen) == ("ok", "second", 238)
    assert poller_lease.current(engine=console.engine, now=console.clock()) is None  # released on the way out


def _ticking(console: Console) -> Console:
    """The console on a clock that moves in real time from the simulator's, so each run's times are its own."""
    start, began = console.clock(), time.monotonic()
    return dataclasses.replace(console, clock=lambda: start + timedelta(seconds=time.monotonic() - began))


def _wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout_s:g} s"
        time.sleep(0.01)


def _finished_by(engine: Engine, holder: str) -> int:
    return sum(run.poller_id == holder and run.finished_at is not None for run in runs(engine))


def test_two_pollers_running_at_once_on_one_database_never_run_two_cycles_at_once(console: Console) -> None:
    ticking = _ticking(console)
    stops = {holder: threading.Event() for holder in ("replica-a", "replica-b")}
    loops = {
        holder: threading.Thread(
            target=poller.poll_loop,
            kwargs={"console": ticking, "interval_s": 0.05, "stop": stop, "holder": holder},
        )
        for holder, stop in stops.items()
    }
    for loop in loops.values():
        loop.start()
    try:
        _wait_until(lambda: sum(run.finished_at is not None for run in runs(console.engine)) >= 3, "three cycles")
        lease = poller_lease.current(engine=console.engine, now=ticking.clock())
        assert lease is not None
        first = lease.holder
        [second] = set(stops) - {first}
        stops[first].set()  # the holder stops and releases: the standby, still asking, takes over
        loops[first].join(10)
        _wait_until(lambda: _finished_by(console.engine, second) >= 3, "three cycles by the standby")
    finally:
        for stop in stops.values():
            stop.set()
        for loop in loops.values():
            loop.join(10)

    done = runs(console.engine)
    assert {run.poller_id for run in done} == {first, second}
    assert all(run.status == "ok" and run.finished_at is not None for run in done)
    # The property itself, from the runs' own times: each cycle starts after the one before it finished.
    ordered = sorted(done, key=lambda run: run.started_at)
    overlaps = [(a.id, b.id) for a, b in itertools.pairwise(ordered) if b.started_at < a.finished_at]  # type: ignore[operator]
    assert overlaps == []
    assert [run.poller_id for run in ordered] == sorted((run.poller_id for run in ordered), key=[first, second].index)
    assert poller_lease.current(engine=console.engine, now=ticking.clock()) is None


def test_a_standby_handed_the_lease_by_a_poller_told_to_stop_starts_no_cycle(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The interleaving that made two replicas of one process both record runs: the standby checks `stop`, the
    # holder is told to stop and releases, then the standby asks for the lease and gets it.
    stop, real, asked = threading.Event(), poller_lease.acquire, []
    assert real(engine=console.engine, holder="a", ttl=poller_lease.LEASE_TTL, now=console.clock())

    def acquire(**kwargs: Any) -> bool:
        asked.append(kwargs["holder"])
        if len(asked) == 2:
            stop.set()
            poller_lease.release(engine=console.engine, holder="a")
        return real(**kwargs)

    monkeypatch.setattr(poller_lease, "acquire", acquire)
    done = poller.poll_loop(console=console, interval_s=POLL_S, stop=stop, holder="b", wait=lambda _s: None)
    assert asked == ["b", "b"] and done == [] and runs(console.engine) == []
    assert poller_lease.current(engine=console.engine, now=console.clock()) is None


def test_a_standby_takes_over_a_dead_pollers_lease_within_the_failover_bound_not_a_poll_interval(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    died_at = console.clock()
    assert poller_lease.acquire(engine=console.engine, holder="dead", ttl=poller_lease.LEASE_TTL, now=died_at)
    stop, waits = threading.Event(), []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if runs(console.engine):
            stop.set()
        else:
            graph_simulator.clock.advance(seconds)

    [run] = poller.poll_loop(console=console, interval_s=POLL_S, stop=stop, holder="standby", wait=wait)
    took_over = run.started_at - died_at
    assert poller.failover_bound(POLL_S) == timedelta(seconds=80)
    assert timedelta(seconds=60) < took_over <= poller.failover_bound(POLL_S) < timedelta(seconds=POLL_S)
    assert all(seconds <= 20 for seconds in waits[:-1]) and waits[-1] > 20  # asks every 20 s, then polls every 300


def test_the_heartbeat_keeps_the_lease_through_a_cycle_longer_than_its_time_to_live(
    console: Console, graph_simulator: ServedSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ttl, real, standby_got_it = poller_lease.LEASE_TTL, poller.run_cycle, []

    def renewed() -> bool:
        lease = poller_lease.current(engine=console.engine, now=console.clock())
        return lease is not None and lease.expires_at == console.clock() + ttl

    def slow(**kwargs: Any) -> PollRun:
        for _ in range(3):  # two minutes of a cycle against a one-minute lease
            graph_simulator.clock.advance(40)
            _wait_until(renewed, "a heartbeat", timeout_s=10)
            standby_got_it.append(
                poller_lease.acquire(engine=console.engine, holder="standby", ttl=ttl, now=console.clock())
            )
        return real(**kwargs)

    monkeypatch.setattr(poller, "run_cycle", slow)
    [run] = poller.poll_loop(
        console=console, interval_s=POLL_S, stop=threading.Event(), holder="p", once=True, heartbeat_s=0.01
    )
    assert run.status == "ok" and standby_got_it == [False, False, False]
    assert poller_lease.current(engine=console.engine, now=console.clock()) is None


def test_the_heartbeat_keeps_the_lease_while_the_poller_sleeps_between_cycles(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    ttl, stop, standby_got_it = poller_lease.LEASE_TTL, threading.Event(), []

    def renewed() -> bool:
        lease = poller_lease.current(engine=console.engine, now=console.clock())
        return lease is not None and lease.expires_at == console.clock() + ttl

    def wait(_seconds: float) -> None:
        for _ in range(5):  # 250 s of a 300 s sleep
            graph_simulator.clock.advance(50)
            _wait_until(renewed, "a heartbeat", timeout_s=10)
            standby_got_it.append(
                poller_lease.acquire(engine=console.engine, holder="standby", ttl=ttl, now=console.clock())
            )
        stop.set()

    done = poller.poll_loop(console=console, interval_s=POLL_S, stop=stop, holder="p", wait=wait, heartbeat_s=0.01)
    assert len(done) == 1 and standby_got_it == [False] * 5


def test_a_cycle_that_breaks_does_not_stop_the_poller(console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = poller.run_cycle, []

    def flaky(**kwargs: object) -> PollRun:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the store went away for a moment")
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(poller, "run_cycle", flaky)
    stop = threading.Event()
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            stop.set()

    done = poller.poll_loop(console=console, interval_s=POLL_S, stop=stop, holder="p", wait=wait)
    assert len(calls) == 2 and [run.status for run in done] == ["ok"]
    assert all(0 <= seconds <= POLL_S for seconds in waits)


def _environment(console: Console, graph_simulator: ServedSimulator) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": console.settings.database_url,
        "GRAPH_API_URL": graph_simulator.url,
        "CONSOLE_SECRET_KEY": console.settings.secret_key or "",
        "POLL_INTERVAL_SECONDS": "300",
    }


def test_the_command_runs_one_cycle_and_logs_one_line_without_a_token(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    env = _environment(console, graph_simulator)
    done = subprocess.run(
        [sys.executable, "-m", "services.poller", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    [run] = runs(console.engine)
    assert (run.status, run.numbers_seen, run.graph_calls) == ("ok", 238, 6)
    cycle_lines = [line for line in done.stderr.splitlines() if "poll run" in line]
    assert (
        len(cycle_lines) == 1 and f"poll run {run.id} ok: 3 credentials, 238 numbers, 6 Graph calls" in cycle_lines[0]
    )
    assert "EAA" not in done.stderr + done.stdout
    assert poller_lease.current(engine=console.engine, now=console.clock() + timedelta(days=365)) is None


def test_the_command_stops_cleanly_on_sigterm_and_releases_the_lease(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    env = _environment(console, graph_simulator)
    process = subprocess.Popen(
        [sys.executable, "-m", "services.poller", "--interval", "3600"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if "poll run" in line:
                break
        assert poller_lease.current(engine=console.engine, now=console.clock()) is not None
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert poller_lease.current(engine=console.engine, now=console.clock()) is None


def test_the_command_says_what_is_wrong_with_the_settings(tmp_path: Path) -> None:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "GRAPH_API_URL": "http://127.0.0.1:9"}
    env.pop("CONSOLE_SECRET_KEY", None)
    done = subprocess.run(
        [sys.executable, "-m", "services.poller", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "CONSOLE_SECRET_KEY is required" in done.stderr and "Traceback" not in done.stderr


def test_the_demo_app_writes_its_history_then_polls_in_one_background_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "HISTORY", timedelta(days=1))  # test_demo covers the full history
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'demo.sqlite'}",
        graph_api_url="demo",
        graph_api_version="v24.0",
        secret_key=Fernet.generate_key().decode(),
        poll_interval_seconds=300,
        data_dir=tmp_path,
    )
    console = open_console(settings)
    try:
        assert poller.interval_of(settings) == 60
        thread = poller.start_background(console)
        assert thread is not None and thread.daemon
        assert poller.start_background(console) is thread
        assert demo.is_done(console)  # the past was written before the thread started

        def live() -> list[PollRun]:
            return [run for run in runs(console.engine) if run.trigger == "schedule" and run.finished_at]

        deadline = time.monotonic() + 20
        while not live() and time.monotonic() < deadline:
            time.sleep(0.05)
        [run] = live()
        assert run.poller_id.startswith("demo-poller@") and run.status == "ok" and run.numbers_seen == 8
    finally:
        poller.stop_background(console)
        console.graph.close()
    assert not thread.is_alive()
    assert poller_lease.current(engine=console.engine, now=console.clock()) is None


def test_outside_demo_mode_the_app_starts_no_poller(console: Console) -> None:
    assert poller.start_background(console) is None


def test_a_cycle_left_running_by_a_dead_poller_is_closed_as_failed(console: Console) -> None:
    now = console.clock()
    with Session(console.engine) as session:
        session.add(PollRun(started_at=now - timedelta(hours=2), status="running", poller_id="gone"))
        session.add(PollRun(started_at=now - timedelta(minutes=10), status="running", poller_id="manual"))
        session.commit()
    poller.poll_loop(console=console, interval_s=POLL_S, stop=threading.Event(), holder="p", once=True)
    done = {run.poller_id: run for run in runs(console.engine)}
    assert done["gone"].status == "failed" and done["gone"].errors[0]["kind"] == "internal"
    assert done["manual"].status == "running"  # a manual poll may still be at work
    assert done["p"].status == "ok"
