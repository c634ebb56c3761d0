"""Browser test fixtures: the simulator and the console as real processes, Debian's Chromium, a signed-in tab.

One simulator process (`python -m services.simulator`) and one `streamlit run app.py` (outside demo mode, on a
fresh SQLite file holding the demo's credentials and 35 days of history, its Graph API that simulator over HTTP)
serve the whole session. Every test gets a fresh browser context, already signed in as an admin (the sign-in
cookie is minted with the console's own key, as the sign-in form would), and a `console` tab that fails the test
on any Streamlit exception, browser console error or traceback in the server's log.

Environment:
- CHROMIUM_PATH: the browser (default /usr/bin/chromium, Debian's package; a missing browser fails, never skips).
- CONSOLE_SCREENSHOTS=1: the tests also save the pages they visit to docs/screenshots/<page>-1440.png and
  <page>-390.png (home, api-credentials, channel-configurations, monitoring, phone-number), full page, for the
  README.
The summary prints how long the first home page took to render after the server became healthy.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, Page
from sqlmodel import Session

from services.access import sessions, users
from services.settings import DEFAULT_GRAPH_API_VERSION
from services.store.engine import create_store_engine
from services.store.migrate import upgrade_to_head
from tests.e2e.console_page import SCREENSHOT_HEIGHT, SCREENSHOT_WIDTH, ConsolePage, screenshots_wanted
from tests.e2e.demo_history import write_demo_history
from tests.e2e.servers import Process, simulator_control, start_console, start_simulator
from ui.sign_in import COOKIE

CHROMIUM = "/usr/bin/chromium"
ADMIN_EMAIL = "e2e-admin@example.com"
ADMIN_PASSWORD = "correct horse battery staple"
POLL_INTERVAL_SECONDS = 60
_HOME_RENDER = pytest.StashKey[tuple[float, float, float]]()


# --- the browser -------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium (CHROMIUM_PATH overrides), never a downloaded browser."""
    path = os.environ.get("CHROMIUM_PATH", CHROMIUM)
    if not Path(path).is_file():
        where = "CI must provide it" if os.environ.get("CI") else "the browser tests never skip"
        pytest.fail(
            f"Chromium is not at {path} ({where}). Install Debian's package: "
            "apt-get update && apt-get install -y chromium (never `playwright install`), "
            "or point CHROMIUM_PATH at a Chromium binary.",
            pytrace=False,
        )
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    args += ["--disable-sync", "--no-first-run"]
    return {**browser_type_launch_args, "executable_path": path, "args": args}


@pytest.fixture(scope="session", autouse=True)
def emoji_font() -> None:
    """Screenshots for the README need a colour emoji font (the pages show ratings as emoji)."""
    if not screenshots_wanted():
        return
    families = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False).stdout
    if "emoji" not in families.lower():
        pytest.fail(
            "CONSOLE_SCREENSHOTS=1 but no colour emoji font is installed, so the screenshots would show empty "
            "boxes: apt-get install -y fonts-noto-color-emoji",
            pytrace=False,
        )


# --- the servers -------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def simulator(e2e_dir: Path) -> Iterator[Process]:
    """The Graph API simulator in its own process, over real HTTP on 127.0.0.1."""
    process = start_simulator(e2e_dir)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def secret_key() -> str:
    return Fernet.generate_key().decode()


def _add_admin(database_url: str) -> None:
    engine = create_store_engine(database_url)
    try:
        upgrade_to_head(engine)
        with Session(engine) as session:
            users.add_user(session=session, email=ADMIN_EMAIL, role="admin", password=ADMIN_PASSWORD)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def admin_session_token(console_server: Process, e2e_dir: Path) -> str:
    """The cookie token of a sign-in session for the admin, as the console's sign-in route would hand it out."""
    engine = create_store_engine(f"sqlite:///{e2e_dir / 'e2e.sqlite'}")
    try:
        with Session(engine) as session:
            now = datetime.now(UTC)
            started = sessions.start(session=session, email=ADMIN_EMAIL, now=now, client="e2e")
            redeemed = sessions.redeem(session=session, ticket=started.ticket, now=now)
    finally:
        engine.dispose()
    assert redeemed is not None
    return redeemed[0]


@pytest.fixture(scope="session")
def console_server(e2e_dir: Path, simulator: Process, secret_key: str) -> Iterator[Process]:
    """`streamlit run app.py` on a fresh SQLite file, its Graph API the simulator.

    Before it starts, the store gets one admin account and the demo's credentials with 35 days of history.
    """
    database_url = f"sqlite:///{e2e_dir / 'e2e.sqlite'}"
    _add_admin(database_url)
    write_demo_history(
        database_url=database_url, secret_key=secret_key, simulator_url=simulator.url, version=DEFAULT_GRAPH_API_VERSION
    )
    env = {
        "DATABASE_URL": database_url,
        "GRAPH_API_URL": simulator.url,
        "CONSOLE_SECRET_KEY": secret_key,
        "CONSOLE_DATA_DIR": str(e2e_dir / "data"),
        "POLL_INTERVAL_SECONDS": str(POLL_INTERVAL_SECONDS),
    }
    process = start_console(e2e_dir, env)
    yield process
    process.stop()


# --- a signed-in tab ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_context_args(
    browser_context_args: dict[str, Any], console_server: Process, admin_session_token: str
) -> dict[str, Any]:
    """1400x900, UTC, and the session cookie the console's sign-in route would have set for the admin."""
    cookie = {
        "name": COOKIE,
        "value": admin_session_token,
        "url": console_server.url,
        "sameSite": "Lax",
        "httpOnly": True,
    }
    return {
        **browser_context_args,
        "viewport": {"width": SCREENSHOT_WIDTH, "height": SCREENSHOT_HEIGHT},
        "timezone_id": "UTC",
        "locale": "en-US",
        "storage_state": {"cookies": [cookie], "origins": []},
    }


@pytest.fixture(scope="session", autouse=True)
def home_render_seconds(
    request: pytest.FixtureRequest, browser: Browser, browser_context_args: dict[str, Any], console_server: Process
) -> float:
    """Seconds from "server healthy" to the first home page fully rendered (printed in the summary, not asserted)."""
    context = browser.new_context(**browser_context_args)
    try:
        tab = ConsolePage(context.new_page(), console_server.url)
        tab.page.goto(console_server.url)
        loaded = time.perf_counter()
        tab.settle()
        tab.page.get_by_role("heading", name="WhatsApp Channel Console").wait_for()
        rendered = time.perf_counter()
        tab.assert_clean()
    finally:
        context.close()
    seconds = rendered - console_server.healthy_at
    request.config.stash[_HOME_RENDER] = (seconds, loaded - console_server.healthy_at, rendered - loaded)
    return seconds


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    timing = config.stash.get(_HOME_RENDER, None)
    if timing is not None:
        seconds, page_load, script = timing
        terminalreporter.section("console start-up")
        terminalreporter.write_line(f"home page rendered in {seconds:.2f} s after the server became healthy")
        split = f"  (browser page load {page_load:.2f} s, then the first script run {script:.2f} s)"
        terminalreporter.write_line(split)


@pytest.fixture
def console(page: Page, console_server: Process) -> Iterator[ConsolePage]:
    """A signed-in tab; after the test: no exception, no console error, no traceback in the server's log."""
    console_server.new_log()
    tab = ConsolePage(page, console_server.url)
    yield tab
    tab.assert_clean()
    log = console_server.new_log()
    assert "Traceback" not in log, f"the console's server logged an error during the test:\n{log}"


@pytest.fixture
def graph_faults(simulator: Process) -> Iterator[Callable[..., None]]:
    """Switch on simulator faults (fields of services.simulator.faults.Fault); all cleared after the test."""

    def add(**fault: Any) -> None:
        simulator_control(simulator, "POST", "faults", fault)

    yield add
    simulator_control(simulator, "DELETE", "faults")
