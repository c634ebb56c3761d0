"""Benchmark 1c: template cycles over loopback HTTP against the simulator's demo templates.

Every demo WABA the console reaches is read through the production `run_template_cycle`; the Graph calls are
counted at the simulator and compared with the fewest possible, one per 100 templates of each WABA (at least
one). A cycle with nothing due must make no call at all.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from sqlmodel import Session, col, select

from benchmarks import scale_poll
from benchmarks.figures import Figure, Samples, Stage, Target, timed
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.sizes import Sizes
from services.store.models import WhatsAppBusinessAccount
from services.templates.polling import TemplateRun, run_template_cycle, template_interval_of

TEMPLATES_PER_CALL = 100  # Graph's limit= the template cycle asks for
# The demo credentials an admin would connect, and the businesses they are connected for.
DEMO_REACH = (
    ("EAADEMOTOKEN", "1000000000000001", "Benchmark Jasper's Market"),
    ("EAADEMOTOKEN", "1000000000000002", "Benchmark Aurora Health"),
    ("EAADEMOBIGWABA", "1000000000000003", "Benchmark Northwind Stores"),
)


def _served_by_waba(control: httpx.Client) -> Counter[str]:
    """How many templates the simulator serves now, by WABA."""
    rows = control.get("/_simulator/templates").json()["templates"]
    return Counter(str(row["waba_id"]) for row in rows)


def _cycle(console: scale_poll.Console, control: httpx.Client, now: datetime) -> tuple[TemplateRun, int, float]:
    """One template cycle at `now`, its Graph calls as the simulator counted them, and its wall time."""
    before = scale_poll.served_calls(control)
    run, seconds = timed(lambda: run_template_cycle(console=console, now=now))
    served = scale_poll.served_calls(control) - before
    if run.errors:
        raise RuntimeError(f"The template cycle failed for some WABAs: {run.errors[:3]}")
    if run.graph_calls != served:
        raise RuntimeError(f"The template cycle recorded {run.graph_calls} Graph calls; the simulator served {served}.")
    return run, served, seconds


def run(*, sizes: Sizes, workdir: Path, secret_key: str) -> Stage:
    """A first template cycle over every reachable demo WABA, timed cycles when each is due again, an idle one."""
    workdir.mkdir(parents=True, exist_ok=True)
    with (
        SimulatorProcess(wabas=0, numbers_per_waba=0) as served,
        httpx.Client(base_url=served.url, timeout=30) as control,
    ):
        console = scale_poll.console_on(served.url, f"sqlite:///{workdir / 'templates.sqlite'}", workdir, secret_key)
        for token, business_id, name in DEMO_REACH:
            scale_poll.connect(console, token=token, business_id=business_id, name=name)
        interval = timedelta(seconds=template_interval_of(console.settings) + 1)
        start = console.clock()
        first, first_calls, first_s = _cycle(console, control, start)
        wall, calls = Samples(), Counter[int]()
        for n in range(1, sizes.poll_cycles + 1):  # each a template interval later, so every WABA is due again
            cycle, served_calls, seconds = _cycle(console, control, start + n * interval)
            if cycle.wabas_read != first.wabas_read:
                raise RuntimeError(f"A due cycle read {cycle.wabas_read} WABAs; the first read {first.wabas_read}.")
            wall.add(seconds)
            calls[served_calls] += 1
        # A minute after the last due cycle: nothing is due yet, so the cycle must not call Graph.
        idle, idle_calls, _ = _cycle(console, control, start + sizes.poll_cycles * interval + timedelta(minutes=1))
        if idle.wabas_due:
            raise RuntimeError(f"{idle.wabas_due} WABAs were due again a minute after they were read.")
        with Session(console.engine) as session:
            polled = col(WhatsAppBusinessAccount.templates_polled_at).is_not(None)
            read = set(session.exec(select(WhatsAppBusinessAccount.id).where(polled)))
        counts = _served_by_waba(control)
        console.engine.dispose()

    if first.templates_seen != sum(counts[waba] for waba in read):
        served_here = sum(counts[waba] for waba in read)
        raise RuntimeError(f"The cycle saw {first.templates_seen} templates; the simulator serves {served_here}.")
    min_calls = sum(max(1, math.ceil(counts[waba] / TEMPLATES_PER_CALL)) for waba in read)
    figures = [
        Figure("template_poll_calls", max(calls), target=Target("==", min_calls)),
        Figure("template_poll_min_calls", min_calls),
        Figure("template_poll_wall_s", wall.median, wall, unit="s"),
        Figure("template_poll_idle_calls", idle_calls, target=Target("==", 0)),
    ]
    details = {
        "wabas": len(read),
        "templates": first.templates_seen,
        "templates_by_waba": {waba: counts[waba] for waba in sorted(read)},
        "first_cycle_calls": first_calls,
        "first_cycle_s": first_s,
        "idle_cycle_wabas_due": idle.wabas_due,
        "calls_per_timed_cycle": {str(count): cycles for count, cycles in calls.items()},
        "calls_per_cycle": "sum over WABAs of max(1, ceil(templates / 100))",
    }
    return Stage(figures, details)
