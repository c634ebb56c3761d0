"""Create new API credentials in a real browser, on a desktop and on a phone: ONE Continue, the account's numbers at
once, errors under their fields, a reload in mid-flow that keeps the step and asks for the token again.

Set CONSOLE_SCREENSHOTS=1 to refresh docs/screenshots/api-credentials-1440.png and api-credentials-390.png.
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from services.simulator.demo import AURORA, AURORA_WABA, JASPERS, JASPERS_WABA, LUCKY_SHRUB_WABA
from tests.e2e.console_page import SCREENSHOTS, ConsolePage, screenshots_wanted
from ui.credential_form import TOKEN_LOST

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Screen:
    width: int
    height: int
    business_id: str
    account: str  # the business account as the select shows it
    connected: str  # the number the demo history already connected through EAADEMOTOKEN, as marked
    number: str  # the number to connect
    name: str


DESKTOP = Screen(
    1440,
    900,
    JASPERS,
    f"Jasper's Market · {JASPERS_WABA}",
    "+1 631-555-0101 · Jasper's Market — already connected as “Jasper's Market · +1 631-555-0101”",
    "+1 631-555-0103 · Jasper's Bakery",
    "Jasper's Bakery orders",
)
PHONE = Screen(
    390,
    844,
    AURORA,
    f"Aurora Coffee · {AURORA_WABA}",
    "+1 212-555-0106 · Aurora Coffee — already connected as “Aurora Coffee · +1 212-555-0106”",
    "+1 212-555-0107 · Aurora Coffee Deliveries",
    "Aurora deliveries",
)


def _screenshot(console: ConsolePage, name: str, screen: Screen) -> None:
    """The whole page at this screen's width (Streamlit scrolls inside its own container: grow the viewport)."""
    if not screenshots_wanted():
        return
    page = console.page
    page.mouse.move(0, 0)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    height = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size({"width": screen.width, "height": max(screen.height, int(height))})
    console.settle()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, animations="disabled")
    page.set_viewport_size({"width": screen.width, "height": screen.height})
    console.settle()


def _row_is_one_line(console: ConsolePage, step: int) -> None:
    """Back, Continue or Submit, and Cancel side by side, in that order, on any screen."""
    row = console.main.locator(f".st-key-cred_actions_{step}")
    boxes = [row.get_by_role("button", name=label, exact=True).bounding_box() for label in ("Back", "Cancel")]
    primary = row.get_by_role("button").nth(1).bounding_box()
    back, cancel = boxes
    assert back and primary and cancel
    assert back["y"] == primary["y"] == cancel["y"], "the buttons are not in one row"
    assert back["x"] < primary["x"] < cancel["x"]


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["1440x900", "390x844"])
def test_the_whole_flow_with_one_continue(console: ConsolePage, screen: Screen) -> None:
    console.page.set_viewport_size({"width": screen.width, "height": screen.height})
    console.open("API_credentials")
    console.button("Create new API credentials").click()
    console.settle()
    expect(console.main.get_by_text("Step 1 of 2 · API token and business")).to_be_visible()
    _row_is_one_line(console, 1)

    # Each refusal under the field it is about
    console.field("Business account ID").fill(screen.business_id)
    console.button("Continue").click()
    console.settle()
    token_block = console.main.locator(".st-key-cred_field_token")
    expect(token_block.get_by_text("Paste the API token")).to_be_visible()
    console.field("API token").fill("EAADEMOREVOKED")
    console.button("Continue").click()
    console.settle()
    expect(token_block.get_by_text("Meta no longer accepts this API token")).to_be_visible()
    console.field("API token").fill("EAADEMOTOKEN")
    console.field("Business account ID").fill("12ab")
    console.button("Continue").click()
    console.settle()
    business_block = console.main.locator(".st-key-cred_field_business_id")
    expect(business_block.get_by_text("A business account ID is digits only")).to_be_visible()
    expect(token_block.get_by_role("alert")).to_have_count(0)

    # ONE Continue: the account and its numbers at once
    console.field("Business account ID").fill(screen.business_id)
    console.button("Continue").click()
    console.settle()
    expect(console.main.get_by_text("Step 2 of 2 · WhatsApp Business Account and phone number")).to_be_visible()
    expect(console.selectbox("Business account")).to_have_value(screen.account)
    expect(console.button("Continue")).to_have_count(0)
    _row_is_one_line(console, 2)
    if screen is DESKTOP:  # another account lists its own numbers straight away
        console.choose("Business account", f"Lucky Shrub · {LUCKY_SHRUB_WABA} (client)")
        expect(console.selectbox("Phone number")).to_have_value("+1 415-555-0104 · Lucky Shrub")
        console.choose("Business account", screen.account)
    console.selectbox("Phone number").click()
    expect(console.page.get_by_role("option", name=screen.connected, exact=True)).to_be_visible()
    console.page.keyboard.press("Escape")
    console.settle()
    console.choose("Phone number", screen.number)
    expect(console.main.get_by_text("Quality rating", exact=True)).to_be_visible()
    expect(console.main.get_by_text("Throughput", exact=True)).to_be_visible()
    console.type_into("Name", screen.name)
    _screenshot(console, f"api-credentials-{screen.width}", screen)

    # A reload keeps the step and the choices, and says plainly that the token has to be pasted again
    expect(console.page).to_have_url(re.compile(r"[?&]step=2&.*number=\d+&name="))  # the address has caught up
    assert "EAADEMOTOKEN" not in console.page.url and "OKEN" not in console.page.url
    console.page.reload()
    console.settle()
    expect(console.main.get_by_text("Step 2 of 2 · WhatsApp Business Account and phone number")).to_be_visible()
    expect(console.main.get_by_text(str(TOKEN_LOST))).to_be_visible()
    console.field("API token").fill("EAADEMOTOKEN")
    console.button("Continue").click()
    console.settle()
    expect(console.selectbox("Business account")).to_have_value(screen.account)
    expect(console.selectbox("Phone number")).to_have_value(screen.number)
    expect(console.field("Name")).to_have_value(screen.name)

    console.button("Submit").click()
    console.settle()
    expect(console.main.get_by_text(f"API credential “{screen.name}” saved")).to_be_visible()
    expect(console.page).not_to_have_url(re.compile(r"[?&]step="))  # the address catches up a moment later
    card = console.card(screen.name, button="Delete")
    expect(card).to_contain_text(screen.number.split(" · ")[0])
    # On any screen the card shows its data first and its actions after
    data = card.get_by_text("Quality rating", exact=True).bounding_box()
    delete = card.get_by_role("button", name="Delete", exact=True).bounding_box()
    assert data and delete and delete["y"] > data["y"], "Delete comes before the data"
    console.assert_clean()
