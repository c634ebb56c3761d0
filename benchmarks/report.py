"""The table a run prints, and results.json: every figure flat (the issue's fields), then the detail behind it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from benchmarks.figures import Figure, Stage

LEGEND = """\
poll_wall_s: median of the steady cycles (poll_first_wall_s: the first, which records every number as new).
baseline_wall_s: one GraphClient.phone_number call per number, one after another (Graph calls only, no store writes).
template_poll_calls: Graph calls of a due template cycle over the demo WABAs; template_poll_min_calls: one per 100
templates of each WABA, at least one; template_poll_idle_calls: a cycle a minute later, when no WABA is due.
render_big_s: the slower view (1x90d or 10x30d) over the filled store; render_empty_s: that view over the same fleet
polled once; render_ratio: the worse of the two views' big/empty ratios. history_query_s: history.read alone, slower
view. peak_rss_mb: the rendering process. polls_ingested / rows_stored: number-polls fed to health.observe / rows.
overview_render_100_s / _100k_s: app.py (AppTest, server side) over 100 and 100,000 numbers; overview_ratio: their
quotient; app_peak_rss_100k_mb: that process. first_visit_s / hello_first_visit_s: a fresh Chromium context after the
server is healthy, to content shown and no script running (app.py on the demo store, streamlit hello);
demo_first_start_s: launch on an empty data folder to the overview's fleet table."""
COLUMNS = ("figure", "value", "min", "median", "max", "runs", "target", "verdict")


def _number(value: float, unit: str = "") -> str:
    if float(value).is_integer() and unit != "s":
        return f"{int(value):,}"
    if unit == "s":
        return f"{value:.4f}" if value < 0.01 else f"{value:.3f}"
    return f"{value:.2f}"


def _verdict(figure: Figure) -> str:
    if figure.target is None:
        return ""
    return "met" if figure.target.met(figure.value) else f"MISSED ({figure.target.missed_by(figure.value)})"


def _row(figure: Figure) -> tuple[str, ...]:
    samples = figure.samples
    spread = (
        (_number(min(samples.values), figure.unit), _number(samples.median, figure.unit))
        + (_number(max(samples.values), figure.unit), str(len(samples.values)))
        if samples
        else ("", "", "", "")
    )
    target = str(figure.target) if figure.target else ""
    return (figure.name, _number(figure.value, figure.unit), *spread, target, _verdict(figure))


def table(figures: Sequence[Figure]) -> str:
    """The figures as an aligned plain-text table (pastes into an issue note as a code block)."""
    rows = [COLUMNS, *(_row(figure) for figure in figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def results(*, stages: dict[str, Stage], machine: dict[str, object], mode: str, elapsed_s: float) -> dict[str, object]:
    """results.json: the fields flat at the top, then each figure's spread and target, then the details."""
    figures = [figure for stage in stages.values() for figure in stage.figures]
    flat: dict[str, object] = {figure.name: figure.value for figure in figures}
    spread: dict[str, object] = {}
    for figure in figures:
        entry: dict[str, object] = {"value": figure.value}
        if figure.samples:
            entry |= figure.samples.summary()
        if figure.target:
            entry |= {"target": str(figure.target), "met": figure.target.met(figure.value)}
        spread[figure.name] = entry
    details = {name: stage.details for name, stage in stages.items()}
    return (
        flat
        | {"mode": mode, "elapsed_s": round(elapsed_s, 1), "machine": machine}
        | {
            "figures": spread,
            "details": details,
        }
    )


def write(path: Path, content: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2, default=str) + "\n")
