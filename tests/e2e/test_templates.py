"""Message templates in a real browser and over real HTTP: the Templates page (list, search, filter, open one, its
history chart with the demo's pause and reinstatement), and a pause the simulator sends as Meta's signed webhook to
the console's /webhooks/whatsapp, which the Templates page and the Alerts page then show.

CONSOLE_SCREENSHOTS=1 refreshes docs/screenshots/templates-1440.png and templates-390.png.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session, col, func, select

from services.access import sessions
from services.settings import DEFAULT_GRAPH_API_VERSION
from services.simulator import Simulator
from services.store.engine import create_store_engine
from services.store.models import Alert, MessageTemplate
from services.templates.demo_fill import fill_demo_templates
from tests.e2e.conftest import ADMIN_EMAIL, _add_admin
from tests.e2e.console_page import PHONE_HEIGHT, PHONE_WIDTH, SCREENSHOT_HEIGHT, SCREENSHOT_WIDTH, ConsolePage
from tests.e2e.demo_history import simulator_anchor, write_demo_history
from tests.e2e.servers import Process, _start, _wait_healthy, free_port
from ui.sign_in import COOKIE

pytestmark = pytest.mark.e2e

APP_SECRET = "e2e-templates-app-secret"
STEP = timedelta(hours=2)


def _fill_templates(database_url: str, simulator_url: str) -> None:
    """The demo's 35 days of template history, unless the demo's first start already wrote it."""
    engine = create_store_engine(database_url)
    try:
        with Session(engine) as session:
            if session.exec(select(func.count()).select_from(MessageTemplate)).one():
                return
            anchor = simulator_anchor(simulator_url, version=DEFAULT_GRAPH_API_VERSION)
            twin = Simulator(clock=lambda: anchor, anchor=anchor)
            now = datetime.now(UTC)
            fill_demo_templates(session=session, simulator=twin, start=anchor - timedelta(days=35), end=now, step=STEP)
            session.commit()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def with_templates(console_server: Process, simulator: Process, e2e_dir: Path) -> None:
    _fill_templates(f"sqlite:///{e2e_dir / 'e2e.sqlite'}", simulator.url)


def _figure(console: ConsolePage) -> list[dict[str, Any]]:
    """The traces of the page's one Plotly chart, as the browser holds them."""
    console.page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").first.wait_for()
    return console.page.evaluate(
        """() => document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot").data
            .map(t => ({type: t.type, y: t.y, text: t.text, base: t.base, customdata: t.customdata}))"""
    )


def _status_bands(traces: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = [
        (trace["base"][i], trace["text"][i])
        for trace in traces
        if trace["type"] == "bar" and trace.get("base")
        for i, lane in enumerate(trace["y"])
        if lane == "Status"
    ]
    return [(start, words) for start, words in sorted(found)]


def _open_template(console: ConsolePage, option: str) -> None:
    """Pick a template in "Open a template", typing to find it (the option list shows only a few at a time)."""
    console.selectbox("Open a template").click()
    console.page.keyboard.type(option.split(" · ")[0])
    console.page.get_by_role("option", name=option, exact=True).click()
    console.settle()


def _plot_boxes(console: ConsolePage) -> list[dict[str, float]]:
    return console.page.evaluate(
        """() => Array.from(document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot"))
            .map(g => { const r = g.getBoundingClientRect(); return {x: r.x, width: r.width}; })"""
    )


def test_the_templates_page_lists_searches_filters_and_opens_a_template(
    console: ConsolePage, with_templates: None
) -> None:
    console.open("Templates")
    main = console.main
    expect(main.get_by_role("heading", name="Templates", exact=True)).to_be_visible()
    expect(main.get_by_text("Templates 1–34 of 34 · page 1 of 1")).to_be_visible()
    console.type_into("Search by name", "coffee")
    expect(main.get_by_text("Templates 1–2 of 2 · page 1 of 1")).to_be_visible()
    console.type_into("Search by name", "")
    console.choose("Status", "Rejected")
    expect(main.get_by_text("Templates 1–1 of 1 · page 1 of 1")).to_be_visible()
    console.page.keyboard.press("Escape")
    console.open("Templates")
    console.choose("Language", "English (United States)")
    expect(main.get_by_text("Templates 1–18 of 18 · page 1 of 1")).to_be_visible()
    console.page.keyboard.press("Escape")
    _open_template(console, "spring_sale · English (United States)")
    expect(main.get_by_role("heading", level=1)).to_contain_text("spring_sale")
    assert "Templates?template=" in console.page.url
    # The demo's pause ten days ago and its reinstatement three hours later, on the history chart.
    bands = _status_bands(_figure(console))
    assert [words for _, words in bands] == ["Active", "Paused for 3 hours", "Active"], bands
    expect(main.get_by_text("Status changed from Paused to Active", exact=False).first).to_be_visible()
    console.assert_clean()


@pytest.mark.parametrize(
    ("width", "height", "name"),
    [(SCREENSHOT_WIDTH, SCREENSHOT_HEIGHT, "templates-1440"), (PHONE_WIDTH, PHONE_HEIGHT, "templates-390")],
)
def test_a_disabled_templates_page_says_why_and_fits_the_screen(
    console: ConsolePage, with_templates: None, e2e_dir: Path, width: int, height: int, name: str
) -> None:
    engine = create_store_engine(f"sqlite:///{e2e_dir / 'e2e.sqlite'}")
    with Session(engine) as session:
        template_id = session.exec(
            select(MessageTemplate.id).where(col(MessageTemplate.name) == "garden_flash_sale")
        ).one()
    engine.dispose()
    console.page.set_viewport_size({"width": width, "height": height})
    console.open(f"Templates?template={template_id}")
    main = console.main
    expect(main.get_by_role("heading", level=1)).to_contain_text("garden_flash_sale")
    status = main.get_by_test_id("stMetric").filter(has_text="Status")
    expect(status).to_contain_text("Disabled")
    box = status.bounding_box()
    assert box is not None and box["y"] < height, "the template's status is below the first screen"
    expect(main.get_by_text("What to do:", exact=False).first).to_be_visible()
    words = [words for _, words in _status_bands(_figure(console))]
    assert words.count("Paused for 3 hours") == 1 and words.count("Paused for 6 hours") == 1, words
    assert words[-1].startswith("Disabled"), words
    boxes = _plot_boxes(console)
    assert boxes and all(b["x"] >= 0 and b["x"] + b["width"] <= width + 1 for b in boxes), boxes
    console.screenshot(name)
    console.assert_clean()


# --- a pause sent by the simulator as Meta's signed webhook -------------------------------------------------------


@pytest.fixture(scope="module")
def webhook_pair(tmp_path_factory: pytest.TempPathFactory, secret_key: str) -> Iterator[tuple[Process, Process, str]]:
    """A simulator that signs and posts its webhooks to a console of its own, which reads its Graph API from it."""
    root = tmp_path_factory.mktemp("templates-webhooks")
    console_port = free_port()
    console_url = f"http://127.0.0.1:{console_port}"
    sim_port = free_port()
    simulator = _start(
        "Graph API simulator (webhooks)",
        [sys.executable, "-m", "services.simulator", "--port", str(sim_port)]
        + ["--webhook-url", f"{console_url}/webhooks/whatsapp", "--app-secret", APP_SECRET],
        env=dict(os.environ),
        log=root / "simulator.log",
        url=f"http://127.0.0.1:{sim_port}",
    )
    _wait_healthy(simulator, "/_simulator/health", lambda r: r.status_code == 200)
    store_url = f"sqlite:///{root / 'templates.sqlite'}"
    _add_admin(store_url)
    write_demo_history(
        database_url=store_url, secret_key=secret_key, simulator_url=simulator.url, version=DEFAULT_GRAPH_API_VERSION
    )
    _fill_templates(store_url, simulator.url)
    env = {
        "DATABASE_URL": store_url,
        "GRAPH_API_URL": simulator.url,
        "CONSOLE_SECRET_KEY": secret_key,
        "CONSOLE_DATA_DIR": str(root / "data"),
        "POLL_INTERVAL_SECONDS": "3600",
        "META_APP_SECRET": APP_SECRET,
        "WEBHOOK_VERIFY_TOKEN": "e2e-templates-verify",
    }
    args = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true"]
    args += ["--server.address=127.0.0.1", f"--server.port={console_port}", "--browser.gatherUsageStats=false"]
    args += ["--server.fileWatcherType=none"]
    console = _start(
        "streamlit run app.py (templates)", args, env={**os.environ, **env}, log=root / "st.log", url=console_url
    )
    _wait_healthy(console, "/_stcore/health", lambda r: r.status_code == 200 and r.text.strip() == "ok")
    try:
        yield simulator, console, store_url
    finally:
        console.stop()
        simulator.stop()


def _tab(browser: Browser, console: Process, store_url: str) -> ConsolePage:
    engine = create_store_engine(store_url)
    try:
        with Session(engine) as session:
            now = datetime.now(UTC)
            started = sessions.start(session=session, email=ADMIN_EMAIL, now=now, client="e2e-templates")
            redeemed = sessions.redeem(session=session, ticket=started.ticket, now=now)
    finally:
        engine.dispose()
    assert redeemed is not None
    cookie = {"name": COOKIE, "value": redeemed[0], "url": console.url, "sameSite": "Lax", "httpOnly": True}
    context = browser.new_context(storage_state={"cookies": [cookie], "origins": []}, timezone_id="UTC")
    return ConsolePage(context.new_page(), console.url)


def _wait_for(condition: Any, what: str, timeout_s: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout_s:.0f} s"
        time.sleep(0.2)
    return found


def test_a_pause_sent_as_metas_signed_webhook_shows_on_the_templates_page_and_opens_an_alert(
    webhook_pair: tuple[Process, Process, str], browser: Browser
) -> None:
    simulator, console, store_url = webhook_pair
    listing = httpx.get(f"{simulator.url}/_simulator/templates", params={"waba_id": "2000000000000021"}).json()
    (offer,) = [t for t in listing["templates"] if (t["name"], t["language"]) == ("coffee_club_offer", "en_US")]
    pause = {"template_id": offer["id"], "status": "PAUSED", "title": "FIRST_PAUSE"}
    answer = httpx.post(f"{simulator.url}/_simulator/templates", json=pause, timeout=10)
    assert answer.status_code == 200 and answer.json()["queued"], answer.text

    def delivered() -> bool:
        deliveries = httpx.get(f"{simulator.url}/_simulator/webhooks").json()["deliveries"]
        return any(d["delivered"] and "message_template_status_update" in d["fields"] for d in deliveries)

    _wait_for(delivered, "the signed webhook's delivery (answered 200)")
    engine = create_store_engine(store_url)
    try:

        def paused() -> bool:
            with Session(engine) as session:
                return session.get(MessageTemplate, offer["id"]).status == "PAUSED"  # type: ignore[union-attr]

        _wait_for(paused, "the pause applied to the store")
        with Session(engine) as session:
            alerts = session.exec(select(Alert).where(col(Alert.subject_id) == offer["id"])).all()
    finally:
        engine.dispose()
    assert [a.rule for a in alerts] == ["template_paused"], alerts

    tab = _tab(browser, console, store_url)
    tab.open("Templates")
    tab.choose("Status", "Paused")
    expect(tab.main.get_by_text("Templates 1–1 of 1 · page 1 of 1")).to_be_visible()
    tab.page.keyboard.press("Escape")
    _open_template(tab, "coffee_club_offer · English (United States)")
    expect(tab.main.get_by_role("heading", level=1)).to_contain_text("⛔")
    expect(tab.main.get_by_text("is paused for 3 hours", exact=False).first).to_be_visible()
    tab.open("Alerts")
    # The alerts table is a data grid: its cells are in the page's accessible table, drawn on a canvas.
    expect(tab.main.get_by_text("Template coffee_club_offer (en_US) is paused", exact=False).first).to_be_attached()
    tab.assert_clean()
    assert "Traceback" not in console.log_text()
