import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import plotly.graph_objects as go

from services.health import coverage
from services.health.history import Stretch
from ui import charts

T0 = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
WINDOW = (T0, T0 + timedelta(hours=3))
LABELS = {"301": "Jasper's Market +1 631-555-0101", "302": "Lucky Shrub +1 415-555-0104"}
TOLERANCE = timedelta(minutes=7, seconds=30)


def _stretch(number: str, start_min: int, end_min: int, gap_after: bool = False, **health: str) -> Stretch:
    values = {"quality_rating": "GREEN", "throughput_level": "STANDARD", "messaging_limit": "TIER_10K"}
    values |= {"status": "CONNECTED", "can_send": "AVAILABLE"} | health
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
        _stretch("301", 60, 70, quality_rating="RED", status="FLAGGED", messaging_limit="TIER_2K", can_send="LIMITED"),
    ],
    "302": [_stretch("302", 30, 120, quality_rating="NA", throughput_level="NOT_APPLICABLE", can_send="BLOCKED")],
}


def _coverage(grouped: dict[str, list[Stretch]] = GROUPED, **began: datetime) -> coverage.Coverage:
    return coverage.coverage(
        [s for stretches in grouped.values() for s in stretches],
        numbers=list(grouped),
        start=WINDOW[0],
        end=WINDOW[1],
        began={number: began.get(f"n{number}", WINDOW[0]) for number in grouped},
        tolerance=TOLERANCE,
    )


def _spec(figure: go.Figure) -> dict[str, Any]:
    return json.loads(figure.to_json())


def _figure(tz: Any = UTC, **began: datetime) -> dict[str, Any]:
    return _spec(charts.history_figure(GROUPED, LABELS, window=WINDOW, tz=tz, coverage=_coverage(**began)))


def _bands(spec: dict[str, Any], *, axis: str = "y", name: str | None = None) -> list[tuple[str, str, str, str]]:
    """(lane, start, text, fill colour) of every bar on one number's subplot (`y`, `y2`...), by lane then time."""
    found = []
    for trace in spec["data"]:
        if trace["type"] != "bar" or trace.get("yaxis", "y") != axis or (name and trace["name"] != name):
            continue
        for lane, start, text in zip(trace["y"], trace["base"], trace["text"], strict=True):
            found.append((lane, start, text, trace["marker"]["color"]))
    return sorted(found, key=lambda band: (charts.LANES.index(band[0]), band[1]))


def test_one_figure_shares_one_time_axis_every_subplot_matching_the_first() -> None:
    spec = _figure()
    layout = spec["layout"]
    axes = sorted(key for key in layout if key.startswith("xaxis"))
    assert axes == ["xaxis", "xaxis2"]  # one subplot per number
    assert "matches" not in layout["xaxis"]
    assert all(layout[axis]["matches"] == "x" for axis in axes[1:])
    assert all(layout[axis]["range"] == ["2025-11-20T12:00:00", "2025-11-20T15:00:00"] for axis in axes)
    assert all(layout[axis]["domain"] == [0.0, 1.0] for axis in axes)  # the same left and right edges
    # Each number is a small multiple, titled with the number; each has a lane per field.
    assert [a["text"] for a in layout["annotations"]] == [LABELS["301"], LABELS["302"]]
    for y in ("yaxis", "yaxis2"):
        assert layout[y]["categoryarray"] == ["Quality", "Throughput", "Can send", "Limit"]
        assert layout[y]["type"] == "category" and layout[y]["autorange"] == "reversed"


def test_colour_is_the_rating_in_every_lane_that_rates_with_the_words_in_the_band() -> None:
    spec = _figure()
    green, yellow, red, grey = (charts.RATING_COLOURS[t] for t in ("good", "medium", "bad", "unknown"))
    jasper = [band for band in _bands(spec) if band[2] and not band[2].startswith("Not observed")]
    assert jasper == [
        ("Quality", "2025-11-20T12:00:00", "Green · high", green),
        ("Quality", "2025-11-20T12:15:00", "Yellow · medium", yellow),
        ("Quality", "2025-11-20T13:00:00", "Red · low", red),
        ("Throughput", "2025-11-20T12:00:00", "Standard · 80 messages/s", charts.FACT_COLOUR),
        ("Throughput", "2025-11-20T12:15:00", "High · 1,000 messages/s", charts.FACT_COLOUR),
        ("Throughput", "2025-11-20T13:00:00", "Standard · 80 messages/s", charts.FACT_COLOUR),
        # Unchanged across the first two stretches: one band. Limited, and Flagged, are "at risk": yellow.
        ("Can send", "2025-11-20T12:00:00", "Can send · Connected", green),
        ("Can send", "2025-11-20T13:00:00", "Limited · Flagged (retired state)", yellow),
        ("Limit", "2025-11-20T12:00:00", "10,000 customers a day", charts.FACT_COLOUR),
        ("Limit", "2025-11-20T13:00:00", "2,000 customers a day", charts.FACT_COLOUR),
    ]
    lucky = [band for band in _bands(spec, axis="y2") if band[0] in ("Quality", "Can send") and band[3] != "#ffffff"]
    assert lucky == [
        ("Quality", "2025-11-20T12:30:00", "Not yet rated", grey),
        ("Can send", "2025-11-20T12:30:00", "Blocked · Connected", red),
    ]
    # The legend names what a colour means, once per colour, never a number.
    legend = [trace["name"] for trace in spec["data"] if trace.get("showlegend")]
    assert legend == ["High · can send", "Medium · at risk", "Low · blocked", "Not observed", "Not rated"]
    bar_widths = {t["x"][0] for t in spec["data"] if t["type"] == "bar" and t["base"][0] == "2025-11-20T12:00:00"}
    assert 15 * 60_000 in bar_widths  # widths are milliseconds on the time axis


def test_band_labels_that_do_not_fit_are_hidden_not_overlapped_and_hover_says_it_all() -> None:
    spec = _figure()
    assert spec["layout"]["uniformtext"] == {"mode": "hide", "minsize": charts.MIN_LABEL_PX}
    assert spec["layout"]["barmode"] == "overlay"
    bars = [trace for trace in spec["data"] if trace["type"] == "bar"]
    assert all(t["textposition"] == "inside" and t["textangle"] == 0 for t in bars)
    yellow = next(t for t in bars if t["name"] == "Medium · at risk")
    assert yellow["customdata"][0] == (
        "Quality: Yellow · medium<br>20 Nov 2025, 12:15 to 20 Nov 2025, 12:25 UTC (10 min)"
    )
    assert yellow["hovertemplate"] == "%{customdata}<extra></extra>"


def test_gaps_are_hatched_bands_with_their_length_and_a_tick_that_shows_at_any_zoom() -> None:
    spec = _figure()
    gaps = [t for t in spec["data"] if t["name"] == "Not observed"]
    hatched = next(t for t in gaps if t["type"] == "bar" and t.get("yaxis", "y") == "y")
    assert hatched["marker"]["pattern"]["shape"] == "/"
    assert hatched["base"][:4] == ["2025-11-20T12:25:00"] * 4  # one band per lane
    assert hatched["x"][0] == 35 * 60_000
    assert hatched["text"][:4] == ["Not observed · 35 min", "", "", ""]
    assert (
        hatched["customdata"][0] == "Not observed for 35 min<br>20 Nov 2025, 12:25 to 20 Nov 2025, 13:00 UTC (35 min)"
    )
    # After the last poll at 13:10 the range runs on to 15:00 unobserved: a gap too.
    assert hatched["base"][4] == "2025-11-20T13:10:00" and hatched["text"][4] == "Not observed · 1 h 50 min"
    assert not [t for t in gaps if t["type"] == "scatter"]  # over 3 hours, 35 minutes are wide enough to see
    # Over a week the 35 minutes would be a pixel or two: a tick marks them (and only them).
    week = (T0, T0 + timedelta(days=7))
    found = coverage.coverage(
        GROUPED["301"], numbers=["301"], start=week[0], end=week[1], began={"301": T0}, tolerance=TOLERANCE
    )
    spec = _spec(charts.history_figure({"301": GROUPED["301"]}, LABELS, window=week, tz=UTC, coverage=found))
    (ticks,) = [t for t in spec["data"] if t["name"] == "Not observed" and t["type"] == "scatter"]
    assert ticks["marker"]["symbol"] == "line-ns-open"
    assert ticks["x"] == ["2025-11-20T12:42:30"] * 4 and ticks["y"] == list(charts.LANES)
    assert "Not observed for 35 min" in ticks["customdata"][0]
    # 302 was watched before the range began, but not in its first half hour: a gap; observed 12:30 to 14:00.
    lucky = next(t for t in gaps if t["type"] == "bar" and t.get("yaxis") == "y2")
    assert (lucky["base"][0], lucky["x"][0]) == ("2025-11-20T12:00:00", 30 * 60_000)


def test_the_time_before_history_began_is_labelled_and_is_no_gap() -> None:
    spec = _figure(n302=T0 + timedelta(minutes=30))
    words = "No history before 20 Nov 2025, 12:30 UTC"
    before = [t for t in spec["data"] if t["name"] == words]
    assert len(before) == 1 and before[0]["yaxis"] == "y2"
    assert before[0]["base"] == ["2025-11-20T12:00:00"] * 4 and before[0]["x"] == [30 * 60_000] * 4
    assert before[0]["text"] == [words, "", "", ""] and before[0]["customdata"] == [words] * 4
    lucky_gaps = [t for t in spec["data"] if t["name"] == "Not observed" and t.get("yaxis") == "y2"]
    assert [t["base"] for t in lucky_gaps if t["type"] == "bar"] == [["2025-11-20T14:00:00"] * 4]


def test_times_are_drawn_on_the_viewers_wall_clock_and_the_axis_says_which_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    spec = _figure(tz=berlin)
    assert _bands(spec)[0][1] == "2025-11-20T13:00:00"
    assert spec["layout"]["xaxis2"]["title"]["text"] == "Time (Europe/Berlin)"
    assert spec["layout"]["xaxis"]["range"] == ["2025-11-20T13:00:00", "2025-11-20T16:00:00"]
    assert "CET" in next(t for t in spec["data"] if t["type"] == "bar")["customdata"][0]
    assert _figure()["layout"]["xaxis2"]["title"]["text"] == "Time (UTC)"


def test_the_figure_for_one_number_needs_no_coverage_and_grows_with_the_numbers() -> None:
    one = _spec(charts.history_figure({"301": GROUPED["301"]}, LABELS, window=WINDOW, tz=UTC))
    assert sorted(key for key in one["layout"] if key.startswith("xaxis")) == ["xaxis"]
    assert [a["text"] for a in one["layout"]["annotations"]] == [LABELS["301"]]
    gaps = [t for t in one["data"] if t["name"] == "Not observed" and t["type"] == "bar"]
    assert gaps[0]["base"][0] == "2025-11-20T12:25:00"  # the break between its stretches is a gap
    assert _figure()["layout"]["height"] > one["layout"]["height"]


def test_an_empty_selection_draws_an_empty_figure() -> None:
    assert _spec(charts.history_figure({}, LABELS, window=WINDOW, tz=UTC))["data"] == []


HOSTILE = '<a xlink:href="javascript:alert(1)">x</a> <b>bold</b> &amp; <br>'
ESCAPED = '&lt;a xlink:href="javascript:alert(1)"&gt;x&lt;/a&gt; &lt;b&gt;bold&lt;/b&gt; &amp;amp; &lt;br&gt;'


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_names_and_meta_values_are_html_escaped_in_every_figure() -> None:
    """Plotly draws <a xlink:href>, <b> and entities in titles, text and hover text: ours show as typed."""
    hostile = {"301": [_stretch("301", 0, 15, status=HOSTILE, messaging_limit=HOSTILE)]}
    spec = _spec(charts.history_figure(hostile, {"301": HOSTILE}, window=WINDOW, tz=UTC))
    assert spec["layout"]["annotations"][0]["text"] == ESCAPED
    # The only tags are our own line breaks and <extra>: every free value is escaped.
    tags = {s for s in _strings(spec) if "<" in s}
    assert all("<" not in s.replace("<br>", "").replace("<extra></extra>", "") for s in tags), tags
    unknown = f"Not known to the console ({ESCAPED})"
    texts = {text for trace in spec["data"] for text in trace.get("text") or []}
    assert unknown in texts and f"Not reported · {unknown}" not in texts
    assert f"Can send · {unknown}" in texts


def test_a_value_seen_by_one_poll_only_is_a_square_in_its_rating_colour() -> None:
    once = {"301": [_stretch("301", 30, 30, quality_rating="RED")]}
    spec = _spec(charts.history_figure(once, LABELS, window=WINDOW, tz=UTC))
    (point,) = [t for t in spec["data"] if t["name"] == "Seen once"]
    assert point["y"] == list(charts.LANES) and point["x"] == ["2025-11-20T12:30:00"] * 4
    assert point["marker"]["color"][0] == charts.RATING_COLOURS["bad"]
    assert point["customdata"][0] == "Quality: Red · low<br>Seen once, 20 Nov 2025, 12:30 UTC"
    assert not [t for t in spec["data"] if t["type"] == "bar" and t["name"] in charts.RATING_LEGEND.values()]
