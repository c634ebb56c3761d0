import html
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from sqlmodel import Session, col, update
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.credentials import lifecycle as credentials
from services.health import history
from services.runtime import open_console, open_store
from services.simulator.demo import JASPERS, JASPERS_WABA
from services.store.models import HealthInterval, PhoneNumber
from tests.fixtures.simulator import ServedSimulator
from tests.health_history import every_poll, minutes, number, record
from tests.markdown import seen
from tests.resilience.markup import markdown_literal
from ui import charts

PAGE = "../../pages/3_Monitoring.py"
# Whole minutes, so the page's clock (a little later) sees the same history inside its window.
BASE = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=3)


def _wall(*offsets: float) -> list[str]:
    """How plotly's spec writes these minutes after BASE (UTC wall clock, no offset)."""
    return [at.strftime("%Y-%m-%dT%H:%M:%S") for at in minutes(*offsets, start=BASE)]


@pytest.fixture
def recorded(console_env: dict[str, str]) -> None:
    """301 GREEN, dips to YELLOW and goes unwatched; 302 HIGH throughput, then FLAGGED on a lower limit."""
    with Session(open_store()) as session:
        record(
            session,
            every_poll(*minutes(0, 10, start=BASE), number("301"), number("302", throughput="HIGH"))
            + every_poll(
                *minutes(15, 25, start=BASE),
                number("301", "YELLOW"),
                number("302", "RED", throughput="HIGH", limit="TIER_2K", status="FLAGGED"),
            )
            + every_poll(*minutes(60, 70, start=BASE), number("301"), number("302", "RED", limit="TIER_2K")),
        )


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[MemoryMediaFileStorage]]:
    """The media stores AppTest runs put download_button data into (AppTest drops them after each run)."""
    stores: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, media_endpoint: str) -> None:
            super().__init__(media_endpoint)
            stores.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    yield stores


def _page(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["signed_in_actor"] = Actor(email="ops@example.com", role="viewer")
    for name, value in params.items():
        at.query_params[name] = value
    return at


def _figures(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


VALUE_TRACES = {*charts.RATING_LEGEND.values(), charts.FACT_NAME}  # not the gaps, not the time before history


def _bands(figure: dict[str, Any], *, axis: str = "y", lane: str | None = None) -> list[tuple[str, str, str]]:
    """(lane, start, text) of every bar drawn on one number's subplot, by lane then time."""
    found = [
        (y, base, text)
        for trace in figure["data"]
        if trace["type"] == "bar" and trace.get("yaxis", "y") == axis and trace["name"] in VALUE_TRACES
        for y, base, text in zip(trace["y"], trace["base"], trace["text"], strict=True)
        if lane is None or y == lane
    ]
    return sorted(found, key=lambda band: (band[0], band[1]))


def _gap_starts(figure: dict[str, Any], *, axis: str = "y") -> list[str]:
    return [
        base
        for trace in figure["data"]
        if trace["type"] == "bar" and trace["name"] == "Not observed" and trace.get("yaxis", "y") == axis
        for y, base in zip(trace["y"], trace["base"], strict=True)
        if y == "Quality"
    ]


def test_one_figure_holds_exactly_the_recorded_health_per_number_on_one_time_axis(recorded: None) -> None:
    at = _page(numbers="301,302", range="24h").run()
    assert not at.exception
    (figure,) = _figures(at)
    layout = figure["layout"]
    assert layout["xaxis2"]["matches"] == "x" and layout["xaxis"]["range"] == layout["xaxis2"]["range"]
    assert [a["text"] for a in layout["annotations"]] == [
        "Jasper's Market +1 631-555-0101",
        "Jasper's Ice Cream +1 631-555-0102",
    ]
    assert layout["xaxis2"]["title"]["text"] == "Time (UTC)"
    at0, at15, at60 = _wall(0, 15, 60)
    assert _bands(figure, lane="Quality") == [
        ("Quality", at0, "Green · high"),
        ("Quality", at15, "Yellow · medium"),
        ("Quality", at60, "Green · high"),
    ]
    # Nobody looked from 25 to 60, nor since the last poll at 70 (the page's clock is hours later).
    assert _gap_starts(figure) == _wall(25, 70)
    assert _bands(figure, axis="y2", lane="Throughput") == [
        ("Throughput", at0, "High · 1,000 messages/s"),
        ("Throughput", at60, "Standard · 80 messages/s"),
    ]
    assert _bands(figure, axis="y2", lane="Limit") == [
        ("Limit", at0, "10,000 customers a day"),
        ("Limit", at15, "2,000 customers a day"),
        ("Limit", at60, "2,000 customers a day"),
    ]
    assert [text for *_, text in _bands(figure, axis="y2", lane="Can send")] == [
        "Can send · Connected",
        "Can send · Flagged (retired state)",
        "Can send · Connected",
    ]


def test_a_summary_says_how_much_of_the_range_was_observed_and_since_when(recorded: None) -> None:
    # The longest gap is the one since the last poll (BASE + 70 min), so it grows with the suite's running time.
    earliest = datetime.now(UTC) - BASE - timedelta(minutes=70)
    at = _page(numbers="301", range="24h").run()
    latest = datetime.now(UTC) - BASE - timedelta(minutes=70)
    summary = next(seen(m.value) for m in at.markdown if seen(m.value).startswith("Observed "))
    found = re.fullmatch(
        # A whole number of hours is said without minutes ("2 h").
        r"Observed \d+(\.\d)?% of the range; 2 gaps, longest (\d+) h(?: (\d+) min)?\. "
        r"No history before \d+ \w{3} \d{4}, \d\d:\d\d UTC\.",
        summary,
    )
    assert found, summary
    longest = timedelta(hours=int(found[2]), minutes=int(found[3] or 0))
    assert earliest - timedelta(minutes=1) <= longest <= latest + timedelta(minutes=1), summary
    before = next(t for t in _figures(at)[0]["data"] if t["name"].startswith("No history before"))
    assert before["base"][0] < _wall(0)[0]


def test_the_changes_read_as_sentences_newest_first(recorded: None) -> None:
    at = _page(numbers="301", range="24h").run()
    changes = at.dataframe[0].value
    assert [sentence.split(" on ")[0].split(" between ")[0] for sentence in changes["Change"]] == [
        "quality rose from Yellow · medium to Green · high",
        "quality dropped from Green · high to Yellow · medium",
    ]
    assert "(not monitored)" in changes["Change"].iloc[0]


def test_the_csv_is_exactly_the_history_shown(recorded: None, downloads: list[MemoryMediaFileStorage]) -> None:
    at = _page(numbers="302,301", range="7d").run()
    button = at.download_button(key="monitoring_csv")
    csv = downloads[-1].get_file(button.proto.url.rsplit("/", 1)[-1]).content.decode()
    downloaded = pd.read_csv(io.StringIO(csv), dtype=str, keep_default_na=False)

    start, end = BASE - timedelta(days=1), datetime.now(UTC)
    with Session(open_store()) as session:
        rows = history.read(session=session, phone_number_ids=["302", "301"], start=start, end=end)
    expected = history.stretches(rows, start=start, end=end)
    assert len(downloaded) == len(expected) == 6
    assert list(downloaded.columns) == [
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
    assert list(downloaded["Phone number ID"]) == [s.phone_number_id for s in expected]
    assert [datetime.fromisoformat(t) for t in downloaded["From"]] == [s.start for s in expected]
    assert [datetime.fromisoformat(t) for t in downloaded["To"]] == [s.end for s in expected]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", t) for t in downloaded["From"])
    assert list(downloaded["Quality"][:3]) == ["Green · high", "Yellow · medium", "Green · high"]
    assert list(downloaded["Messages per second"]) == ["80", "80", "80", "1000", "1000", "80"]
    assert list(downloaded["Status"]) == ["Connected"] * 4 + ["Flagged (retired state)", "Connected"]
    assert list(downloaded["Messaging limit"][3:]) == ["10,000 customers a day"] + ["2,000 customers a day"] * 2
    assert list(downloaded["Not observed after"][:3]) == ["", "35 min", downloaded["Not observed after"][2]]
    assert re.fullmatch(r"\d+ (h|d)( .*)?", downloaded["Not observed after"][2])  # from the last poll to now
    csv_words = csv.split("\n", 1)[1]
    assert not re.search(r"TIER_|CONNECTED|FLAGGED|GREEN|STANDARD|AVAILABLE|gap_after", csv_words)
    shown = at.dataframe[1].value
    assert list(shown.columns) == list(downloaded.columns)
    assert list(shown["Quality"]) == list(downloaded["Quality"])
    assert button.proto.label == "Download CSV"
    assert any("ISO 8601" in c.value for c in at.caption)


def test_current_state_cards_show_each_selected_number(recorded: None) -> None:
    at = _page(numbers="302", range="24h").run()
    cards = [seen(m.value) for m in at.markdown]
    assert "**Jasper's Ice Cream**  \n+1 631-555-0102" in cards
    assert "🟠 **At risk** · Can send · :red-badge[Red · low]" in cards
    captions = [seen(c.value) for c in at.caption]
    assert any("Limit 2,000 customers a day" in c and "Connected" in c for c in captions)
    assert any(c.startswith("Has low quality (red)") for c in captions)
    assert not any("TIER_" in c for c in captions)


def test_without_a_link_the_worst_number_opens_and_the_url_follows_the_widgets(recorded: None) -> None:
    at = _page().run()
    assert dict(at.query_params) == {"numbers": "302", "range": "7d"}  # 302 is RED
    at.multiselect(key="monitoring_numbers").set_value(["302", "301"]).run()
    at.segmented_control(key="monitoring_range").set_value("30d").run()
    assert dict(at.query_params) == {"numbers": "302,301", "range": "30d"}
    at.segmented_control(key="monitoring_range").set_value("custom").run()
    today = datetime.now(UTC).date()
    at.date_input(key="monitoring_days").set_value((today - timedelta(days=1), today)).run()
    assert not at.exception
    assert at.query_params["start"] == (today - timedelta(days=1)).isoformat()
    assert at.query_params["end"] == today.isoformat()
    assert len(_figures(at)) == 1


def test_a_link_opens_the_same_view(recorded: None) -> None:
    at = _page(numbers="302", range="custom", start=BASE.date().isoformat(), end=BASE.date().isoformat()).run()
    assert at.multiselect(key="monitoring_numbers").value == ["302"]
    assert at.segmented_control(key="monitoring_range").value == "custom"
    assert at.date_input(key="monitoring_days").value == (BASE.date(), BASE.date())
    assert not at.warning


def test_a_broken_link_falls_back_with_a_notice(recorded: None) -> None:
    at = _page(numbers="999,301", range="1y").run()
    assert not at.exception
    assert [seen(w.value) for w in at.warning] == [
        "Not a monitored phone number, left out: 999.",
        "Unknown range '1y'; showing the last 7 d instead.",
    ]
    assert at.multiselect(key="monitoring_numbers").value == ["301"]
    assert len(_figures(at)) == 1


def test_a_backwards_custom_range_says_so_instead_of_drawing(recorded: None) -> None:
    at = _page(numbers="301").run()
    at.segmented_control(key="monitoring_range").set_value("custom").run()
    at.date_input(key="monitoring_days").set_value((date(2025, 11, 10), date(2025, 11, 1))).run()
    assert not at.exception
    assert at.warning[0].value == "The custom range starts (10 Nov 2025) after it ends (01 Nov 2025)."
    assert not at.get("plotly_chart")
    assert "**Jasper's Market**  \n+1 631-555-0101" in [seen(m.value) for m in at.markdown]  # the card stays


def test_times_are_shown_in_the_viewers_time_zone(recorded: None) -> None:
    at = _page(numbers="301", range="24h")
    at.context = {"timezone": "Asia/Kolkata"}
    at.run()
    figure = _figures(at)[0]
    assert figure["layout"]["xaxis"]["title"]["text"] == "Time (Asia/Kolkata)"
    kolkata = [
        (datetime.fromisoformat(base) - timedelta(hours=5, minutes=30)).strftime("%Y-%m-%dT%H:%M:%S")
        for _, base, _ in _bands(figure, lane="Quality")
    ]
    assert kolkata == _wall(0, 15, 60)
    assert any("IST" in hover for trace in figure["data"] for hover in trace.get("customdata") or [])
    assert any("Times in the table are in Asia/Kolkata" in c.value for c in at.caption)


def test_auto_refresh_keeps_drawing_the_charts(recorded: None) -> None:
    at = _page(numbers="301", range="24h").run()
    at.toggle(key="monitoring_auto").set_value(True).run()
    assert not at.exception
    assert at.toggle(key="monitoring_auto").value is True
    assert [text for *_, text in _bands(_figures(at)[0], lane="Quality")] == [
        "Green · high",
        "Yellow · medium",
        "Green · high",
    ]


def test_with_nothing_selected_the_page_asks_for_a_number(recorded: None) -> None:
    at = _page(numbers="", range="24h").run()
    assert at.info[0].value == "Pick one or more phone numbers to see their history."
    assert not at.get("plotly_chart")


def test_with_no_numbers_the_page_says_how_to_get_some(console_env: dict[str, str]) -> None:
    at = _page().run()
    assert not at.exception
    assert at.info[0].value.startswith("No phone numbers are monitored yet.")


def test_poll_now_reads_every_number_from_the_graph_api_and_draws_the_new_point(
    console_env: dict[str, str], graph_simulator: ServedSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAPH_API_URL", graph_simulator.url)
    console = open_console()
    connected_at = datetime.now(UTC) - timedelta(minutes=30)
    with Session(console.engine) as session:
        credentials.connect(
            session=session,
            graph=console.graph,
            vault=console.vault,
            actor=Actor(email="lead@example.com", role="admin"),
            token="EAADEMOTOKEN",
            business_id=JASPERS,
            waba_id=JASPERS_WABA,
            phone_number_id="3000000000000101",
            at=connected_at,
        )
    console.graph.close()
    console.engine.dispose()
    at = _page(numbers="3000000000000101", range="24h").run()
    seen_once = [t for t in _figures(at)[0]["data"] if t["name"] == "Seen once"]
    assert [y for t in seen_once for y in t["y"]] == ["Quality", "Throughput", "Can send", "Limit"]  # one poll so far
    calls_before = graph_simulator.simulator.request_count

    at.button[0].click().run()

    assert not at.exception
    assert at.success[0].value.startswith("Poll finished: ") and "through 1 API credentials" in at.success[0].value
    assert graph_simulator.simulator.request_count > calls_before
    figure = _figures(at)[0]
    assert len(_gap_starts(figure)) == 1  # half an hour unwatched, then the poll
    assert [t for t in figure["data"] if t["name"] == "Seen once"]
    assert not at.get("progress")  # the bar is cleared once the poll is done


HOSTILE = "**bold** [link](http://x) $x^2$ :red[red] <b>b</b> #1"


def test_a_link_naming_unknown_numbers_is_echoed_as_typed_not_as_markdown(recorded: None) -> None:
    at = _page(numbers=f"301, {HOSTILE}", range=HOSTILE).run()
    assert not at.exception
    assert [markdown_literal(w.value) for w in at.warning] == [
        f"Not a monitored phone number, left out: {HOSTILE}.",
        f"Unknown range {HOSTILE!r}; showing the last 7 d instead.",
    ]


def test_meta_status_and_limit_show_as_typed_on_the_cards_and_the_timeline(recorded: None) -> None:
    with Session(open_store()) as session:
        for table in (PhoneNumber, HealthInterval):
            key = table.id if table is PhoneNumber else table.phone_number_id
            hostile = update(table).where(col(key) == "302").values(status=HOSTILE, messaging_limit=HOSTILE)
            session.exec(hostile)  # type: ignore[call-overload]
        session.commit()
    at = _page(numbers="302", range="24h").run()
    assert not at.exception
    captions = [markdown_literal(c.value) for c in at.caption]
    unknown = f"Not known to the console ({HOSTILE})"
    assert any(c and c.startswith(f"{unknown} · ") and f"Limit {unknown}" in c for c in captions), captions
    escaped = html.escape(unknown, quote=False)
    figure = _figures(at)[0]
    assert [text for *_, text in _bands(figure, lane="Can send")][0] == f"Can send · {escaped}"
    assert [text for *_, text in _bands(figure, lane="Limit")][0] == escaped


def test_the_number_picker_searches_and_keeps_the_numbers_chosen(recorded: None) -> None:
    at = _page(numbers="302").run()
    picker = at.multiselect(key="monitoring_numbers")
    assert picker.options == ["Jasper's Ice Cream +1 631-555-0102", "Jasper's Market +1 631-555-0101"]
    at.text_input(key="monitoring_search").set_value("0101").run()
    picker = at.multiselect(key="monitoring_numbers")
    assert picker.value == ["302"]  # the chosen number stays, beside the match
    assert picker.options == ["Jasper's Ice Cream +1 631-555-0102", "Jasper's Market +1 631-555-0101"]
    at.text_input(key="monitoring_search").set_value("nobody").run()
    assert at.multiselect(key="monitoring_numbers").options == ["Jasper's Ice Cream +1 631-555-0102"]
    assert "No number matches “nobody”." in [seen(c.value) for c in at.caption]
    assert at.multiselect(key="monitoring_numbers").value == ["302"] and not at.exception
