"""Benchmark 1: the production poll cycle over loopback HTTP, against one Graph call per number in sequence.

The simulator runs in its own process (`SimulatorProcess`); the poller is the real `run_cycle` on a real SQLite
store, reading the scale credential stored through `credentials.connect`.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import httpx
from sqlmodel import Session, select

from benchmarks import scale_poll
from benchmarks.figures import Figure, Samples, Stage, Target, timed
from benchmarks.profiling import profiled
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.sizes import PAGE_SIZE, POLL_INTERVAL_S, Sizes
from services.graph.client import GraphClient
from services.graph.connection import build_graph_client
from services.poller.loop import run_cycle
from services.runtime import Console, open_console
from services.settings import DEFAULT_GRAPH_API_VERSION, Settings
from services.store.models import PhoneNumber, PollRun

POLL_WALL_TARGET = Target("<=", 2.0)
SPEEDUP_TARGET = Target(">=", 10)


def _console(url: str, workdir: Path, secret_key: str) -> Console:
    settings = Settings(
        database_url=f"sqlite:///{workdir / 'poll.sqlite'}",
        graph_api_url=url,
        graph_api_version=DEFAULT_GRAPH_API_VERSION,
        secret_key=secret_key,
        poll_interval_seconds=POLL_INTERVAL_S,
        data_dir=workdir / "data",
    )
    return open_console(settings)


def _served_calls(simulator: httpx.Client) -> int:
    """Graph requests the simulator has answered so far (counted server-side)."""
    return int(simulator.get("/_simulator/requests").json()["count"])


def _cycle(console: Console, simulator: httpx.Client) -> tuple[PollRun, int, float]:
    before = _served_calls(simulator)
    run, seconds = timed(lambda: run_cycle(console=console, trigger="manual"))
    if run.status != "ok":
        raise RuntimeError(f"The poll cycle ended {run.status}: {run.errors[:3]}")
    return run, _served_calls(simulator) - before, seconds


def _numbers_by_waba(console: Console) -> dict[str, list[str]]:
    with Session(console.engine) as session:
        rows = session.exec(select(PhoneNumber.waba_id, PhoneNumber.id).order_by(PhoneNumber.waba_id, PhoneNumber.id))
        found: dict[str, list[str]] = {}
        for waba_id, number_id in rows:
            found.setdefault(waba_id, []).append(number_id)
    return found


def _baseline(graph: GraphClient, numbers: dict[str, list[str]]) -> int:
    """The naive poll: one Graph call per phone number, one after another."""
    for ids in numbers.values():
        for number_id in ids:
            graph.phone_number(scale_poll.SCALE_TOKEN, number_id)
    return sum(len(ids) for ids in numbers.values())


def _timed_cycles(console: Console, control: httpx.Client, cycles: int) -> tuple[Samples, Counter[int], PollRun]:
    """Wall times of `cycles` steady poll cycles, and how many Graph calls the simulator served in each."""
    wall, served = Samples(), Counter[int]()
    for _ in range(cycles):
        cycle, calls, seconds = _cycle(console, control)
        if cycle.graph_calls != calls:
            raise RuntimeError(f"The poll run recorded {cycle.graph_calls} Graph calls; the simulator served {calls}.")
        wall.add(seconds)
        served[calls] += 1
    return wall, served, cycle


def _timed_baseline(url: str, control: httpx.Client, numbers: dict[str, list[str]], runs: int) -> Samples:
    graph = build_graph_client(url, version=DEFAULT_GRAPH_API_VERSION)
    baseline = Samples()
    for _ in range(runs):
        before = _served_calls(control)
        calls, seconds = timed(lambda: _baseline(graph, numbers))
        if _served_calls(control) - before != calls:
            raise RuntimeError("The baseline made more Graph calls than it has numbers (retries?).")
        baseline.add(seconds)
    graph.http.close()
    return baseline


def run(*, sizes: Sizes, workdir: Path, secret_key: str, profile_dir: Path | None = None) -> Stage:
    """The poll cycle against the baseline, then the scale poll: one poller on SQLite, two sharing a PostgreSQL."""
    stage = _fleet(sizes=sizes, workdir=workdir, secret_key=secret_key, profile_dir=profile_dir)
    scale = scale_poll.run(sizes=sizes, workdir=workdir / "scale", secret_key=secret_key, profile_dir=profile_dir)
    return Stage(stage.figures + scale.figures, {**stage.details, "scale": scale.details})


def _fleet(*, sizes: Sizes, workdir: Path, secret_key: str, profile_dir: Path | None = None) -> Stage:
    """Poll a 'wabas x numbers_per_waba' fleet: the first cycle, `poll_cycles` timed ones, then the baseline."""
    expected = sizes.wabas * sizes.numbers_per_waba
    with (
        SimulatorProcess(wabas=sizes.wabas, numbers_per_waba=sizes.numbers_per_waba) as served,
        httpx.Client(base_url=served.url, timeout=30) as control,
    ):
        console = _console(served.url, workdir, secret_key)
        scale_poll.connect(console)
        _, first_calls, first_s = _cycle(console, control)  # discovers every number: not a steady cycle
        wall, calls, last = _timed_cycles(console, control, sizes.poll_cycles)
        with profiled(profile_dir / "poll_cycle" if profile_dir else None):
            _cycle(console, control)  # not timed
        numbers = _numbers_by_waba(console)
        if sum(len(ids) for ids in numbers.values()) != expected or last.numbers_seen != expected:
            raise RuntimeError(f"The poller saw {last.numbers_seen} numbers; the simulator serves {expected}.")
        baseline = _timed_baseline(served.url, control, numbers, sizes.baseline_runs)
        console.engine.dispose()

    min_calls = sum(math.ceil(len(ids) / PAGE_SIZE) for ids in numbers.values())
    poll_calls = max(calls)  # the most calls any timed cycle made (all equal when the poller is steady)
    figures = [
        Figure("poll_calls", poll_calls, target=Target("==", min_calls)),
        Figure("poll_min_calls", min_calls),
        Figure("poll_wall_s", wall.median, wall, POLL_WALL_TARGET, "s"),
        Figure("baseline_wall_s", baseline.median, baseline, unit="s"),
        Figure("poll_speedup", baseline.median / wall.median, target=SPEEDUP_TARGET),
        Figure("poll_first_wall_s", first_s, unit="s"),
    ]
    details = {
        "wabas": len(numbers),
        "numbers": expected,
        "calls_per_timed_cycle": {str(count): cycles for count, cycles in calls.items()},
        "first_cycle_calls": first_calls,
        "baseline_calls_per_run": expected,
        # One expanded read per WABA carries its own health and its first page of numbers; one call per further page.
        "calls_per_cycle": "sum over WABAs of ceil(numbers / 100)",
    }
    return Stage(figures, details)
