"""Rendering the monitoring page server-side with AppTest, and reading its history alone.

Runs in its own process per store (see `measure_in_child`), so the peak RSS is the page's and not the fill's.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC
from pathlib import Path

from sqlalchemy import Engine

from benchmarks import server_start
from benchmarks.figures import Samples, timed
from benchmarks.machine import peak_rss_mb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MONITORING_PAGE = PROJECT_ROOT / "pages" / "3_Monitoring.py"
CHARTS_PER_RENDER = 1  # the history figure: a render without it did not show the history


class RenderFailed(RuntimeError):
    """The page did not render the history it was asked for; the message says what it showed instead."""


@dataclass(frozen=True)
class Scenario:
    name: str
    numbers: tuple[str, ...]
    range: str  # a preset of services.health.view.RANGES


@dataclass(frozen=True)
class Renders:
    """Per scenario, the page's render times and the history read's times; the process's peak RSS."""

    render: dict[str, Samples]
    history_query: dict[str, Samples]
    history_rows: dict[str, int]
    peak_rss_mb: float


# AppTest runs the page on a thread of its own, which a profiler started out here would not see.
_PROFILING_SHIM = """
import runpy
from pathlib import Path

from benchmarks.profiling import profiled

with profiled(Path({output!r})):
    runpy.run_path({page!r}, run_name="__main__")
"""


def _render_once(scenario: Scenario, script: Path = MONITORING_PAGE) -> float:
    from services.access.roles import Actor

    page = server_start.page(script, timeout_s=120)
    page.session_state["signed_in_actor"] = Actor(email="benchmark@console.local", role="viewer")
    page.query_params["numbers"] = ",".join(scenario.numbers)
    page.query_params["range"] = scenario.range
    _, seconds = timed(page.run)
    if page.exception:
        trace = " | ".join(line.strip() for line in page.exception[0].stack_trace[-4:])
        raise RenderFailed(f"{scenario.name}: the page raised {page.exception[0].message} ({trace})")
    charts = len(page.get("plotly_chart"))
    if charts != CHARTS_PER_RENDER:
        shown = "; ".join(element.value for element in [*page.warning, *page.info, *page.error])
        raise RenderFailed(f"{scenario.name}: {charts} charts instead of {CHARTS_PER_RENDER} ({shown or 'no notice'})")
    return seconds


def _render_profiled(scenario: Scenario, output: Path) -> None:
    """One more render (not timed), profiled on the thread that runs the page."""
    with tempfile.TemporaryDirectory(prefix="profiled-page-") as folder:
        shim = Path(folder) / "profiled_page.py"
        shim.write_text(_PROFILING_SHIM.format(output=str(output), page=str(MONITORING_PAGE)))
        _render_once(scenario, shim)


def _read_once(engine: Engine, scenario: Scenario) -> tuple[int, float]:
    from sqlmodel import Session

    from services.health import history
    from services.health.view import HistoryView
    from services.store.types import utcnow

    start, end = HistoryView(scenario.numbers, scenario.range).window(now=utcnow(), tz=UTC)
    with Session(engine) as session:
        rows, seconds = timed(
            lambda: history.read(session=session, phone_number_ids=scenario.numbers, start=start, end=end)
        )
    return len(rows), seconds


def measure(
    *,
    environment: dict[str, str],
    scenarios: Sequence[Scenario],
    runs: int,
    history_runs: int,
    profile_prefix: str | None = None,
) -> Renders:
    """The server's start-up, one warm-up render per scenario (as a running server has had), then `runs` timed ones.

    With `profile_prefix`, one more render per scenario is profiled into `{profile_prefix}{scenario}`.
    """
    from services.store.engine import create_store_engine

    # AppTest sets session state from the bare main thread, and Streamlit warns about that on every run.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()
    )
    os.environ.update(environment)
    os.chdir(PROJECT_ROOT)
    server_start.start_like_a_server()
    render: dict[str, Samples] = {}
    query: dict[str, Samples] = {}
    rows: dict[str, int] = {}
    engine = create_store_engine(environment["DATABASE_URL"])
    for scenario in scenarios:
        _render_once(scenario)
        render[scenario.name] = Samples([_render_once(scenario) for _ in range(runs)])
        if profile_prefix:
            _render_profiled(scenario, Path(f"{profile_prefix}{scenario.name}"))
        reads = [_read_once(engine, scenario) for _ in range(history_runs + 1)][1:]
        query[scenario.name] = Samples([seconds for _, seconds in reads])
        rows[scenario.name] = reads[-1][0]
    peak = peak_rss_mb()
    return Renders(render=render, history_query=query, history_rows=rows, peak_rss_mb=peak)


def measure_in_child(
    *,
    environment: dict[str, str],
    scenarios: Sequence[Scenario],
    runs: int,
    history_runs: int,
    profile_prefix: str | None = None,
) -> Renders:
    """`measure` in a fresh process: nothing cached from the fill, and a peak RSS of its own."""
    with tempfile.TemporaryDirectory(prefix="render-") as folder:
        spec, result = Path(folder) / "spec.json", Path(folder) / "result.json"
        spec.write_text(
            json.dumps(
                {
                    "environment": environment,
                    "scenarios": [asdict(scenario) for scenario in scenarios],
                    "runs": runs,
                    "history_runs": history_runs,
                    "profile_prefix": profile_prefix,
                }
            )
        )
        command = [sys.executable, "-m", "benchmarks.page_render", str(spec), str(result)]
        subprocess.run(command, cwd=PROJECT_ROOT, check=True)
        found = json.loads(result.read_text())
    return Renders(
        render={name: Samples(values) for name, values in found["render"].items()},
        history_query={name: Samples(values) for name, values in found["history_query"].items()},
        history_rows=found["history_rows"],
        peak_rss_mb=found["peak_rss_mb"],
    )


def main(spec_path: str, result_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    renders = measure(
        environment=spec["environment"],
        scenarios=[Scenario(name=s["name"], numbers=tuple(s["numbers"]), range=s["range"]) for s in spec["scenarios"]],
        runs=spec["runs"],
        history_runs=spec["history_runs"],
        profile_prefix=spec["profile_prefix"],
    )
    found = {
        "render": {name: samples.values for name, samples in renders.render.items()},
        "history_query": {name: samples.values for name, samples in renders.history_query.items()},
        "history_rows": renders.history_rows,
        "peak_rss_mb": renders.peak_rss_mb,
    }
    Path(result_path).write_text(json.dumps(found))


if __name__ == "__main__":
    main(*sys.argv[1:3])
