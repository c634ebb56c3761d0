import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import plotly.graph_objects as go

from services.health.history import Stretch
from services.health.model import Severity
from ui import charts

T0 = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
WINDOW = (T0 - timedelta(hours=1), T0 + timedelta(hours=3))
LABELS = {"301": "Jasper's Market +1 631-555-0101", "302": "Lucky Shrub +1 415-555-0104"}


def _stretch(number: str, start_min: int, end_min: int, gap_after: bool = False, **health: str) -> Stretch:
    values = {"quality_rating": "GREEN", "throughput_level": "STANDARD", "messaging_limit": "TIER_10K"}
    values |= {"status": "CONNECTED"} | health
    return Stretch(
        phone_number_id=number,
        start=T0 + timedelta(minutes=start_min),
        end=T0 + timedelta(minutes=end_min),
        gap_after=gap_after,
        verified_name="",
        **values,  # type: ignore[arg-type]
    )


GROUPED = {
    "301": [
        _stretch("301", 0, 15),
        _stretch("301", 15, 25, gap_after=True, quality_rating="YELLOW", throughput_level="HIGH"),
        _stretch("301", 60, 70, quality_rating="RED", status="FLAGGED", messaging_limit="TIER_2K"),
    ],
    "302": [_stretch("302", 0, 70, quality_rating="NA", throughput_level="NOT_APPLICABLE")],
}


def _spec(figure: go.Figure) -> dict[str, Any]:
    return json.loads(figure.to_json())


def test_quality_is_a_step_line_per_number_on_an_ordered_categorical_axis_with_open_gaps() -> None:
    spec = _spec(charts.quality_figure(GROUPED, labels=LABELS, tz=UTC, window=WINDOW))
    jasper, lucky = spec["data"]
    assert jasper["name"] == LABELS["301"]
    assert jasper["x"] == [
        "2025-11-20T12:00:00",
        "2025-11-20T12:15:00",
        "2025-11-20T12:25:00",
        "2025-11-20T12:25:00",
        "2025-11-20T13:00:00",
        "2025-11-20T13:10:00",
    ]
    assert jasper["y"] == ["GREEN", "YELLOW", "YELLOW", None, "RED", "RED"]
    assert jasper["line"]["shape"] == "hv" and jasper["connectgaps"] is False
    green, yellow, red = (charts.RATING_COLOURS[c] for c in ("GREEN", "YELLOW", "RED"))
    assert jasper["marker"]["color"][:3] == [green, yellow, yellow] and jasper["marker"]["color"][-1] == red
    assert lucky["y"] == ["Not rated", "Not rated"]
    axis = spec["layout"]["yaxis"]
    assert axis["type"] == "category" and axis["categoryorder"] == "array"
    assert axis["categoryarray"] == ["Not rated", "RED", "YELLOW", "GREEN"]


def test_throughput_is_drawn_in_messages_per_second() -> None:
    spec = _spec(charts.throughput_figure(GROUPED, labels=LABELS, tz=UTC, window=WINDOW))
    jasper, lucky = spec["data"]
    assert jasper["y"] == [80, 1000, 1000, None, 80, 80]
    assert jasper["line"]["shape"] == "hv"
    assert lucky["y"] == [0, 0]
    assert spec["layout"]["yaxis"]["tickvals"] == [0, 80, 1000]


def test_the_not_applicable_tick_shows_only_when_a_number_is_not_on_the_cloud_api() -> None:
    cloud_only = {"301": GROUPED["301"]}
    axis = _spec(charts.throughput_figure(cloud_only, labels=LABELS, tz=UTC, window=WINDOW))["layout"]["yaxis"]
    assert axis["tickvals"] == [80, 1000] and axis["title"]["text"] == "messages/s"


def test_times_are_drawn_on_the_viewers_wall_clock_and_the_axis_says_which_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    spec = _spec(charts.quality_figure(GROUPED, labels=LABELS, tz=berlin, window=WINDOW))
    assert spec["data"][0]["x"][0] == "2025-11-20T13:00:00"
    assert spec["layout"]["xaxis"]["title"]["text"] == "Time (Europe/Berlin)"
    assert spec["layout"]["xaxis"]["range"] == ["2025-11-20T12:00:00", "2025-11-20T16:00:00"]
    in_utc = _spec(charts.quality_figure(GROUPED, labels=LABELS, tz=UTC, window=WINDOW))
    assert in_utc["layout"]["xaxis"]["title"]["text"] == "Time (UTC)"


def test_the_timeline_marks_the_starting_limit_and_status_then_each_change() -> None:
    spec = _spec(charts.timeline_figure(GROUPED, labels=LABELS, tz=UTC, window=WINDOW))
    jasper, lucky = spec["data"]
    assert jasper["x"] == ["2025-11-20T12:00:00", "2025-11-20T13:00:00"]
    assert jasper["text"] == [
        "Not reported · 10,000 customers a day · Connected",
        "limit → 2,000 customers a day, status → Flagged (retired state)",
    ]
    assert jasper["textposition"] == ["top right", "top right"]
    assert jasper["y"] == [LABELS["301"], LABELS["301"]]
    assert lucky["text"] == ["Not reported · 10,000 customers a day · Connected"]


def test_an_empty_selection_draws_no_traces() -> None:
    assert _spec(charts.quality_figure({}, labels=LABELS, tz=UTC, window=WINDOW))["data"] == []


def test_the_daily_strip_has_one_square_per_day_coloured_by_its_worst_severity() -> None:
    days = [Severity.OK, Severity.WATCH, Severity.AT_RISK, Severity.BLOCKED, Severity.UNKNOWN, None]
    assert charts.severity_strip(days) == "🟩🟨🟧🟥⬜▫️"


HOSTILE = '<a xlink:href="javascript:alert(1)">x</a> <b>bold</b> &amp; <br>'
ESCAPED = '&lt;a xlink:href="javascript:alert(1)"&gt;x&lt;/a&gt; &lt;b&gt;bold&lt;/b&gt; &amp;amp; &lt;br&gt;'
HOSTILE_GROUPED = {
    "301": [
        _stretch("301", 0, 15, status=HOSTILE, messaging_limit=HOSTILE),
        _stretch("301", 15, 25, status="CONNECTED", messaging_limit=HOSTILE + "2"),
    ]
}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_names_and_meta_values_are_html_escaped_in_every_figure() -> None:
    """Plotly draws <a xlink:href>, <b> and entities in names, categories, text and hover text: ours show as typed."""
    labels = {"301": HOSTILE}
    figures = {
        build.__name__: _spec(build(HOSTILE_GROUPED, labels=labels, tz=UTC, window=WINDOW))
        for build in (charts.quality_figure, charts.throughput_figure, charts.timeline_figure)
    }
    for spec in figures.values():
        assert spec["data"][0]["name"] == ESCAPED
        # The only tags are the hover templates' own line break and <extra>; every free value they show is escaped.
        tags = {s for s in _strings(spec) if "<" in s}
        assert all(s.startswith("%{") and "<a" not in s and "<b>" not in s for s in tags), tags
    timeline = figures["timeline_figure"]["data"][0]
    assert timeline["y"] == [ESCAPED, ESCAPED]
    unknown = f"Not known to the console ({ESCAPED})"
    assert timeline["text"][0] == f"Not reported · {unknown} · {unknown}"
    assert timeline["text"][1] == f"limit → Not known to the console ({ESCAPED}2), status → Connected"
    assert timeline["hovertemplate"] == "%{y}<br>%{x}<br>%{text}<extra></extra>"  # hover shows the escaped y and text
