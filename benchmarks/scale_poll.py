"""Benchmark 1b: a poll of 'scale_wabas x scale_numbers_per_waba' numbers (100,000 in the full run) over HTTP.

One poller: the production `run_cycle` on SQLite, a first cycle (which discovers every number) and timed
steady ones. Two pollers: two `python -m services.poller` processes sharing a throw-away PostgreSQL, timed
from each scheduled tick to the end of its last share. Graph calls are counted at the simulator; with every
WABA read and as many calls as the minimum, no WABA was read twice.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func
from sqlmodel import Session, col, select

from benchmarks import postgres
from benchmarks.figures import Figure, Samples, Stage, Target, timed
from benchmarks.profiling import profiled
from benchmarks.simulator_process import PROJECT_ROOT, SimulatorProcess
from benchmarks.sizes import PAGE_SIZE, POLL_INTERVAL_S, Sizes
from services.access.roles import Actor
from services.credentials import lifecycle as credentials
from services.poller import work
from services.poller.loop import run_cycle
from services.runtime import Console, open_console
from services.settings import DEFAULT_GRAPH_API_VERSION, Settings
from services.store.models import PollRun, PollWork

SCALE_TOKEN = "EAASCALETOKEN"  # the simulator's token reaching every scale WABA
SCALE_BUSINESS_ID = "1000000000000009"
ADMIN = Actor(email="benchmark@console.local", role="admin", name="Benchmark")
WALL_TARGET = Target("<=", 60.0)
TIMED_CYCLES = {"full": 2, "quick": 2}
CYCLE_TIMEOUT_S = 600.0


def console_on(url: str, database_url: str, workdir: Path, secret_key: str) -> Console:
    settings = Settings(
        database_url=database_url,
        graph_api_url=url,
        graph_api_version=DEFAULT_GRAPH_API_VERSION,
        secret_key=secret_key,
        poll_interval_seconds=POLL_INTERVAL_S,
        data_dir=workdir / "data",
    )
    return open_console(settings)


def connect(
    console: Console,
    *,
    token: str = SCALE_TOKEN,
    business_id: str = SCALE_BUSINESS_ID,
    name: str = "Benchmark scale credential",
) -> None:
    """Store a credential the way an admin does (the scale one unless told); it reaches every WABA of its business."""
    at = console.clock()
    discovery = credentials.discover(graph=console.graph, token=token, business_id=business_id, at=at)
    waba = discovery.accounts[0]
    number = credentials.discover_numbers(graph=console.graph, token=token, waba_id=waba.id)[0]
    with Session(console.engine) as session:
        credentials.connect(
            session=session,
            graph=console.graph,
            vault=console.vault,
            actor=ADMIN,
            token=token,
            business_id=business_id,
            waba_id=waba.id,
            phone_number_id=number.id,
            name=name,
            at=at,
        )


def served_calls(simulator: httpx.Client) -> int:
    """Graph requests the simulator has answered so far (counted server-side)."""
    return int(simulator.get("/_simulator/requests").json()["count"])


def _one_poller(
    served: str, control: httpx.Client, workdir: Path, key: str, sizes: Sizes, profile: Path | None
) -> tuple[PollRun, float, Samples, int]:
    console = console_on(served, f"sqlite:///{workdir / 'scale.sqlite'}", workdir, key)
    connect(console)
    first, first_s = timed(lambda: run_cycle(console=console, trigger="manual"))
    wall, calls = Samples(), set()
    for _ in range(TIMED_CYCLES[sizes.mode]):
        before = served_calls(control)
        run, seconds = timed(lambda: run_cycle(console=console, trigger="manual"))
        if run.status != "ok" or run.numbers_seen != sizes.scale_wabas * sizes.scale_numbers_per_waba:
            raise RuntimeError(f"The scale poll ended {run.status} with {run.numbers_seen} numbers: {run.errors[:3]}")
        wall.add(seconds)
        calls.add(served_calls(control) - before)
    if profile:
        with profiled(profile / "poll_100k_cycle"):
            run_cycle(console=console, trigger="manual")  # not timed
    console.engine.dispose()
    return first, first_s, wall, max(calls)


def _pollers(database_url: str, graph_url: str, key: str, interval_s: int, logs: Path) -> list[subprocess.Popen[bytes]]:
    env = os.environ | {"DATABASE_URL": database_url, "GRAPH_API_URL": graph_url, "CONSOLE_SECRET_KEY": key}
    command = [sys.executable, "-m", "services.poller", "--interval", str(interval_s)]
    started = []
    for n in range(2):
        with (logs / f"poller-{n}.log").open("wb") as log:
            started.append(subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    return started


def _tick_done(console: Console, tick: datetime, wabas: int) -> bool:
    with Session(console.engine) as session:
        done = session.exec(
            select(func.count()).where(col(PollWork.cycle_at) == tick, col(PollWork.done_at).is_not(None))
        ).one()
        running = session.exec(select(func.count()).where(col(PollRun.status) == "running")).one()
    return done == wabas and running == 0


def _first_tick_done(console: Console, wabas: int) -> bool:
    with Session(console.engine) as session:
        first = session.exec(select(func.min(PollWork.cycle_at))).one()
    return first is not None and _tick_done(console, first, wabas)


def _idle_after(console: Console, interval_s: int, wabas: int) -> datetime:
    """The current tick, once the pollers have finished it (they are then idle until the next boundary)."""
    while True:
        current = work.tick_of(console.clock(), interval_s)

        def finished_or_passed(tick: datetime = current) -> bool:
            return _tick_done(console, tick, wabas) or work.tick_of(console.clock(), interval_s) != tick

        _wait_for(finished_or_passed, "the current cycle")
        if work.tick_of(console.clock(), interval_s) == current and _tick_done(console, current, wabas):
            return current


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + CYCLE_TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"The two pollers did not finish {what} within {CYCLE_TIMEOUT_S:g} s.")
        time.sleep(0.2)


def _two_pollers(
    served: str, control: httpx.Client, workdir: Path, key: str, sizes: Sizes, interval_s: int
) -> tuple[Samples, int, list[int], int]:
    """Wall per steady shared cycle, duplicate reads (calls beyond the minimum), each clean cycle's calls, overruns.

    A tick's calls count only when the pollers were idle in the tick before it when counting began and the tick
    after it had not begun when counting ended: a cycle that runs past a boundary is caught up at once, so its
    count would hold two ticks' reads. Such a cycle is timed, its calls left out, and another one counted.
    """
    wabas = sizes.scale_wabas
    cycles = TIMED_CYCLES[sizes.mode]
    with postgres.database() as database_url:
        console = console_on(served, database_url, workdir, key)
        connect(console)
        pollers = _pollers(database_url, served, key, interval_s, workdir)
        try:
            # Their first tick is whichever boundary they wake at, which may be after the one this process is in.
            _wait_for(lambda: _first_tick_done(console, wabas), "their first cycle")
            wall, calls, overran = Samples(), [], 0
            for _ in range(cycles + 2):
                current = _idle_after(console, interval_s, wabas)
                before = served_calls(control)
                idle_at_start = work.tick_of(console.clock(), interval_s) == current
                tick = current + timedelta(seconds=interval_s)
                _wait_for(lambda t=tick: _tick_done(console, t, wabas), "a cycle")
                after = served_calls(control)
                alone = work.tick_of(console.clock(), interval_s) == tick
                with Session(console.engine) as session:
                    ends = session.exec(select(func.max(PollRun.finished_at)).where(col(PollRun.started_at) >= tick))
                    wall.add((ends.one() - tick).total_seconds())
                if idle_at_start and alone:
                    calls.append(after - before)
                else:
                    overran += 1
                if len(calls) == cycles:
                    break
            if not calls:
                raise RuntimeError(
                    f"Every shared cycle ran past its {interval_s} s interval; no cycle's calls could be counted alone."
                )
        finally:
            for poller in pollers:
                poller.send_signal(signal.SIGTERM)
            for poller in pollers:
                poller.wait(timeout=120)
            console.engine.dispose()
    min_calls = sizes.scale_wabas * math.ceil(sizes.scale_numbers_per_waba / PAGE_SIZE)
    return wall, max(calls) - min_calls, calls, overran


def run(*, sizes: Sizes, workdir: Path, secret_key: str, profile_dir: Path | None = None) -> Stage:
    workdir.mkdir(parents=True, exist_ok=True)
    expected = sizes.scale_wabas * sizes.scale_numbers_per_waba
    min_calls = sizes.scale_wabas * math.ceil(sizes.scale_numbers_per_waba / PAGE_SIZE)
    with (
        SimulatorProcess(wabas=sizes.scale_wabas, numbers_per_waba=sizes.scale_numbers_per_waba) as served,
        httpx.Client(base_url=served.url, timeout=30) as control,
    ):
        first, first_s, wall, calls = _one_poller(served.url, control, workdir, secret_key, sizes, profile_dir)
        # Each poller wakes at the interval boundary; the interval leaves a steady cycle room to finish (one that
        # does not is timed but its calls are not counted, see _two_pollers).
        interval_s = max(5, math.ceil(2 * wall.median) + 5)
        shared, duplicates, shared_calls, overran = _two_pollers(
            served.url, control, workdir, secret_key, sizes, interval_s
        )
    figures = [
        Figure("poll_100k_calls", calls, target=Target("==", min_calls)),
        Figure("poll_100k_min_calls", min_calls),
        Figure("poll_100k_wall_s", wall.median, wall, WALL_TARGET, "s"),
        Figure("poll_100k_first_wall_s", first_s, unit="s"),
        Figure("poll_100k_two_pollers_wall_s", shared.median, shared, WALL_TARGET, "s"),
        Figure("poll_100k_two_pollers_duplicate_reads", duplicates, target=Target("==", 0)),
    ]
    details = {
        "wabas": sizes.scale_wabas,
        "numbers": expected,
        "first_cycle_numbers": first.numbers_seen,
        "two_pollers_interval_s": interval_s,
        "two_pollers_calls_per_cycle": shared_calls,
        "two_pollers_cycles_past_interval": overran,
        "duplicate_reads": "Graph calls of a shared cycle beyond the minimum, every WABA's work row done",
    }
    return Stage(figures, details)
