import csv
import io
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import event
from sqlmodel import Session

from services.graph.types import QualityRating
from services.health import coverage, history, periods
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


def test_the_table_speaks_in_words_and_holds_exactly_the_stretches_in_the_viewers_time_zone(session: Session) -> None:
    _dip_and_gap(session)
    rows = history.read(session=session, phone_number_ids=["301"], start=WIDE[0], end=WIDE[1])
    stretches = history.stretches(rows, start=WIDE[0], end=WIDE[1])
    found = coverage.coverage(
        stretches, numbers=["301"], start=WIDE[0], end=WIDE[1], began={"301": T0}, tolerance=TOLERANCE
    )
    table = periods.table(stretches, labels={"301": "Jasper's Market"}, tz=ZoneInfo("Europe/Berlin"), gaps=found.gaps)
    assert list(table.columns) == [
        "Number",
        "Phone number ID",
        "From",
        "To",
        "Quality",
        "Throughput",
        "Messages per second",
        "Messaging limit",
        "Status",
        "Can send",
        "Not observed after",
    ]
    assert list(table["Quality"]) == ["Green · high", "Yellow · medium", "Green · high"]
    assert list(table["Number"]) == ["Jasper's Market"] * 3
    assert [t.to_pydatetime() for t in table["From"]] == [s.start for s in stretches]
    assert str(table["From"].iloc[0]) == "2025-11-20 13:00:00+01:00"
    assert list(table["Messages per second"]) == [80, 80, 80]
    assert list(table["Messaging limit"]) == ["10,000 customers a day"] * 3
    assert set(table["Status"]) == {"Connected"} and set(table["Can send"]) == {"Can send"}
    # 25 -> 60 nobody looked; after the last poll (70) the range runs on for almost a day.
    assert list(table["Not observed after"]) == ["", "35 min", "22 h 50 min"]
    words = " ".join(str(value) for value in table.to_numpy().ravel())
    assert "TIER_" not in words and "GREEN" not in words and "CONNECTED" not in words


def test_the_csv_writes_times_in_iso_8601_with_their_offset(session: Session) -> None:
    _dip_and_gap(session)
    rows = history.read(session=session, phone_number_ids=["301"], start=WIDE[0], end=WIDE[1])
    stretches = history.stretches(rows, start=WIDE[0], end=WIDE[1])
    table = periods.table(stretches, labels={"301": "Jasper's Market"}, tz=ZoneInfo("Europe/Berlin"))
    first = next(csv.DictReader(io.StringIO(periods.csv_text(table))))
    assert first["From"] == "2025-11-20T13:00:00+01:00" and first["To"] == "2025-11-20T13:15:00+01:00"
    assert first["Quality"] == "Green · high"


TOLERANCE = timedelta(minutes=7, seconds=30)  # 1.5 poll intervals of 5 minutes


def _coverage(
    session: Session, start: datetime, end: datetime, began: datetime | None = T0, numbers: tuple[str, ...] = ("301",)
) -> coverage.Coverage:
    rows = history.read(session=session, phone_number_ids=list(numbers), start=start, end=end)
    return coverage.coverage(
        history.stretches(rows, start=start, end=end),
        numbers=list(numbers),
        start=start,
        end=end,
        began=dict.fromkeys(numbers, began) if began else {},
        tolerance=TOLERANCE,
    )


def test_coverage_counts_the_time_nobody_looked_and_its_longest_gap(session: Session) -> None:
    _dip_and_gap(session)
    start, end = minutes(0, 100)
    found = _coverage(session, start, end)
    # Observed 0-25 and 60-70; 25-60 is a gap, and so is 70-100 (longer than 1.5 polls since the last one).
    assert [[gap.start, gap.end] for gap in found.gaps] == [minutes(25, 60), minutes(70, 100)]
    assert found.watched == timedelta(minutes=100) and found.unobserved == timedelta(minutes=65)
    assert found.share == 0.35
    assert found.longest == coverage.Gap("301", *minutes(25, 60))
    assert found.summary(labels={}) == "Observed 35% of the range; 2 gaps, longest 35 min."


def test_the_next_poll_not_being_due_yet_is_no_gap(session: Session) -> None:
    _dip_and_gap(session)
    start, end = minutes(2, 75)  # 5 minutes after the last poll: the next one is simply not due
    found = _coverage(session, start, end)
    assert [[gap.start, gap.end] for gap in found.gaps] == [minutes(25, 60)]
    assert found.summary(labels={}) == "Observed 52% of the range; 1 gap, longest 35 min."


def test_time_before_history_began_is_no_gap_and_is_named(session: Session) -> None:
    _dip_and_gap(session)
    start, end = T0 - timedelta(days=3), T0 + timedelta(minutes=25)
    rows = history.read(session=session, phone_number_ids=["301"], start=start, end=end)
    began = history.began(session=session, phone_number_ids=["301", "999"])
    assert began == {"301": T0}
    found = coverage.coverage(
        history.stretches(rows, start=start, end=end),
        numbers=["301", "999"],
        start=start,
        end=end,
        began=began,
        tolerance=TOLERANCE,
    )
    assert found.gaps == () and found.watched == timedelta(minutes=25)
    assert found.began_inside == {"301": T0}
    assert found.summary(labels={}) == "Observed all of the range; no gaps."
    span = end - start
    assert found.began_words(labels={"301": "J"}, tz=UTC, span=span) == "No history before 20 Nov 2025."
    named = found.began_words(labels={"301": "J", "999": "X"}, tz=UTC, span=span)
    assert named == "No history before 20 Nov 2025 for J."  # 999 has no history at all: nothing to say of it
    assert coverage.before_history_words(T0, tz=UTC, span=end - start) == "No history before 20 Nov 2025"
    short = coverage.before_history_words(T0, tz=ZoneInfo("Europe/Berlin"), span=timedelta(hours=24))
    assert short == "No history before 20 Nov 2025, 13:00 CET"


def test_a_gap_reaching_back_before_the_range_counts_from_the_ranges_start(session: Session) -> None:
    _dip_and_gap(session)
    start, end = minutes(30, 70)
    found = _coverage(session, start, end)
    assert [[gap.start, gap.end] for gap in found.gaps] == [minutes(30, 60)]
    assert coverage.share_words(found.share) == "25%"


def test_with_several_numbers_the_summary_names_whose_gap_was_longest(session: Session) -> None:
    record(
        session,
        every_poll(*minutes(0, 20), number("301"), number("302"))
        + every_poll(*minutes(30, 60), number("301"))
        + every_poll(*minutes(45, 60), number("302")),
    )
    found = _coverage(session, *minutes(0, 60), numbers=("301", "302"))
    assert [(gap.phone_number_id, gap.length) for gap in found.gaps] == [
        ("301", timedelta(minutes=10)),
        ("302", timedelta(minutes=25)),
    ]
    assert found.watched == timedelta(minutes=120)
    summary = found.summary(labels={"302": "Jasper's Ice Cream"})
    assert summary == "Observed 70.8% of the range; 2 gaps, longest 25 min (Jasper's Ice Cream)."
    assert [gap.end for gap in found.gaps_of("302")] == minutes(45)


def test_shares_round_down_and_lengths_read_as_words() -> None:
    assert coverage.share_words(0.99999) == "99.9%" and coverage.share_words(1.0) == "100%"
    assert coverage.share_words(0.9925) == "99.2%"
    assert [
        coverage.length_words(timedelta(seconds=s))
        for s in (45, 14 * 60, 3 * 3600, 3 * 3600 + 300, 86400, 2 * 86400 + 4 * 3600)
    ] == ["45 s", "14 min", "3 h", "3 h 5 min", "1 d", "2 d 4 h"]


def test_the_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas() -> None:
    # Once: a verified name like =HYPERLINK(...) went into the CSV as it was, and a spreadsheet ran it.
    frame = pd.DataFrame(
        {
            "number": ['=HYPERLINK("http://x.invalid","click")', "+1 631-555-0101", "-2", "@SUM(A1)", "Jasper's"],
            "messages_per_second": pd.array([80, -1, 80, 1000, None], dtype="Int64"),
        }
    )
    rows = list(csv.DictReader(io.StringIO(periods.csv_text(frame))))
    assert [row["number"] for row in rows] == [
        '\'=HYPERLINK("http://x.invalid","click")',
        "'+1 631-555-0101",
        "'-2",
        "'@SUM(A1)",
        "Jasper's",
    ]
    assert [row["messages_per_second"] for row in rows] == ["80", "-1", "80", "1000", ""]  # numbers stay numbers
