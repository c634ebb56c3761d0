"""Demo mode in a real browser: the in-process simulator posts signed webhooks to the console's own route.

A `streamlit run app.py` of its own in demo mode (the shared console of the other browser tests is not a demo);
its first page view starts the simulator's feed, whose recent changes reach `/webhooks/whatsapp` on the same
server (Streamlit's `server.port`), pass the signature check and show on the Webhooks page in words.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session, col, select

from services.store.engine import create_store_engine
from services.store.models import WebhookEvent, WebhookRefusal
from tests.e2e.console_page import PHONE_HEIGHT, PHONE_WIDTH, ConsolePage
from tests.e2e.servers import Process, start_console

pytestmark = pytest.mark.e2e
ARRIVAL_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def demo_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Process, str]]:
    folder = tmp_path_factory.mktemp("demo-webhooks")
    database_url = f"sqlite:///{folder / 'demo.sqlite'}"
    env = {"GRAPH_API_URL": "demo", "DATABASE_URL": database_url, "CONSOLE_DATA_DIR": str(folder / "data")}
    process = start_console(folder, env)
    yield process, database_url
    process.stop()


def _events(database_url: str) -> list[WebhookEvent]:
    engine = create_store_engine(database_url)
    try:
        with Session(engine) as session:
            refused = session.exec(select(WebhookRefusal)).all()
            assert not refused, [(r.reason, r.source_address) for r in refused]
            return list(session.exec(select(WebhookEvent).order_by(col(WebhookEvent.id))))
    finally:
        engine.dispose()


def test_the_demo_shows_webhook_events_arriving(browser: Browser, demo_console: tuple[Process, str]) -> None:
    server, database_url = demo_console
    context = browser.new_context(viewport={"width": 1440, "height": 900}, timezone_id="UTC")
    try:
        tab = ConsolePage(context.new_page(), server.url)
        tab.open()
        tab.page.get_by_role("heading", name="Needs attention").wait_for(timeout=120_000)
        deadline = time.monotonic() + ARRIVAL_TIMEOUT_S
        templates = {"message_template_status_update", "message_template_quality_update"}

        def of_numbers(found: list[WebhookEvent]) -> list[tuple[str, str | None, str]]:
            return [(e.field, e.waba_id, e.outcome) for e in found if e.field not in templates]

        while len(of_numbers(events := _events(database_url))) < 4 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert of_numbers(events) == [
            ("business_capability_update", "2000000000000011", "applied"),
            ("phone_number_quality_update", "2000000000000011", "applied"),
            ("business_capability_update", "2000000000000021", "applied"),
            ("account_update", "2000000000000021", "applied"),
        ]
        # The demo's template pauses, rejection and disabling arrive by webhook too, and are applied.
        assert {e.outcome for e in events if e.field in templates} == {"applied"}
        tab.open("Webhooks")
        expect(tab.main.get_by_text(f"{server.url}/webhooks/whatsapp")).to_be_visible()
        expect(tab.main.get_by_text("Newest event:")).to_be_visible()
        expect(tab.main.get_by_text("Meta restricted").first).to_be_visible()
        tab.screenshot("webhooks-1440")
        tab.page.set_viewport_size({"width": PHONE_WIDTH, "height": PHONE_HEIGHT})
        tab.open("Webhooks")
        expect(tab.main.get_by_text("Newest event:")).to_be_visible()
        tab.screenshot("webhooks-390")
        tab.assert_clean()
    finally:
        context.close()
    assert "Traceback" not in Path(server.log).read_text()
