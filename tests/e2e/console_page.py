"""A browser tab on the console: open a page, wait for its script to finish, and collect what went wrong."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Error, Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
SCREENSHOT_WIDTH, SCREENSHOT_HEIGHT = 1440, 900
PHONE_WIDTH, PHONE_HEIGHT = 390, 844
RUN_TIMEOUT_MS = 30_000
# Opened at a page's own URL, Streamlit's client first looks for its server under that path (/Monitoring/_stcore/...)
# and then at the root; Chromium logs each miss as a console error. Those probes are Streamlit's, not ours.
_BASE_PATH_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")


def screenshots_wanted() -> bool:
    """True when this run should refresh docs/screenshots/ (CONSOLE_SCREENSHOTS=1)."""
    return os.environ.get("CONSOLE_SCREENSHOTS", "") not in ("", "0", "false", "no")


class ConsolePage:
    """One tab: `open()` a page, act on it, `settle()` after each action; `errors` holds what went wrong so far."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not _BASE_PATH_PROBE.search(message.location.get("url") or ""):
            self.errors.append(f"console error on {self.page.url}: {message.text}")

    def _on_page_error(self, error: Error) -> None:
        self.errors.append(f"page error on {self.page.url}: {error.message}")

    def open(self, path: str = "") -> ConsolePage:
        """Go to `path` (e.g. "API_credentials?x=1"), wait until the script ran, and check the page."""
        self.page.goto(f"{self.base_url}/{path.lstrip('/')}")
        return self.settle()

    def settle(self) -> ConsolePage:
        """Wait until Streamlit is connected, the script is not running and nothing is still loading."""
        app = self.page.locator("[data-testid='stApp']")
        # A rerun starts a moment after a click; give it that moment so we do not see the previous run's end.
        self.page.wait_for_timeout(150)
        expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=RUN_TIMEOUT_MS)
        expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=RUN_TIMEOUT_MS)
        expect(self.page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=RUN_TIMEOUT_MS)
        self.assert_no_exception()
        return self

    @property
    def main(self) -> Locator:
        return self.page.get_by_test_id("stMain")

    def button(self, name: str) -> Locator:
        return self.main.get_by_role("button", name=name, exact=True)

    def field(self, label: str) -> Locator:
        return self.main.get_by_label(label, exact=True)

    def type_into(self, label: str, text: str) -> None:
        """Type into a text input or area and leave it, so Streamlit takes the value (outside a form: a rerun)."""
        self.field(label).fill(text)
        self.field(label).blur()
        self.settle()

    def selectbox(self, label: str) -> Locator:
        """The selectbox labelled `label`: its value is the chosen option as shown."""
        return self.main.get_by_role("combobox", name=label, exact=True)

    def choose(self, label: str, option: str) -> None:
        """Pick `option` (as shown) in the selectbox or multiselect labelled `label`."""
        self.selectbox(label).click()
        self.page.get_by_role("option", name=option, exact=True).click()
        self.settle()

    def card(self, text: str, *, button: str) -> Locator:
        """The innermost block that shows `text` and has a `button` button: one item of a list of cards."""
        blocks = self.main.locator("[data-testid='stVerticalBlock']").filter(has_text=text)
        return blocks.filter(has=self.page.get_by_role("button", name=button, exact=True)).last

    def assert_no_exception(self) -> None:
        expect(self.page.get_by_test_id("stException")).to_have_count(0)

    def assert_clean(self) -> None:
        """No Streamlit exception on screen and no error in the browser console, from the first page on."""
        self.assert_no_exception()
        assert self.errors == [], "\n".join(self.errors)

    def screenshot(self, name: str) -> Path | None:
        """Save the whole page, at the viewport's width, to docs/screenshots/<name>.png when screenshots are wanted."""
        if not screenshots_wanted():
            return None
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.mouse.move(0, 0)  # no tooltip of whatever was clicked last
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")
        # Streamlit scrolls inside its own container, so a "full page" shot is the viewport: grow the viewport
        # to the content's height for the shot instead.
        height = self.page.evaluate(
            "() => { const m = document.querySelector(\"[data-testid='stMain']\");"
            " return m ? m.scrollHeight : document.body.scrollHeight; }"
        )
        viewport = self.page.viewport_size or {"width": SCREENSHOT_WIDTH, "height": SCREENSHOT_HEIGHT}
        self.page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], int(height))})
        self.settle()
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True, animations="disabled")
        self.page.set_viewport_size(viewport)
        return path
