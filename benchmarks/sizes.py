"""How big each benchmark runs: the issue's sizes, and a quick mode on the same code paths."""

from __future__ import annotations

from dataclasses import dataclass

POLL_INTERVAL_S = 300
PAGE_SIZE = 100  # the Graph client's limit= when listing a WABA's numbers


@dataclass(frozen=True)
class Sizes:
    mode: str
    wabas: int
    numbers_per_waba: int
    poll_cycles: int  # timed poll cycles after the first (which also discovers every number)
    baseline_runs: int
    render_numbers: int
    render_days: int
    render_runs: int  # timed renders per scenario and store, after one warm-up
    history_runs: int
    # Issue 18's scale: the overview over a large fleet, and a poll of it through the served simulator.
    fleet_small: int = 100
    fleet_large: int = 100_000
    scale_wabas: int = 1_000
    scale_numbers_per_waba: int = 100
    first_visit_runs: int = 3
    overview_wabas: int = 400  # the large fleet's WABAs (a few hundred, as the fleet has)

    @property
    def polls_per_number(self) -> int:
        return self.render_days * 24 * 3600 // POLL_INTERVAL_S


FULL = Sizes(
    mode="full",
    wabas=50,
    numbers_per_waba=20,
    poll_cycles=5,
    baseline_runs=3,
    render_numbers=200,
    render_days=90,
    render_runs=5,
    history_runs=20,
)
# More numbers per WABA than a page holds, so the quick run also follows paging.
QUICK = Sizes(
    mode="quick",
    wabas=3,
    numbers_per_waba=120,
    poll_cycles=2,
    baseline_runs=1,
    render_numbers=12,
    render_days=3,
    render_runs=2,
    history_runs=3,
    fleet_small=100,
    fleet_large=2_000,
    scale_wabas=20,
    scale_numbers_per_waba=100,
    first_visit_runs=1,
    overview_wabas=20,
)
