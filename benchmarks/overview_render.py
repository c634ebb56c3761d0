"""Rendering the overview (app.py) server-side with AppTest, in a process of its own per store.

`python -m benchmarks.overview_render SPEC RESULT`: SPEC names the environment and the runs; RESULT gets the
render times and the process's peak RSS (the overview's, not the fill's).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks import server_start
from benchmarks.figures import Samples, timed
from benchmarks.machine import peak_rss_mb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OVERVIEW = PROJECT_ROOT / "app.py"
FLEET_HEADING = "Fleet health"

# AppTest runs the page on a thread of its own, which a profiler started out here would not see.
_PROFILING_SHIM = """
import runpy
from pathlib import Path

from benchmarks.profiling import profiled

with profiled(Path({output!r})):
    runpy.run_path({page!r}, run_name="__main__")
"""


class RenderFailed(RuntimeError):
    """The overview did not render the fleet; the message says what it showed instead."""


@dataclass(frozen=True)
class OverviewRenders:
    render: Samples
    peak_rss_mb: float


def _render_once(script: Path = OVERVIEW) -> float:
    from services.access.roles import Actor

    page = server_start.page(script, timeout_s=300)
    page.session_state["signed_in_actor"] = Actor(email="benchmark@console.local", role="viewer")
    _, seconds = timed(page.run)
    if page.exception:
        trace = " | ".join(line.strip() for line in page.exception[0].stack_trace[-4:])
        raise RenderFailed(f"the overview raised {page.exception[0].message} ({trace})")
    headings = [element.value for element in page.subheader]
    if FLEET_HEADING not in headings or not page.dataframe:
        shown = "; ".join(element.value for element in [*page.warning, *page.info, *page.error])
        raise RenderFailed(f"the overview showed no fleet table ({shown or 'no notice'})")
    return seconds


def measure(*, environment: dict[str, str], runs: int, profile: str | None = None) -> OverviewRenders:
    """The server's start-up and one warm-up render, as a running server has had, then `runs` timed ones."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()
    )
    os.environ.update(environment)
    os.chdir(PROJECT_ROOT)
    server_start.start_like_a_server()
    _render_once()
    render = Samples([_render_once() for _ in range(runs)])
    if profile:
        # Beside app.py: Streamlit resolves the page links against the entry script's folder.
        shim = PROJECT_ROOT / f".profiled_overview_{os.getpid()}.py"
        shim.write_text(_PROFILING_SHIM.format(output=profile, page=str(OVERVIEW)))
        try:
            _render_once(shim)
        finally:
            shim.unlink()
    peak = peak_rss_mb()
    return OverviewRenders(render=render, peak_rss_mb=peak)


def measure_in_child(*, environment: dict[str, str], runs: int, profile: str | None = None) -> OverviewRenders:
    """`measure` in a fresh process: nothing cached from the fill, and a peak RSS of its own."""
    with tempfile.TemporaryDirectory(prefix="overview-") as folder:
        spec, result = Path(folder) / "spec.json", Path(folder) / "result.json"
        spec.write_text(json.dumps({"environment": environment, "runs": runs, "profile": profile}))
        command = [sys.executable, "-m", "benchmarks.overview_render", str(spec), str(result)]
        subprocess.run(command, cwd=PROJECT_ROOT, check=True)
        found = json.loads(result.read_text())
    return OverviewRenders(render=Samples(found["render"]), peak_rss_mb=found["peak_rss_mb"])


def main(spec_path: str, result_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    renders = measure(environment=spec["environment"], runs=spec["runs"], profile=spec["profile"])
    Path(result_path).write_text(json.dumps({"render": renders.render.values, "peak_rss_mb": renders.peak_rss_mb}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
