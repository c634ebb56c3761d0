"""The home page's fleet view in a real browser.

CONSOLE_SCREENSHOTS=1 refreshes docs/screenshots/home-1440.png and home-390.png.
"""

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Locator, expect

from services.health.model import Severity
from services.health.overview import STRIP_DAYS
from services.settings import DEFAULT_GRAPH_API_VERSION
from services.simulator.demo import AURORA_WABA, JASPERS_WABA, LUCKY_SHRUB_WABA
from tests.e2e.console_page import (
    PHONE_HEIGHT,
    PHONE_WIDTH,
    ROOT,
    SCREENSHOT_HEIGHT,
    SCREENSHOT_WIDTH,
    ConsolePage,
)
from tests.e2e.servers import Process
from ui.strips import STRIP_COLUMN_PX

pytestmark = pytest.mark.e2e
GRID_CELL_PADDING_PX = 8  # Glide Data Grid's horizontal cell padding, each side

# Each number is marked with its severity's icon; worst first means the health model's order.
SEVERITY_ICONS = [severity.icon for severity in Severity]
PAGES = sorted((ROOT / "pages").glob("[0-9]*_*.py"))


def _demo_numbers(simulator: Process) -> set[str]:
    """Every number of the demo WABAs, as Meta (the simulator) lists them: 'Verified name +1 ...'."""
    labels = set()
    for waba in (JASPERS_WABA, LUCKY_SHRUB_WABA, AURORA_WABA):
        response = httpx.get(
            f"{simulator.url}/{DEFAULT_GRAPH_API_VERSION}/{waba}/phone_numbers",
            headers={"Authorization": "Bearer EAADEMOTOKEN"},
            timeout=10.0,
        )
        response.raise_for_status()
        labels |= {f"{n['verified_name']} {n['display_phone_number']}" for n in response.json()["data"]}
    return labels


def _full_table(console: ConsolePage) -> Locator:
    """The fleet table as a wide screen shows it (a phone gets a narrower one in its place)."""
    return console.main.locator(".st-key-fleet_full").get_by_test_id("stDataFrame")


def _fleet_table(console: ConsolePage) -> list[dict[str, str]]:
    """The rows of the fleet table, through its own "Download as CSV" (the grid is drawn on a canvas)."""
    table = _full_table(console)
    table.hover()
    with console.page.expect_download() as download:
        table.get_by_role("button", name="Download as CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        return list(csv.DictReader(io.StringIO(handle.read())))


def _rank(row: dict[str, str]) -> int:
    return SEVERITY_ICONS.index(row["Number"].split(" ", 1)[0])


def test_home_lists_every_demo_number_worst_first(console: ConsolePage, simulator: Process) -> None:
    # Headless Chromium offers the File System Access API but can show no save dialog; without it Streamlit
    # downloads the CSV the ordinary way.
    console.page.add_init_script("delete window.showSaveFilePicker")
    console.open()
    expect(console.main.get_by_role("heading", name="Fleet health")).to_be_visible()
    expect(console.main.get_by_role("heading", name="Needs attention")).to_be_visible()
    expect(console.main.get_by_text("WhatsApp Business Account Lucky Shrub")).to_be_visible()

    rows = _fleet_table(console)
    shown = [row["Number"].split(" ", 1)[1] for row in rows]
    assert sorted(shown) == sorted(_demo_numbers(simulator))
    ranks = [_rank(row) for row in rows]
    assert ranks == sorted(ranks), f"not worst first: {[row['Number'] for row in rows]}"
    assert rows[0]["Can send"] == "Blocked"
    console.page.set_viewport_size({"width": SCREENSHOT_WIDTH, "height": SCREENSHOT_HEIGHT})
    console.screenshot("home-1440")


def test_on_a_phone_the_overview_keeps_number_health_and_can_send_on_screen(console: ConsolePage) -> None:
    console.page.set_viewport_size({"width": PHONE_WIDTH, "height": PHONE_HEIGHT})
    console.open()
    expect(_full_table(console)).to_be_hidden()
    table = console.main.locator(".st-key-fleet_phone").get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH
    scroller = table.locator(".dvn-scroller").first
    scroll_width, client_width = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll_width <= client_width, f"the phone's table scrolls sideways: {scroll_width} > {client_width} px"
    # The attention entries link to the numbers' pages.
    opens = console.page.get_by_role("link", name="Open its page")
    blocks = console.main.get_by_test_id("stVerticalBlock").filter(has_text="⛔ Aurora Bakehouse +1 212-555-0108")
    link = blocks.filter(has=opens).last.get_by_role("link", name="Open its page")  # the innermost: its entry
    expect(link).to_be_visible()
    console.screenshot("home-390")
    link.click()
    console.settle()
    expect(console.main.get_by_role("heading", level=1)).to_contain_text("Aurora Bakehouse")
    console.assert_clean()


@pytest.mark.parametrize("width", [1440])
def test_at_1440_px_every_fleet_column_and_the_newest_strip_day_are_visible(console: ConsolePage, width: int) -> None:
    console.page.set_viewport_size({"width": width, "height": 900})
    console.page.add_init_script("delete window.showSaveFilePicker")  # see the test above
    console.open()
    table = _full_table(console)
    table.scroll_into_view_if_needed()
    scroller = table.locator(".dvn-scroller").first
    # No horizontal scrolling: the grid is as wide as its content, so every column, Status included, is on screen.
    scroll_width, client_width = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll_width <= client_width, f"the fleet table scrolls sideways: {scroll_width} > {client_width} px"
    box, viewport = table.bounding_box(), console.page.viewport_size
    assert box is not None and viewport is not None and box["x"] + box["width"] <= viewport["width"]
    # The strip's text fits its column, so its newest (rightmost) day is drawn, not cut off with an ellipsis.
    strip, column = console.page.evaluate(
        """([days, column]) => {
            const canvas = document.createElement("canvas").getContext("2d");
            canvas.font = "14px 'Source Sans', sans-serif";
            return [canvas.measureText("🟩".repeat(days)).width, column];
        }""",
        [STRIP_DAYS, STRIP_COLUMN_PX],
    )
    assert strip + 2 * GRID_CELL_PADDING_PX <= column, f"the strip needs {strip:.0f} px; its column has {column}"
    for heading in ("Can send", "Status", f"Last {STRIP_DAYS} days", "Last polled"):
        assert heading in _fleet_table(console)[0]


@pytest.mark.parametrize("width", [1440, PHONE_WIDTH])
def test_the_overview_links_to_the_pages_by_their_whole_names(console: ConsolePage, width: int) -> None:
    console.page.set_viewport_size({"width": width, "height": 900})
    console.open()
    links = console.main.get_by_test_id("stPageLink-NavLink").filter(has_not_text="Open")
    expect(links.first).to_be_visible()
    names = [text.strip() for text in links.all_inner_texts()]
    assert any("Channel configurations" in name for name in names), names
    # A name cut with an ellipsis is wider inside than the box it is drawn in.
    cut = links.evaluate_all(
        "links => links.filter(a => [a, ...a.querySelectorAll('*')].some("
        "x => x.scrollWidth > x.clientWidth + 1 && getComputedStyle(x).overflow !== 'visible'"
        ")).map(a => a.innerText)"
    )
    assert cut == [], f"cut at {width} px: {cut}"


def _url_path(page: Path) -> str:
    """Streamlit's URL for a pages/ file: "3_Monitoring.py" -> "Monitoring"."""
    return page.stem.split("_", 1)[1]


def test_every_page_opens_from_the_sidebar(console: ConsolePage) -> None:
    console.open()
    sidebar = console.page.get_by_test_id("stSidebar")
    links = sidebar.get_by_test_id("stPageLink-NavLink")
    linked = [href.removeprefix(console.base_url).strip("/") for href in links.evaluate_all("a => a.map(x => x.href)")]
    assert PAGES and {_url_path(page) for page in PAGES} <= set(linked), f"the sidebar links only {linked}"
    for page in [*PAGES, None]:
        expand = console.page.get_by_test_id("stExpandSidebarButton")
        if expand.is_visible():  # the overview opens with the sidebar folded away, to give the fleet table room
            expand.click()
        path = _url_path(page) if page else ""
        title = path.replace("_", " ") if page else "WhatsApp Channel Console"
        links.nth(linked.index(path)).click()
        expect(console.main.get_by_role("heading", name=title, level=1)).to_be_visible()
        console.settle()
        assert urlsplit(console.page.url).path == f"/{path}"
