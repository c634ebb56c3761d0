"""The monitoring page in a real browser (CONSOLE_SCREENSHOTS=1 refreshes docs/screenshots/monitoring.png)."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.console_page import ConsolePage

pytestmark = pytest.mark.e2e

BAKERY, BAKERY_ID = "Jasper's Bakery +1 631-555-0103", "3000000000000103"
AURORA, AURORA_ID = "Aurora Coffee +1 212-555-0106", "3000000000000106"
# What each Plotly chart on the page draws: Plotly keeps the figure on its own element.
CHARTS = """() => Array.from(document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")).map(g => ({
    title: ((g._fullLayout.title || {}).text || "").replace(/<[^>]+>/g, ""),
    traces: g.data.map(t => t.name).sort(),
    points: g.data.reduce((n, t) => n + (t.x || []).length, 0),
    days: (new Date(g._fullLayout.xaxis.range[1]) - new Date(g._fullLayout.xaxis.range[0])) / 86400000,
}))"""


def _charts(console: ConsolePage) -> dict[str, dict[str, Any]]:
    """The quality and throughput charts by title: their traces, number of points and days shown (rounded)."""
    charts = {chart["title"]: chart for chart in console.page.evaluate(CHARTS)}
    found = {title: charts.get(title) for title in ("Quality rating", "Throughput")}
    assert all(found.values()), f"missing a chart; the page has {sorted(charts)}"
    return {title: {**chart, "days": round(chart["days"])} for title, chart in found.items() if chart}


def test_monitoring_charts_follow_the_numbers_and_range_picked_and_a_deep_link_opens_the_same_view(
    console: ConsolePage,
) -> None:
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

    week = _charts(console)
    for chart in week.values():
        assert chart["traces"] == sorted([BAKERY, AURORA])
        assert chart["points"] > 2
        assert chart["days"] == 7

    console.main.get_by_role("radio", name="30 d").click()
    expect(console.main.get_by_role("radio", name="30 d")).to_be_checked()
    console.settle()
    month = _charts(console)
    for title, chart in month.items():
        assert chart["days"] == 30
        assert chart["points"] > week[title]["points"], f"{title}: 30 days show no more than 7 did"
    assert re.search(rf"numbers={BAKERY_ID}(%2C|,){AURORA_ID}&range=30d", console.page.url), console.page.url

    console.open(f"Monitoring?numbers={BAKERY_ID},{AURORA_ID}&range=30d")
    expect(console.main.get_by_role("button", name=f"Remove {BAKERY}")).to_be_visible()
    expect(console.main.get_by_role("button", name=f"Remove {AURORA}")).to_be_visible()
    expect(console.main.get_by_role("radio", name="30 d")).to_be_checked()
    assert _charts(console) == month
    console.screenshot("monitoring")
