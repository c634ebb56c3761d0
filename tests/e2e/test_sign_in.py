"""Sign-in in a real browser: a viewer with a local account signs in through the form and cannot reach a create form."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from services.access import users
from services.store.engine import create_store_engine
from tests.e2e.console_page import ConsolePage
from tests.e2e.servers import Process
from ui.sign_in import COOKIE as SIGN_IN_COOKIE

pytestmark = pytest.mark.e2e

VIEWER_EMAIL = "e2e-viewer@example.com"
VIEWER_PASSWORD = "a viewer's long password"


@pytest.fixture
def signed_out_tab(
    browser: Browser, browser_context_args: dict[str, Any], console_server: Process, e2e_dir: Path
) -> Iterator[ConsolePage]:
    """A tab with no sign-in cookie, and a viewer account in the console's store."""
    engine = create_store_engine(f"sqlite:///{e2e_dir / 'e2e.sqlite'}")
    with Session(engine) as session:
        users.add_user(session=session, email=VIEWER_EMAIL, role="viewer", password=VIEWER_PASSWORD)
    engine.dispose()
    context = browser.new_context(**{**browser_context_args, "storage_state": {"cookies": [], "origins": []}})
    tab = ConsolePage(context.new_page(), console_server.url)
    yield tab
    tab.assert_clean()
    context.close()


def _sign_in(tab: ConsolePage, password: str) -> None:
    tab.field("Email").fill(VIEWER_EMAIL)
    tab.field("Password").fill(password)
    tab.button("Sign in").click()
    tab.settle()


def _wait_for_sign_in_cookie(tab: ConsolePage, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not any(cookie["name"] == SIGN_IN_COOKIE for cookie in tab.page.context.cookies()):
        assert time.monotonic() < deadline, "the sign-in cookie was never written"
        tab.page.wait_for_timeout(50)


def test_a_viewer_signs_in_and_cannot_reach_the_create_forms(signed_out_tab: ConsolePage) -> None:
    tab = signed_out_tab.open("API_credentials")
    expect(tab.main.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(tab.main.get_by_text("API token")).to_have_count(0)

    _sign_in(tab, "not the password at all")
    expect(tab.main.get_by_text("That email and password do not match an account.")).to_be_visible()
    expect(tab.field("Email")).to_have_value(VIEWER_EMAIL)

    _sign_in(tab, VIEWER_PASSWORD)
    expect(tab.main.get_by_role("heading", name="API credentials")).to_be_visible()
    expect(tab.page.get_by_test_id("stSidebar")).to_contain_text(f"Signed in as {VIEWER_EMAIL} · viewer")
    expect(tab.button("Create new API credentials")).to_have_count(0)
    expect(tab.field("Business account ID")).to_have_count(0)

    # A reload is a new Streamlit session: the sign-in cookie keeps the viewer signed in. The cookie is written by
    # script after the page draws (issue 13, item 1, moves it to an HttpOnly route); wait for it, not for luck.
    _wait_for_sign_in_cookie(tab)
    tab.open("Channel_configurations")
    expect(tab.main.get_by_role("heading", name="Channel configurations")).to_be_visible()
    expect(tab.button("Create channel configuration")).to_have_count(0)
    expect(tab.selectbox("Sender number")).to_have_count(0)
    expect(tab.field("Name")).to_have_count(0)
    expect(tab.page.get_by_test_id("stSidebar").get_by_text("Audit log")).to_have_count(0)


def test_a_copied_session_cookie_is_http_only_and_dies_at_sign_out(
    signed_out_tab: ConsolePage, browser: Browser, browser_context_args: dict[str, Any]
) -> None:
    # Once: a copied console_sign_in cookie still signed in after Sign out, and page scripts could read it.
    tab = signed_out_tab.open("Monitoring")
    _sign_in(tab, VIEWER_PASSWORD)
    _wait_for_sign_in_cookie(tab)
    [cookie] = [c for c in tab.page.context.cookies() if c["name"] == SIGN_IN_COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert SIGN_IN_COOKIE not in tab.page.evaluate("() => document.cookie")
    thief = browser.new_context(**{**browser_context_args, "storage_state": {"cookies": [cookie], "origins": []}})
    try:
        stolen = ConsolePage(thief.new_page(), tab.base_url).open("Monitoring")
        expect(stolen.main.get_by_role("heading", name="Monitoring")).to_be_visible()  # the copy works until...
        tab.open("Monitoring")
        tab.page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
        tab.settle()
        expect(tab.main.get_by_role("heading", name="Sign in")).to_be_visible()
        stolen.open("Monitoring")  # ...Sign out ends the session on the server
        expect(stolen.main.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(stolen.main.get_by_role("heading", name="Monitoring")).to_have_count(0)
    finally:
        thief.close()
