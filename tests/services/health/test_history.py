import csv
import io
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import event
from sqlmodel import Session

from services.graph.types import QualityRating
from services.health import history
from tests.health_history import T0, every_poll, minutes, number, record

WIDE = (T0 - timedelta(days=1), T0 + timedelta(days=1))


def _dip_and_gap(session: Session) -> None:
    """301: GREEN 0-10, YELLOW 15-25, not watched 30-55, GREEN 60-70 (polls every 5 minutes)."""
    record(
        session,
        every_poll(*minutes(0, 10), number("301"))
        + every_poll(*minutes(15, 25), number("301", "YELLOW"))
        + every_poll(*minutes(60, 70), number("301")),
    )


def test_a_step_series_holds_each_value_until_the_next_and_breaks_where_nobody_watched(store_session: Session) -> None:
    _dip_and_gap(store_session)
    rows = history.read(session=store_session, phone_number_ids=["301"], start=WIDE[0], end=WIDE[1])
    stretches = history.stretches(rows, start=WIDE[0], end=WIDE[1])
    xs, ys = history.step_points(stretches, lambda s: s.quality_rating)
    assert xs == minutes(0, 15, 25, 25, 60, 70)
    assert ys == ["GREEN", "YELLOW", "YELLOW", None, "GREEN", "GREEN"]
    assert [(s.start, s.end, s.gap_after) for s in stretches] == [
        (*minutes(0, 15), False),
        (*minutes(15, 25), True),
        (*minutes(60, 70), True),
    ]


def test_stretches_are_clipped_to_the_window(store_session: Session) -> None:
    _dip_and_gap(store_session)
    start, end = minutes(7, 62)
    rows = history.read(session=store_session, phone_number_ids=["301"], start=start, end=end)
    stretches = history.stretches(rows, start=start, end=end)
    xs, ys = history.step_points(stretches, lambda s: s.quality_rating)
    assert xs == minutes(7, 15, 25, 25, 60, 62)
    assert ys == ["GREEN", "YELLOW", "YELLOW", None, "GREEN", "GREEN"]
    assert stretches[-1].gap_after is False  # it runs to the window's end


def test_a_single_poll_between_gaps_is_a_point(session: Session) -> None:
    record(session, [(T0, [number("301", "RED")]), (T0 + timedelta(hours=1), [number("301")])])
    rows = history.read(session=session, phone_number_ids=["301"], start=WIDE[0], end=WIDE[1])
    xs, ys = history.step_points(history.stretches(rows, start=WIDE[0], end=WIDE[1]), lambda s: s.quality_rating)
    assert xs == [T0, T0, T0 + timedelta(hours=1)]
    assert ys == ["RED", None, "GREEN"]


def test_the_read_is_one_query_on_the_number_and_time_index(session: Session) -> None:
    record(
        session,
        every_poll(*minutes(0, 30), number("301"), number("302"), number("303"))
        + every_poll(*minutes(35, 60), number("301", "RED"), number("302"), number("303")),
    )
    statements: list[tuple[str, Any]] = []
    engine = session.get_bind()

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        start, end = minutes(40, 50)
        rows = history.read(session=session, phone_number_ids=["301", "303"], start=start, end=end)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert {(row.phone_number_id, row.quality_rating) for row in rows} == {("301", "RED"), ("303", "GREEN")}
    assert len(statements) == 1
    plan = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statements[0][0], statements[0][1]).fetchall()
    assert "ix_phone_number_health_number_since" in " ".join(str(step) for step in plan)


def test_rows_outside_the_window_are_not_read(store_session: Session) -> None:
    _dip_and_gap(store_session)
    start, end = minutes(30, 55)
    assert history.read(session=store_session, phone_number_ids=["301"], start=start, end=end) == []
    rows = history.read(session=store_session, phone_number_ids=["301"], start=start, end=minutes(60)[0])
    assert [row.since for row in rows] == minutes(60)
    assert history.read(session=store_session, phone_number_ids=[], start=start, end=end) == []


def test_the_lowest_rating_of_each_day_counts_even_a_short_dip_in_the_viewers_days(session: Session) -> None:
    day = datetime(2025, 11, 18, tzinfo=UTC)
    record(
        session,
        every_poll(day, day + timedelta(hours=23, minutes=5), number("301"))
        + every_poll(*minutes(23 * 60 + 10, 23 * 60 + 30, start=day), number("301", "YELLOW"))
        + every_poll(day + timedelta(hours=23, minutes=35), day + timedelta(hours=30), number("301")),
    )
    end = day + timedelta(days=3)
    rows = history.read(session=session, phone_number_ids=["301"], start=day, end=end)
    stretches = history.stretches(rows, start=day, end=end)
    days = [date(2025, 11, 17), date(2025, 11, 18), date(2025, 11, 19), date(2025, 11, 20)]

    def lowest(tz: tzinfo) -> dict[str, list[str | None]]:
        return history.daily_worst(
            stretches, days=days, tz=tz, value=lambda s: s.quality_rating, key=lambda q: QualityRating.parse(q).rank
        )

    assert lowest(UTC) == {"301": [None, "YELLOW", "GREEN", None]}
    # In Berlin (UTC+1) the dip (23:10-23:35 UTC) falls on the 19th.
    berlin = lowest(ZoneInfo("Europe/Berlin"))
    assert berlin == {"301": [None, "GREEN", "YELLOW", None]}


def test_the_table_holds_exactly_the_stretches_in_the_viewers_time_zone(session: Session) -> None:
    _dip_and_gap(session)
    rows = history.read(session=session, phone_number_ids=["301"], start=WIDE[0], end=WIDE[1])
    stretches = history.stretches(rows, start=WIDE[0], end=WIDE[1])
    table = history.table(stretches, labels={"301": "Jasper's Market"}, tz=ZoneInfo("Europe/Berlin"))
    assert list(table["quality_rating"]) == ["GREEN", "YELLOW", "GREEN"]
    assert list(table["number"]) == ["Jasper's Market"] * 3
    assert [t.to_pydatetime() for t in table["from"]] == [s.start for s in stretches]
    assert str(table["from"].iloc[0]) == "2025-11-20 13:00:00+01:00"
    assert list(table["messages_per_second"]) == [80, 80, 80]
    assert list(table["gap_after"]) == [False, True, True]


def test_the_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas() -> None:
    # Once: a verified name like =HYPERLINK(...) went into the CSV as it was, and a spreadsheet ran it.
    frame = pd.DataFrame(
        {
            "number": ['=HYPERLINK("http://x.invalid","click")', "+1 631-555-0101", "-2", "@SUM(A1)", "Jasper's"],
            "messages_per_second": pd.array([80, -1, 80, 1000, None], dtype="Int64"),
        }
    )
    rows = list(csv.DictReader(io.StringIO(history.csv_text(frame))))
    assert [row["number"] for row in rows] == [
        '\'=HYPERLINK("http://x.invalid","click")',
        "'+1 631-555-0101",
        "'-2",
        "'@SUM(A1)",
        "Jasper's",
    ]
    assert [row["messages_per_second"] for row in rows] == ["80", "-1", "80", "1000", ""]  # numbers stay numbers
