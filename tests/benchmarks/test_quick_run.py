"""`python -m benchmarks --quick` runs every benchmark end to end and writes every field (targets are not asserted)."""

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIELDS = (
    "poll_calls",
    "poll_min_calls",
    "poll_wall_s",
    "baseline_wall_s",
    "poll_speedup",
    "template_poll_calls",
    "template_poll_min_calls",
    "template_poll_wall_s",
    "template_poll_idle_calls",
    "render_big_s",
    "render_empty_s",
    "render_ratio",
    "history_query_s",
    "peak_rss_mb",
    "polls_ingested",
    "rows_stored",
    "polls_per_row",
    "overview_render_100_s",
    "overview_render_100k_s",
    "overview_ratio",
    "app_peak_rss_100k_mb",
    "first_visit_s",
    "hello_first_visit_s",
    "first_visit_ratio",
    "demo_first_start_s",
    "hello_first_start_s",
)
REPEATED = (
    "poll_wall_s",
    "baseline_wall_s",
    "template_poll_wall_s",
    "render_big_s",
    "render_empty_s",
    "history_query_s",
    "overview_render_100_s",
    "overview_render_100k_s",
    "first_visit_s",
    "hello_first_visit_s",
    "demo_first_start_s",
    "hello_first_start_s",
)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """The printed output and results.json of one quick run (a fresh simulator process and fresh stores)."""
    output = tmp_path_factory.mktemp("benchmarks") / "results.json"
    command = [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout, json.loads(output.read_text())


def test_every_field_is_written_as_a_number(quick_run: tuple[str, dict[str, Any]]) -> None:
    _, results = quick_run
    assert results["mode"] == "quick"
    for field in FIELDS:
        value = results[field]
        assert isinstance(value, int | float) and not isinstance(value, bool), f"{field} is {value!r}"
        assert math.isfinite(value), f"{field} is {value!r}"


def test_repeated_figures_keep_their_spread(quick_run: tuple[str, dict[str, Any]]) -> None:
    _, results = quick_run
    for field in REPEATED:
        spread = results["figures"][field]
        assert spread["min"] <= spread["median"] <= spread["max"], field
        assert spread["runs"] >= 1, field
        assert spread["median"] == results[field], field


def test_the_table_names_the_machine_and_every_field(quick_run: tuple[str, dict[str, Any]]) -> None:
    printed, results = quick_run
    assert {"cores", "python", "sqlite"} <= set(results["machine"])
    machine = printed.splitlines()[0]
    assert f"{results['machine']['cores']} cores" in machine
    assert f"Python {results['machine']['python']}" in machine and f"SQLite {results['machine']['sqlite']}" in machine
    table = printed.split("\nfigure", 1)[1]
    for field in FIELDS:
        assert f"\n{field} " in table, field
