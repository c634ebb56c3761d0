"""A phone number's own page in a real browser, on a wide screen and on a phone.

CONSOLE_SCREENSHOTS=1 refreshes docs/screenshots/phone-number-1440.png and phone-number-390.png.
"""

import pytest
from playwright.sync_api import expect

from services.simulator.demo import LUCKY_SHRUB as LUCKY_SHRUB_BUSINESS
from services.simulator.demo import LUCKY_SHRUB_WABA
from tests.e2e.console_page import PHONE_HEIGHT, PHONE_WIDTH, SCREENSHOT_HEIGHT, SCREENSHOT_WIDTH, ConsolePage

pytestmark = pytest.mark.e2e

LUCKY_SHRUB = "3000000000000104"  # blocked: its WABA's payment method failed (Meta error 141006)


def _plot_boxes(console: ConsolePage) -> list[dict[str, float]]:
    return console.page.evaluate(
        """() => Array.from(document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot"))
            .map(g => { const r = g.getBoundingClientRect(); return {x: r.x, width: r.width}; })"""
    )


@pytest.mark.parametrize(
    ("width", "height", "name"),
    [(SCREENSHOT_WIDTH, SCREENSHOT_HEIGHT, "phone-number-1440"), (PHONE_WIDTH, PHONE_HEIGHT, "phone-number-390")],
)
def test_a_blocked_numbers_page_says_why_in_metas_words_with_its_history(
    console: ConsolePage, width: int, height: int, name: str
) -> None:
    console.page.set_viewport_size({"width": width, "height": height})
    console.open(f"Phone_number?number={LUCKY_SHRUB}")
    main = console.main
    expect(main.get_by_role("heading", level=1)).to_contain_text("Lucky Shrub")
    # The essentials come first, on a phone too: whether it can send, and why not.
    can_send = main.get_by_test_id("stMetric").filter(has_text="Can send")
    expect(can_send).to_contain_text("Blocked")
    box = can_send.bounding_box()
    assert box is not None and box["y"] < height, "whether the number can send is below the first screen"
    expect(main.get_by_text("(Meta error 141006)").first).to_be_visible()
    expect(main.get_by_text("What to do: Add a valid payment method", exact=False).first).to_be_visible()
    manager = main.get_by_role("link", name="Open in WhatsApp Manager")
    expect(manager).to_have_attribute(
        "href",
        f"https://business.facebook.com/wa/manage/phone-numbers/?waba_id={LUCKY_SHRUB_WABA}&business_id={LUCKY_SHRUB_BUSINESS}",
    )
    # The history chart fits the screen: nothing of it is cut off at either side.
    boxes = _plot_boxes(console)
    assert boxes, "no history chart"
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= width + 1 for b in boxes), boxes
    console.screenshot(name)
    console.assert_clean()


def test_the_overviews_table_opens_the_numbers_page(console: ConsolePage) -> None:
    console.open(f"Phone_number?number={LUCKY_SHRUB}")
    monitoring = console.main.get_by_role("link", name="Longer ranges, the changes table and CSV on Monitoring")
    expect(monitoring).to_have_attribute("href", f"Monitoring?numbers={LUCKY_SHRUB}&range=90d")
    console.open("Phone_number?number=0000")
    expect(console.main.get_by_text("The console does not monitor a phone number with the ID 0000.")).to_be_visible()
    console.choose("Phone number", "Lucky Shrub +1 415-555-0104")
    expect(console.main.get_by_role("heading", level=1)).to_contain_text("Lucky Shrub")
    assert console.page.url.endswith(f"Phone_number?number={LUCKY_SHRUB}")
    console.assert_clean()
