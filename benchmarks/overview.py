"""Benchmark 4: the overview over a large fleet against the same page over a small one (cost follows the view)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.figures import Figure, Stage, Target, timed
from benchmarks.fleet_fill import fill_fleet
from benchmarks.overview_render import OverviewRenders, measure_in_child
from benchmarks.sizes import Sizes
from services.store.engine import create_store_engine
from services.store.migrate import upgrade_to_head

RENDER_100K_TARGET = Target("<=", 0.5)
RATIO_TARGET = Target("<=", 2.0)
PEAK_RSS_TARGET = Target("<=", 500)
WABAS_SMALL = 4
RENDER_RUNS = 3


def _filled(path: Path, *, numbers: int, wabas: int) -> tuple[str, dict[str, object]]:
    url = f"sqlite:///{path}"
    engine = create_store_engine(url)
    upgrade_to_head(engine)
    fill, seconds = timed(lambda: fill_fleet(engine=engine, numbers=numbers, wabas=wabas))
    engine.dispose()
    return url, {
        "numbers": fill.numbers,
        "wabas": fill.wabas,
        "polls_per_number": fill.polls,
        "history_rows": fill.rows_stored,
        "blocked": fill.blocked,
        "at_risk": fill.at_risk,
        "fill_s": round(seconds, 1),
    }


def run(*, sizes: Sizes, workdir: Path, environment: dict[str, str], profile_dir: Path | None = None) -> Stage:
    """Fill a small and a large fleet, render the overview over each in a fresh process."""
    small_url, small = _filled(workdir / "fleet-small.sqlite", numbers=sizes.fleet_small, wabas=WABAS_SMALL)
    large_url, large = _filled(workdir / "fleet-large.sqlite", numbers=sizes.fleet_large, wabas=sizes.overview_wabas)
    runs = RENDER_RUNS if sizes.mode == "full" else 1

    def rendered(url: str, store: str) -> OverviewRenders:
        profile = str(profile_dir / f"overview_{store}") if profile_dir else None
        return measure_in_child(environment=environment | {"DATABASE_URL": url}, runs=runs, profile=profile)

    small_renders, large_renders = rendered(small_url, "small"), rendered(large_url, "large")
    figures = [
        Figure("overview_render_100_s", small_renders.render.median, small_renders.render, unit="s"),
        Figure("overview_render_100k_s", large_renders.render.median, large_renders.render, RENDER_100K_TARGET, "s"),
        Figure("overview_ratio", large_renders.render.median / small_renders.render.median, target=RATIO_TARGET),
        Figure("app_peak_rss_100k_mb", round(large_renders.peak_rss_mb, 1), target=PEAK_RSS_TARGET, unit="MB"),
    ]
    details = {
        "small_fleet": small,
        "large_fleet": large,
        "peak_rss_100_mb": round(small_renders.peak_rss_mb, 1),
        "renders": "AppTest of app.py in a fresh process per store, after one warm-up render",
    }
    return Stage(figures, details)
