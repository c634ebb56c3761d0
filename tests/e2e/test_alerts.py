"""Alerts over real processes: a ban webhook reaches an email inbox (aiosmtpd) and a webhook receiver within 10 s,
a receiver that was down gets the alert once it is back (same idempotency key), deliveries pending when the
console and its sender are SIGKILLed are delivered after the restart, a flapping number raises one alert, and the
Alerts page shows open alerts with their delivery log in the browser.

Outside demo mode the console writes alerts and their deliveries (the outbox, with the webhook's health change);
`python -m services.poller` beside it sends them, as in a shared deployment.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session, col, select

from services.access import sessions
from services.alerts.rules import RULES
from services.alerts.sender import LEASE
from services.settings import DEFAULT_GRAPH_API_VERSION
from services.simulator.demo import AURORA_WABA, JASPERS_WABA
from services.store.engine import create_store_engine
from services.store.models import Alert, AlertDelivery, PollerLease
from services.webhooks.signature import sign
from tests.e2e.conftest import ADMIN_EMAIL, _add_admin
from tests.e2e.console_page import PHONE_HEIGHT, PHONE_WIDTH, ConsolePage
from tests.e2e.demo_history import write_demo_history
from tests.e2e.servers import ROOT, Process, start_console
from tests.smtp_server import Inbox, smtp_server
from tests.webhook_receiver import Receiver, receiving
from ui.sign_in import COOKIE

pytestmark = pytest.mark.e2e
APP_SECRET = "e2e-alerts-app-secret"
ALERT_SECRET = "e2e-alert-webhook-secret"
WITHIN_S = 10.0
AURORA_DELIVERIES = "+1 212-555-0107"


class Stack:
    """The console and the sender (the poller process) on one store; killed and started again as a test needs."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env, self.started = root, env, 0
        self.console: Process | None = None
        self.sender: subprocess.Popen[bytes] | None = None

    def start(self) -> Stack:
        self.started += 1
        log_dir = self.root / f"run-{self.started}"
        log_dir.mkdir()
        self.console = start_console(log_dir, self.env)
        with (log_dir / "poller.log").open("wb") as log:
            self.sender = subprocess.Popen(
                [sys.executable, "-m", "services.poller"],
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        for popen in (self.console.popen if self.console else None, self.sender):
            if popen is not None and popen.poll() is None:
                os.kill(popen.pid, signal.SIGKILL)
                popen.wait(timeout=10)

    def stop(self) -> None:
        if self.sender is not None and self.sender.poll() is None:
            self.sender.terminate()
            try:
                self.sender.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.sender.kill()
        if self.console is not None:
            self.console.stop()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.root.glob("run-*/*.log")))


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server() as found:
        yield found


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with receiving("/hooks/alerts") as found:
        yield found


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory, simulator: Process, secret_key: str) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('alerts') / 'alerts.sqlite'}"
    _add_admin(url)
    write_demo_history(
        database_url=url, secret_key=secret_key, simulator_url=simulator.url, version=DEFAULT_GRAPH_API_VERSION
    )
    return url


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    store_url: str,
    simulator: Process,
    secret_key: str,
    inbox: Inbox,
    receiver: Receiver,
) -> Iterator[Stack]:
    env = {
        "DATABASE_URL": store_url,
        "GRAPH_API_URL": simulator.url,
        "CONSOLE_SECRET_KEY": secret_key,
        "CONSOLE_DATA_DIR": str(tmp_path_factory.mktemp("alerts-data")),
        "POLL_INTERVAL_SECONDS": "3600",
        "META_APP_SECRET": APP_SECRET,
        "WEBHOOK_VERIFY_TOKEN": "e2e-alerts-verify-token",
        "SMTP_URL": f"smtp://127.0.0.1:{inbox.port}",
        "ALERT_EMAIL_FROM": "console@example.com",
        "ALERT_EMAIL_TO": "oncall@example.com",
        "ALERT_WEBHOOK_URL": receiver.url,
        "ALERT_WEBHOOK_SECRET": ALERT_SECRET,
        "CONSOLE_BASE_URL": "https://console.example.com",
    }
    running = Stack(tmp_path_factory.mktemp("alerts-stack"), env).start()
    _wait_for(lambda: _sender_holds_lease(store_url), "the sender's lease", timeout_s=60)
    yield running
    running.stop()
    assert "Traceback" not in running.logs(), running.logs()


def _rows(store_url: str, model: type, *where: Any) -> list[Any]:
    engine = create_store_engine(store_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(model).where(*where)))
    finally:
        engine.dispose()


def _sender_holds_lease(store_url: str) -> bool:
    now = datetime.now(UTC)
    return any(lease.expires_at > now for lease in _rows(store_url, PollerLease, col(PollerLease.name) == LEASE))


def _wait_for(condition: Any, what: str, timeout_s: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout_s:.0f} s"
        time.sleep(0.1)
    return found


def _post(console: Process, waba_id: str, field: str, value: dict[str, Any]) -> None:
    entry = {"id": waba_id, "time": int(time.time()), "changes": [{"field": field, "value": value}]}
    body = json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)}
    assert httpx.post(f"{console.url}/webhooks/whatsapp", content=body, headers=headers, timeout=10).status_code == 200


def _ban(console: Process, waba_id: str, state: str = "DISABLE") -> None:
    ban = {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": state}}
    _post(console, waba_id, "account_update", ban)


def _alerts(store_url: str, rule: str, subject_id: str) -> list[Alert]:
    return _rows(store_url, Alert, col(Alert.rule) == rule, col(Alert.subject_id) == subject_id)


def _deliveries(store_url: str, alert: Alert) -> list[AlertDelivery]:
    return _rows(store_url, AlertDelivery, col(AlertDelivery.alert_id) == alert.id)


def _posts_of(receiver: Receiver, alert: Alert) -> list[Any]:
    return [post for post in receiver.posts if json.loads(post.body)["alert"]["alert"]["id"] == alert.id]


def _mails_of(inbox: Inbox, alert: Alert) -> list[Any]:
    wanted = f"{alert.severity.capitalize()}: {alert.title}"
    return [m for m in inbox.messages if _subject(m) == wanted]


def _subject(mail: Any) -> str:
    """The Subject as written (a long one comes back folded, with the fold's whitespace)."""
    return " ".join(str(mail.message["Subject"]).split())


def _settled(store_url: str) -> None:
    """Wait until the outbox holds nothing pending (what the start-up poll opened has gone out)."""
    _wait_for(lambda: not _rows(store_url, AlertDelivery, col(AlertDelivery.state) == "pending"), "a quiet outbox", 60)


def _name_decision(console: Process, display: str, decision: str) -> None:
    value = {"display_phone_number": display.removeprefix("+"), "decision": decision, "requested_verified_name": "X"}
    _post(console, JASPERS_WABA, "phone_number_name_update", value)


def test_a_ban_sends_one_email_and_one_webhook_post_within_10_s(
    stack: Stack, store_url: str, inbox: Inbox, receiver: Receiver
) -> None:
    assert stack.console is not None
    _settled(store_url)
    _ban(stack.console, JASPERS_WABA)
    posted = time.monotonic()
    [alert] = _wait_for(lambda: _alerts(store_url, "waba_banned", JASPERS_WABA), "the alert", WITHIN_S)
    _wait_for(lambda: _mails_of(inbox, alert), "the email", timeout_s=WITHIN_S - (time.monotonic() - posted))
    _wait_for(lambda: _posts_of(receiver, alert), "the webhook POST", timeout_s=WITHIN_S - (time.monotonic() - posted))
    assert time.monotonic() - posted < WITHIN_S
    time.sleep(6.0)  # a sender round or more: nothing is sent twice
    [mail] = _mails_of(inbox, alert)
    assert mail.recipients == ["oncall@example.com"] and mail.mail_from == "console@example.com"
    assert _subject(mail).startswith("Critical: WhatsApp Business Account Jasper's Market")
    [post] = _posts_of(receiver, alert)
    envelope = json.loads(post.body)
    assert envelope["text"].startswith("Critical: ") and post.headers["idempotency-key"]
    assert post.headers["x-console-signature-256"]
    assert {d.state for d in _deliveries(store_url, alert)} == {"delivered"}


def test_a_receiver_down_for_a_while_gets_the_alert_once_it_is_back_with_the_same_key(
    stack: Stack, store_url: str, receiver: Receiver
) -> None:
    assert stack.console is not None
    _settled(store_url)
    receiver.answers[:] = [503]  # down for the first attempt; the next (30 s later) finds it back
    _ban(stack.console, AURORA_WABA)
    [alert] = _wait_for(lambda: _alerts(store_url, "waba_banned", AURORA_WABA), "the alert")
    [hook] = _wait_for(
        lambda: [d for d in _deliveries(store_url, alert) if d.attempts == 1 and d.state == "pending" and d.last_error],
        "the failed first attempt",
    )
    tries = _wait_for(lambda: len(_posts_of(receiver, alert)) >= 2 and _posts_of(receiver, alert), "the retry", 60)
    assert [p.headers["idempotency-key"] for p in tries] == [hook.idempotency_key] * 2
    [delivered] = _wait_for(
        lambda: [d for d in _deliveries(store_url, alert) if d.id == hook.id and d.state == "delivered"], "delivered"
    )
    assert delivered.attempts == 2
    time.sleep(6.0)
    assert len(_posts_of(receiver, alert)) == 2


def test_deliveries_pending_when_the_console_is_killed_are_delivered_after_the_restart(
    stack: Stack, store_url: str, receiver: Receiver
) -> None:
    assert stack.console is not None
    _settled(store_url)
    receiver.answers[:] = [503] * 20  # the receiver stays down until the stack is killed
    _name_decision(stack.console, "+1 631-555-0102", "REJECTED")
    [alert] = _wait_for(lambda: _alerts(store_url, "display_name_rejected", "3000000000000102"), "the alert")
    [hook] = _wait_for(
        lambda: [d for d in _deliveries(store_url, alert) if d.state == "pending" and d.last_error],
        "a failed webhook attempt",
    )
    stack.kill()
    receiver.answers.clear()
    [still] = [d for d in _deliveries(store_url, alert) if d.id == hook.id]
    assert still.state == "pending", "delivered before the kill: nothing proved"
    stack.start()  # the new sender takes the lease once the dead one's expires (60 s), then sends what is due
    _wait_for(
        lambda: [d for d in _deliveries(store_url, alert) if d.id == hook.id and d.state == "delivered"],
        "the delivery after the restart",
        timeout_s=150,
    )
    assert {p.headers["idempotency-key"] for p in _posts_of(receiver, alert)} == {hook.idempotency_key}


def test_a_flapping_number_raises_one_alert(stack: Stack, store_url: str, inbox: Inbox) -> None:
    assert stack.console is not None
    for decision in ("REJECTED", "APPROVED", "REJECTED", "APPROVED", "REJECTED", "APPROVED"):
        _name_decision(stack.console, "+1 631-555-0103", decision)
        time.sleep(0.7)
    time.sleep(3.0)
    [alert] = _alerts(store_url, "display_name_rejected", "3000000000000103")
    opened = [d for d in _deliveries(store_url, alert) if d.kind == "opened"]
    assert opened and len(opened) == len({d.channel_id for d in opened})  # one message per channel, not per flap
    assert alert.state != "resolved"  # clear for less than the quiet time
    _wait_for(lambda: _mails_of(inbox, alert), "the email")
    time.sleep(6.0)
    assert len(_mails_of(inbox, alert)) == 1


def _tab(browser: Browser, console: Process, store_url: str) -> ConsolePage:
    engine = create_store_engine(store_url)
    try:
        with Session(engine) as session:
            now = datetime.now(UTC)
            started = sessions.start(session=session, email=ADMIN_EMAIL, now=now, client="e2e-alerts")
            redeemed = sessions.redeem(session=session, ticket=started.ticket, now=now)
    finally:
        engine.dispose()
    assert redeemed is not None
    cookie = {"name": COOKIE, "value": redeemed[0], "url": console.url, "sameSite": "Lax", "httpOnly": True}
    context = browser.new_context(
        storage_state={"cookies": [cookie], "origins": []}, timezone_id="UTC", viewport={"width": 1400, "height": 900}
    )
    return ConsolePage(context.new_page(), console.url)


def test_the_alerts_page_shows_open_alerts_and_the_delivery_log(stack: Stack, store_url: str, browser: Browser) -> None:
    assert stack.console is not None
    _ban(stack.console, JASPERS_WABA)  # open already, or opened now: either way on the page
    [alert] = _wait_for(lambda: _alerts(store_url, "waba_banned", JASPERS_WABA), "the alert")
    _wait_for(lambda: {d.state for d in _deliveries(store_url, alert)} == {"delivered"}, "its deliveries")
    tab = _tab(browser, stack.console, store_url)
    # Headless Chromium has no save dialog; without the File System Access API Streamlit downloads plainly.
    tab.page.add_init_script("delete window.showSaveFilePicker")
    tab.open()
    sidebar = tab.page.get_by_test_id("stSidebar")
    link = sidebar.get_by_role("link", name=" open alert")
    expect(link).to_have_attribute("href", "Alerts")
    expect(link).to_contain_text(re.compile(r"^🔔?\s*\d+ open alerts?$"))
    tab.open("Alerts")
    expect(tab.main.get_by_role("heading", name="Alerts", exact=True)).to_be_visible()
    expect(tab.main.get_by_role("heading", name="Delivery log")).to_be_visible()
    grids = tab.main.get_by_test_id("stDataFrame")
    expect(grids).to_have_count(2)
    shown = _grid_rows(tab, grids.first)
    [banned] = [row for row in shown if row["What"].startswith("WhatsApp Business Account Jasper's Market")]
    assert (banned["Severity"], banned["State"]) == ("🔴 Critical", "Open")
    assert {row["State"] for row in shown} == {"Open"}
    log = _grid_rows(tab, grids.nth(1))
    mine = [row for row in log if row["Alert"] == banned["What"]]
    assert sorted(row["Channel"] for row in mine) == ["Email (from settings)", "Webhook (from settings)"]
    assert {row["Outcome"] for row in mine} == {"✅ Delivered"}
    tab.assert_clean()


def _grid_rows(tab: ConsolePage, grid: Any) -> list[dict[str, str]]:
    """A table's rows through its own "Download as CSV" (the grid is drawn on a canvas)."""
    grid.evaluate("element => element.scrollIntoView({block: 'center'})")  # room for the toolbar above it
    grid.hover()
    with tab.page.expect_download() as download:
        grid.get_by_role("button", name="Download as CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        return list(csv.DictReader(io.StringIO(handle.read())))


def test_on_a_phone_every_rule_title_is_shown_whole(console: ConsolePage) -> None:
    console.page.set_viewport_size({"width": PHONE_WIDTH, "height": PHONE_HEIGHT})
    console.open("Alerts")
    expect(console.main.get_by_role("heading", name="Rules")).to_be_visible()
    labels = console.main.get_by_test_id("stCheckbox")
    expect(labels.first).to_be_visible()
    titles = {str(rule.title) for rule in RULES.values()}
    shown = {label.inner_text().strip(): label for label in labels.all()}
    assert titles <= set(shown), f"rules not on the page: {sorted(titles - set(shown))}"
    for title in titles:
        # A label cut with an ellipsis is wider inside than the box it is drawn in.
        cut = shown[title].evaluate(
            "e => [...e.querySelectorAll('*')].some("
            "x => getComputedStyle(x).textOverflow === 'ellipsis' && x.scrollWidth > x.clientWidth + 1)"
        )
        assert not cut, f"the rule {title!r} is cut short at {PHONE_WIDTH} px"
