"""The monitoring page in a real browser, at 1440x900 and on a phone (390x844).

CONSOLE_SCREENSHOTS=1 refreshes docs/screenshots/monitoring-1440.png and monitoring-390.png.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.console_page import SCREENSHOTS, ConsolePage, screenshots_wanted

pytestmark = pytest.mark.e2e

BAKERY, BAKERY_ID = "Jasper's Bakery +1 631-555-0103", "3000000000000103"
AURORA, AURORA_ID = "Aurora Coffee +1 212-555-0106", "3000000000000106"
DESKTOP, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}
# What the page's Plotly figure draws, read from Plotly's own layout: every x axis, the number titles, the traces.
FIGURE = """() => Array.from(document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")).map(g => {
    const L = g._fullLayout;
    const axes = Object.keys(L).filter(k => /^xaxis\\d*$/.test(k)).sort().map(k => ({
        name: k, domain: L[k].domain, range: L[k].range.map(String), px: [L[k]._offset, L[k]._length],
        matches: (g.layout[k] || {}).matches || null,
    }));
    const box = g.getBoundingClientRect();
    return {
        axes,
        titles: (L.annotations || []).map(a => a.text),
        names: g.data.map(t => t.name),
        bars: g.data.filter(t => t.type === "bar").reduce((n, t) => n + (t.x || []).length, 0),
        days: (new Date(L.xaxis.range[1]) - new Date(L.xaxis.range[0])) / 86400000,
        left: box.left, right: box.right, width: L.width,
        labels: shown(g).map(t => t.textContent),
        overlapping_labels: overlaps(shown(g)),
    };
    function shown(g) {
        return Array.from(g.querySelectorAll("text.bartext")).filter(t => t.style.display !== "none" && t.textContent);
    }
    function overlaps(texts) {
        const boxes = texts.map(t => t.getBoundingClientRect());
        let n = 0;
        boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
            if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) n++;
        }));
        return n;
    }
})"""


def _figure(console: ConsolePage) -> dict[str, Any]:
    figures = console.page.evaluate(FIGURE)
    assert len(figures) == 1, f"one figure for every field and number, the page has {len(figures)}"
    return figures[0]


def _assert_one_time_axis(figure: dict[str, Any]) -> None:
    """Every subplot's time axis is the first one: the same range, domain and pixels, so the times line up."""
    first, *others = figure["axes"]
    assert others, "one subplot per number"
    for axis in others:
        assert axis["matches"] == "x", axis
        assert (axis["range"], axis["domain"], axis["px"]) == (first["range"], first["domain"], first["px"]), axis


def _shot(console: ConsolePage, name: str) -> None:
    """Save the whole page (the viewport grown to the content) as docs/screenshots/<name>.png when wanted."""
    if not screenshots_wanted():
        return
    viewport = console.page.viewport_size or DESKTOP
    console.page.mouse.move(0, 0)
    height = console.page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    console.page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], int(height))})
    console.settle()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, animations="disabled")
    console.page.set_viewport_size(viewport)
    console.settle()


def test_one_figure_with_one_time_axis_follows_the_numbers_and_range_and_a_deep_link_opens_the_same_view(
    console: ConsolePage,
) -> None:
    console.page.set_viewport_size(DESKTOP)
    console.open("Monitoring")
    console.button("Clear all").click()
    expect(console.main.get_by_text("Pick one or more phone numbers to see their history.")).to_be_visible()
    console.settle()
    for number in (BAKERY, AURORA):
        console.choose("Phone numbers", number)
        console.page.keyboard.press("Escape")
    console.button("Poll now").click()
    finished = re.compile(r"^Poll finished: \d+ numbers read through \d+ API credentials\.$")
    expect(console.main.get_by_text(finished)).to_be_visible()
    console.settle()

    week = _figure(console)
    _assert_one_time_axis(week)
    assert week["titles"][:2] == [BAKERY, AURORA]
    assert round(week["days"]) == 7 and week["bars"] > 8
    assert week["overlapping_labels"] == 0
    expect(console.main.get_by_text(re.compile(r"^Observed (all|[\d.]+%) of the range; "))).to_be_visible()

    # The range control fits its column: every option, "Custom" too, inside the column's right edge.
    column = console.main.get_by_test_id("stColumn").filter(has=console.page.get_by_test_id("stButtonGroup"))
    right = column.bounding_box()["x"] + column.bounding_box()["width"]  # type: ignore[index]
    for option in ("24 h", "7 d", "30 d", "90 d", "Custom"):
        box = console.main.get_by_role("radio", name=option).bounding_box()
        assert box is not None and box["x"] + box["width"] <= right + 0.5, f"{option} overflows its column"

    for span, days in (("30 d", 30), ("90 d", 90)):
        console.main.get_by_role("radio", name=span).click()
        expect(console.main.get_by_role("radio", name=span)).to_be_checked()
        console.settle()
        shown = _figure(console)
        _assert_one_time_axis(shown)
        assert round(shown["days"]) == days
        assert shown["overlapping_labels"] == 0, f"{span}: band labels overlap"
    # Both numbers' history began on the same day (the demo's), so the sentence names neither.
    began = re.compile(r"No history before \d+ \w{3} \d{4}\.")
    expect(console.main.get_by_test_id("stMarkdown").filter(has_text=began)).to_be_visible()
    assert re.search(rf"numbers={BAKERY_ID}(%2C|,){AURORA_ID}&range=90d", console.page.url), console.page.url
    _shot(console, "monitoring-1440")

    console.main.get_by_role("radio", name="Custom").click()
    console.settle()
    expect(console.main.get_by_test_id("stDateInput").filter(has_text="Days (inclusive)")).to_be_visible()
    custom = _figure(console)
    _assert_one_time_axis(custom)
    assert 6 <= round(custom["days"]) <= 7  # the last seven days, today to now
    assert "range=custom" in console.page.url

    console.open(f"Monitoring?numbers={BAKERY_ID},{AURORA_ID}&range=30d")
    expect(console.main.get_by_role("button", name=f"Remove {BAKERY}")).to_be_visible()
    expect(console.main.get_by_role("radio", name="30 d")).to_be_checked()
    month = _figure(console)
    _assert_one_time_axis(month)
    assert round(month["days"]) == 30


def test_on_a_phone_the_number_health_and_can_send_come_first_and_the_chart_fits(console: ConsolePage) -> None:
    console.page.set_viewport_size(PHONE)
    console.open(f"Monitoring?numbers={BAKERY_ID}&range=30d")
    card = console.main.get_by_text(re.compile(r"^(⛔|🟠|🟡|❔|✅) (Blocked|At risk|Watch|Unknown|OK) · ")).first
    expect(card).to_be_visible()
    chart = console.main.get_by_test_id("stPlotlyChart")
    expect(chart).to_be_visible()
    assert card.bounding_box()["y"] < console.main.get_by_text("Range").first.bounding_box()["y"]  # type: ignore[index]
    figure = _figure(console)
    assert figure["left"] >= 0 and figure["right"] <= PHONE["width"], figure
    assert figure["width"] <= PHONE["width"]
    assert figure["overlapping_labels"] == 0
    assert figure["titles"][0] == BAKERY
    assert "Can send · Connected" in figure["labels"], figure["labels"]  # a band wide enough keeps its label
    _shot(console, "monitoring-390")
