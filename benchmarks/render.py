"""Benchmark 2: the monitoring page rendered over months of history, against the same page over none."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from benchmarks.figures import Figure, Stage, Target, timed
from benchmarks.history_fill import Fill, fill_current_only, fill_history
from benchmarks.page_render import Renders, Scenario, measure_in_child
from benchmarks.sizes import Sizes
from services.store.engine import create_store_engine
from services.store.migrate import upgrade_to_head
from services.store.models import HealthInterval


@dataclass(frozen=True)
class View:
    """One of the issue's views of the monitoring page: how many numbers over which range."""

    slug: str
    numbers: int
    range: str


VIEWS = (View("1x90d", 1, "90d"), View("10x30d", 10, "30d"))
RENDER_TARGET = Target("<=", 1.0)
RATIO_TARGET = Target("<=", 2.0)


def _store(path: Path) -> tuple[str, Engine]:
    url = f"sqlite:///{path}"
    engine = create_store_engine(url)
    upgrade_to_head(engine)
    return url, engine


def _busiest(engine: Engine, count: int) -> tuple[str, ...]:
    """The numbers with the most history rows: the heaviest pages to draw."""
    rows = func.count(col(HealthInterval.id))
    query = (
        select(HealthInterval.phone_number_id)
        .group_by(col(HealthInterval.phone_number_id))
        .order_by(rows.desc(), col(HealthInterval.phone_number_id))
        .limit(count)
    )
    with Session(engine) as session:
        return tuple(session.exec(query))


def _figures(big: Renders, empty: Renders) -> list[Figure]:
    ratios = {view.slug: big.render[view.slug].median / empty.render[view.slug].median for view in VIEWS}
    slowest = max(VIEWS, key=lambda view: big.render[view.slug].median).slug
    slowest_read = max(VIEWS, key=lambda view: big.history_query[view.slug].median).slug
    figures = [
        Figure("render_big_s", big.render[slowest].median, big.render[slowest], RENDER_TARGET, "s"),
        Figure("render_empty_s", empty.render[slowest].median, empty.render[slowest], unit="s"),
        Figure("render_ratio", max(ratios.values()), target=RATIO_TARGET),
        Figure("history_query_s", big.history_query[slowest_read].median, big.history_query[slowest_read], unit="s"),
        Figure("peak_rss_mb", round(big.peak_rss_mb, 1), unit="MB"),
    ]
    for view in VIEWS:
        figures += [
            Figure(f"render_big_{view.slug}_s", big.render[view.slug].median, big.render[view.slug], unit="s"),
            Figure(f"render_empty_{view.slug}_s", empty.render[view.slug].median, empty.render[view.slug], unit="s"),
            Figure(f"render_ratio_{view.slug}", ratios[view.slug]),
            Figure(
                f"history_query_{view.slug}_s",
                big.history_query[view.slug].median,
                big.history_query[view.slug],
                unit="s",
            ),
        ]
    return figures


def run(
    *, sizes: Sizes, workdir: Path, environment: dict[str, str], profile_dir: Path | None = None
) -> tuple[Stage, Fill]:
    """Fill a store through health.observe, render the page over it and over a store polled once."""
    big_url, big_engine = _store(workdir / "history.sqlite")
    fill_profile = profile_dir / "history_fill_last_day" if profile_dir else None
    fill, fill_s = timed(
        lambda: fill_history(
            engine=big_engine, numbers=sizes.render_numbers, polls=sizes.polls_per_number, profile=fill_profile
        )
    )
    busiest = _busiest(big_engine, max(view.numbers for view in VIEWS))
    scenarios = [Scenario(view.slug, busiest[: view.numbers], view.range) for view in VIEWS]
    empty_url, empty_engine = _store(workdir / "empty.sqlite")
    fill_current_only(engine=empty_engine, numbers=sizes.render_numbers)
    big_engine.dispose()
    empty_engine.dispose()

    def measured(url: str, store: str) -> Renders:
        return measure_in_child(
            environment=environment | {"DATABASE_URL": url},
            scenarios=scenarios,
            runs=sizes.render_runs,
            history_runs=sizes.history_runs,
            profile_prefix=str(profile_dir / f"render_{store}_") if profile_dir else None,
        )

    big, empty = measured(big_url, "big"), measured(empty_url, "empty")
    details = {
        "fill_s": round(fill_s, 2),
        "fill_polls_per_s": round(fill.polls_ingested / fill_s),
        "numbers": sizes.render_numbers,
        "days": sizes.render_days,
        "views": {
            s.name: {"numbers": list(s.numbers), "range": s.range, "history_rows": big.history_rows[s.name]}
            for s in scenarios
        },
        "peak_rss_empty_mb": round(empty.peak_rss_mb, 1),
    }
    return Stage(_figures(big, empty), details), fill
