"""The home page's fleet view in a real browser (CONSOLE_SCREENSHOTS=1 refreshes docs/screenshots/home.png)."""

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from services.settings import DEFAULT_GRAPH_API_VERSION
from services.simulator.demo import AURORA_WABA, JASPERS_WABA, LUCKY_SHRUB_WABA
from tests.e2e.console_page import ROOT, ConsolePage
from tests.e2e.servers import Process

pytestmark = pytest.mark.e2e

# The fleet table shows these words for each rating; worst first means this order.
QUALITY_ORDER = ("Red", "Yellow", "Green", "Not yet rated")
ALARMING = ("FLAGGED", "RESTRICTED")
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


def _fleet_table(console: ConsolePage) -> list[dict[str, str]]:
    """The rows of the fleet table, through its own "Download as CSV" (the grid is drawn on a canvas)."""
    table = console.main.get_by_test_id("stDataFrame").first
    table.hover()
    with console.page.expect_download() as download:
        table.get_by_role("button", name="Download as CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        return list(csv.DictReader(io.StringIO(handle.read())))


def _rank(row: dict[str, str]) -> tuple[int, bool]:
    quality = next(i for i, word in enumerate(QUALITY_ORDER) if word in row["Quality"])
    return quality, row["Status"] not in ALARMING


def test_home_lists_every_demo_number_worst_first(console: ConsolePage, simulator: Process) -> None:
    # Headless Chromium offers the File System Access API but can show no save dialog; without it Streamlit
    # downloads the CSV the ordinary way.
    console.page.add_init_script("delete window.showSaveFilePicker")
    console.open()
    expect(console.main.get_by_role("heading", name="Fleet health")).to_be_visible()
    expect(console.main.get_by_role("heading", name="Needs attention")).to_be_visible()
    expect(console.main.get_by_text("Lucky Shrub +1 415-555-0104: quality rating is RED (low)")).to_be_visible()

    rows = _fleet_table(console)
    shown = [row["Number"] for row in rows]
    assert sorted(shown) == sorted(_demo_numbers(simulator))
    ranks = [_rank(row) for row in rows]
    assert ranks == sorted(ranks), f"not worst first: {[(row['Number'], row['Quality']) for row in rows]}"
    assert "Red" in rows[0]["Quality"]
    console.screenshot("home")


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
        path = _url_path(page) if page else ""
        title = path.replace("_", " ") if page else "WhatsApp Channel Console"
        links.nth(linked.index(path)).click()
        expect(console.main.get_by_role("heading", name=title, level=1)).to_be_visible()
        console.settle()
        assert urlsplit(console.page.url).path == f"/{path}"
