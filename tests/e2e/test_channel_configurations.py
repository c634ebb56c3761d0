"""Channel configurations in a real browser while Meta answers slowly: Processing in the list, then Active by itself.

Set CONSOLE_SCREENSHOTS=1 to refresh docs/screenshots/channel-configurations-1440.png and -390.png.
"""

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, expect

from services.simulator.demo import JASPERS_WABA
from tests.e2e.console_page import SCREENSHOT_HEIGHT, SCREENSHOT_WIDTH, SCREENSHOTS, ConsolePage, screenshots_wanted
from tests.e2e.servers import Process, simulator_control

pytestmark = pytest.mark.e2e

JASPERS_CREDENTIAL = "Jasper's Market · +1 631-555-0101 (••••OKEN)"
# Every call about Jasper's WABA (the WABA check, its number list) waits this long, as a slow Graph API would.
LATENCY_SECONDS = 2.0


def _card(console: ConsolePage, name: str) -> Locator:
    """The innermost block that shows the configuration's name and its last change: its card in the list."""
    blocks = console.main.locator("[data-testid='stVerticalBlock']").filter(has_text=name)
    return blocks.filter(has_text="Last change:").last


def _screenshots(console: ConsolePage, name: str) -> None:
    """The list at a desktop's and a phone's width, full height (Streamlit scrolls inside its own container)."""
    if not screenshots_wanted():
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1440, 900), (390, 844)):
        console.page.set_viewport_size({"width": width, "height": height})
        console.settle()
        console.page.mouse.move(0, 0)
        tall = console.page.evaluate(
            "() => { const m = document.querySelector(\"[data-testid='stMain']\"); return m ? m.scrollHeight : 0; }"
        )
        console.page.set_viewport_size({"width": width, "height": max(height, int(tall))})
        console.settle()
        expect(_card(console, name)).to_be_visible()
        path = SCREENSHOTS / f"channel-configurations-{width}.png"
        console.page.screenshot(path=str(path), full_page=True, animations="disabled")
    console.page.set_viewport_size({"width": SCREENSHOT_WIDTH, "height": SCREENSHOT_HEIGHT})


def test_a_failed_card_submits_again_and_goes_active_once_meta_lets_it(
    console: ConsolePage, graph_faults: Callable[..., None], simulator: Process
) -> None:
    name = "jaspers.submit-again"
    console.open("Channel_configurations")
    console.button("Create channel configuration").click()
    console.settle()
    console.type_into("Name", name)
    console.choose("Marketing action", "None (transactional)")
    console.choose("WhatsApp API configuration", JASPERS_CREDENTIAL)
    graph_faults(kind="error", path=f"/{JASPERS_WABA}$", code=200, message="(#200) Requires permission")
    console.button("Submit").click()
    failed = console.card(name, button="Submit again")
    expect(failed).to_contain_text("Failed", timeout=30_000)
    expect(failed).to_contain_text(f"Give the token's system user access to WhatsApp Business Account {JASPERS_WABA}")
    expect(console.main.get_by_text(f"“{name}” Failed: fix what the failed checks say")).to_be_visible()
    console.settle()

    simulator_control(simulator, "DELETE", "faults")  # the permission was granted in Meta Business Suite
    graph_faults(kind="slow", path=f"/{JASPERS_WABA}", seconds=LATENCY_SECONDS)
    failed.get_by_role("button", name="Submit again", exact=True).click()
    card = _card(console, name)
    expect(card).to_contain_text("Processing", timeout=LATENCY_SECONDS * 1000)
    expect(card.get_by_role("button")).to_have_count(0)  # nothing to do to it while it is checked
    expect(card).to_contain_text("Active", timeout=30_000)
    expect(card).not_to_contain_text("Failure reasons")
    expect(console.main.get_by_text(f"“{name}” is Active.")).to_be_visible()


def test_submit_shows_processing_in_the_list_while_meta_is_slow_then_active_without_a_reload(
    console: ConsolePage, graph_faults: Callable[..., None]
) -> None:
    name = "jaspers.background-checks"
    console.open("Channel_configurations")
    console.button("Create channel configuration").click()
    expect(console.main.get_by_role("heading", name="Create channel configuration")).to_be_visible()
    console.settle()
    expect(console.field("Status")).to_have_count(0)  # the open form shows the form only
    expect(console.field("Search by name")).to_have_count(0)

    console.type_into("Name", "9bad name!")  # checked on leaving the field, every problem at once
    expect(console.main.get_by_text("The name must start with a letter (A-Z or a-z), not '9'.")).to_be_visible()
    expect(console.main.get_by_text("remove a space and '!'.")).to_be_visible()
    console.type_into("Name", name)
    expect(console.main.get_by_text("The name must start with a letter")).to_have_count(0)
    console.choose("Marketing action", "None (transactional)")
    console.choose("WhatsApp API configuration", JASPERS_CREDENTIAL)

    graph_faults(kind="slow", path=f"/{JASPERS_WABA}", seconds=LATENCY_SECONDS)
    console.button("Submit").click()
    card = _card(console, name)
    expect(card).to_contain_text("Processing", timeout=LATENCY_SECONDS * 1000)
    expect(card).to_contain_text("The checks are running")
    expect(console.main.get_by_text("⏳ Checking")).to_be_visible()

    # No reload: the page's store watch redraws the list when the checks end.
    expect(card).to_contain_text("Active", timeout=30_000)
    expect(console.main.get_by_text(f"“{name}” is Active.")).to_be_visible()
    expect(console.main.get_by_text("⏳ Checking")).to_have_count(0)
    expect(card).not_to_contain_text("Processing")
    expect(card.get_by_role("button", name="Deactivate", exact=True)).to_be_visible()
    expect(card.get_by_text("Checks: 6 passed", exact=False)).to_be_visible()
    console.settle()
    _screenshots(console, name)
