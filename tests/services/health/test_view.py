from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.health.view import CUSTOM, HistoryView, parse_view

KNOWN = ("3001", "3002", "3003")
TODAY = date(2025, 11, 20)


def _parse(**params: str | list[str]) -> tuple[HistoryView, list[str]]:
    as_lists = {key: value if isinstance(value, list) else [value] for key, value in params.items()}
    return parse_view(as_lists, known_numbers=KNOWN, default_numbers=["3001"], today=TODAY)


def test_a_link_reopens_the_view_it_was_written_from() -> None:
    for view in (
        HistoryView(("3002", "3001"), "30d"),
        HistoryView(("3003",), CUSTOM, date(2025, 11, 1), date(2025, 11, 15)),
        HistoryView((), "24h"),
    ):
        params = view.query_params()
        assert _parse(**params) == (view, [])


def test_numbers_may_come_comma_separated_or_repeated_and_keep_their_order() -> None:
    assert _parse(numbers="3003,3001", range="7d")[0].numbers == ("3003", "3001")
    assert _parse(numbers=["3002", "3001,3002"])[0].numbers == ("3002", "3001")


def test_no_parameters_open_the_default_number_over_seven_days() -> None:
    assert _parse() == (HistoryView(("3001",), "7d"), [])


def test_unknown_numbers_are_left_out_with_a_notice() -> None:
    view, notices = _parse(numbers="3002,999,abc", range="90d")
    assert view == HistoryView(("3002",), "90d")
    assert notices == ["Not a monitored phone number, left out: 999, abc."]


def test_an_unknown_range_falls_back_to_seven_days_with_a_notice() -> None:
    view, notices = _parse(numbers="3001", range="1y")
    assert view == HistoryView(("3001",), "7d")
    assert notices == ["Unknown range '1y'; showing the last 7 d instead."]


def test_a_broken_custom_range_falls_back_with_a_sentence_saying_why() -> None:
    cases = {
        ("2025-11-10", "2025-11-01"): "starts (10 Nov 2025) after it ends (01 Nov 2025)",
        ("2025-13-01", "2025-11-01"): "needs start and end dates written like 2025-11-20",
        ("2025-12-01", "2025-12-02"): "starts in the future",
        ("2023-01-01", "2025-11-01"): "covers at most 366 days",
    }
    for (start, end), reason in cases.items():
        view, notices = _parse(numbers="3001", range="custom", start=start, end=end)
        assert view == HistoryView(("3001",), "7d")
        assert len(notices) == 1 and reason in notices[0] and notices[0].endswith("Showing the last 7 d instead.")
    assert "needs start and end" in _parse(range="custom")[1][0]


def test_a_preset_window_ends_now() -> None:
    now = datetime(2025, 11, 20, 14, 5, tzinfo=UTC)
    assert HistoryView(("3001",), "24h").window(now=now, tz=UTC) == (now - timedelta(hours=24), now)
    assert HistoryView(("3001",), "90d").window(now=now, tz=UTC) == (now - timedelta(days=90), now)


def test_custom_days_are_the_viewers_days_and_never_reach_past_now() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    view = HistoryView(("3001",), CUSTOM, date(2025, 11, 1), date(2025, 11, 2))
    later = datetime(2025, 12, 1, tzinfo=UTC)
    start, end = view.window(now=later, tz=berlin)
    assert (start, end) == (datetime(2025, 10, 31, 23, tzinfo=UTC), datetime(2025, 11, 2, 23, tzinfo=UTC))
    during = datetime(2025, 11, 2, 12, tzinfo=UTC)
    assert view.window(now=during, tz=berlin)[1] == during
