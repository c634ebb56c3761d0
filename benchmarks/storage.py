"""Benchmark 3: how many polls each stored history row stands for (history keeps changes, not repeats)."""

from __future__ import annotations

from benchmarks.figures import Figure, Stage, Target
from benchmarks.history_fill import Fill

POLLS_PER_ROW_TARGET = Target(">=", 50)


def run(fill: Fill) -> Stage:
    """Storage figures of the render benchmark's fill."""
    if fill.polls_counted != fill.polls_ingested:
        raise RuntimeError(
            f"The history rows count {fill.polls_counted} polls, but {fill.polls_ingested} were recorded."
        )
    return Stage(
        [
            Figure("polls_ingested", fill.polls_ingested),
            Figure("rows_stored", fill.rows_stored),
            Figure("polls_per_row", round(fill.polls_ingested / fill.rows_stored, 1), target=POLLS_PER_ROW_TARGET),
        ],
        {
            "numbers": len(fill.number_ids),
            "first_poll": fill.first_poll.isoformat(),
            "last_poll": fill.last_poll.isoformat(),
        },
    )
