"""Meta's webhooks over real HTTP against `streamlit run app.py`: handshake, signature, limits, duplicates, a ban
on the overview within 5 s without a poll, a replica that shows it too, and nothing lost to a SIGKILL after 200.

The consoles here have a Meta app secret and verify token of their own (the session's console has none, so it
answers 503) and share one SQLite store holding the demo's credentials and history.
"""

from __future__ import annotations

import json
import os
import signal
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
from services.settings import DEFAULT_GRAPH_API_VERSION
from services.store.engine import create_store_engine
from services.store.models import WebhookDelivery, WebhookEvent, WebhookRefusal
from services.webhooks.signature import sign
from tests.e2e.conftest import ADMIN_EMAIL, _add_admin
from tests.e2e.console_page import ConsolePage
from tests.e2e.demo_history import write_demo_history
from tests.e2e.servers import Process, start_console
from ui.sign_in import COOKIE

APP_SECRET = "e2e-meta-app-secret"
VERIFY_TOKEN = "e2e-verify-token"
PATH = "/webhooks/whatsapp"
JASPERS_WABA = "2000000000000011"
SHOWN_WITHIN_S = 5.0


class Consoles:
    """The consoles of this module on one store; `start()` adds one (or restarts the first after a kill)."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env, self.started = root, env, 0

    def start(self) -> Process:
        self.started += 1
        log_dir = self.root / f"console-{self.started}"
        log_dir.mkdir()
        return start_console(log_dir, self.env)


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory, simulator: Process, secret_key: str) -> str:
    root = tmp_path_factory.mktemp("webhooks")
    url = f"sqlite:///{root / 'webhooks.sqlite'}"
    _add_admin(url)
    write_demo_history(
        database_url=url, secret_key=secret_key, simulator_url=simulator.url, version=DEFAULT_GRAPH_API_VERSION
    )
    return url


@pytest.fixture(scope="module")
def consoles(tmp_path_factory: pytest.TempPathFactory, store_url: str, simulator: Process, secret_key: str) -> Consoles:
    env = {
        "DATABASE_URL": store_url,
        "GRAPH_API_URL": simulator.url,
        "CONSOLE_SECRET_KEY": secret_key,
        "CONSOLE_DATA_DIR": str(tmp_path_factory.mktemp("webhooks-data")),
        "POLL_INTERVAL_SECONDS": "3600",
        "META_APP_SECRET": APP_SECRET,
        "WEBHOOK_VERIFY_TOKEN": VERIFY_TOKEN,
    }
    return Consoles(tmp_path_factory.mktemp("webhook-consoles"), env)


@pytest.fixture(scope="module")
def console_a(consoles: Consoles) -> Iterator[Process]:
    process = consoles.start()
    yield process
    process.stop()


def _rows(store_url: str, model: type, *where: Any) -> list[Any]:
    engine = create_store_engine(store_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(model).where(*where).order_by(col(model.id))))
    finally:
        engine.dispose()


def _post(url: str, document: Any, *, secret: str | None = APP_SECRET, raw: bytes | None = None) -> httpx.Response:
    body = raw if raw is not None else json.dumps(document).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, secret)
    return httpx.post(f"{url}{PATH}", content=body, headers=headers, timeout=10.0)


def _delivery(field: str, value: dict[str, Any]) -> dict[str, Any]:
    entry = {"id": JASPERS_WABA, "time": int(time.time()), "changes": [{"field": field, "value": value}]}
    return {"object": "whatsapp_business_account", "entry": [entry]}


def _alert(description: str) -> dict[str, Any]:
    info = {"alert_severity": "INFORMATIONAL", "alert_status": "ACTIVE", "alert_description": description}
    return _delivery("account_alerts", {"entity_type": "BUSINESS", "entity_id": "1000000000000001", "alert_info": info})


def _wait_for(condition: Any, what: str, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout_s:.0f} s"
        time.sleep(0.1)


def _summaries(store_url: str, needle: str) -> list[str]:
    return [e.summary for e in _rows(store_url, WebhookEvent) if needle in e.summary]


def test_the_handshake_answers_the_challenge_only_for_the_right_token(console_a: Process) -> None:
    right = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    answer = httpx.get(f"{console_a.url}{PATH}", params=right)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    assert answer.headers["content-type"].startswith("text/plain")
    for wrong in ({**right, "hub.verify_token": "guess"}, {**right, "hub.mode": "unsubscribe"}, {}):
        assert httpx.get(f"{console_a.url}{PATH}", params=wrong).status_code == 403


def test_only_a_body_signed_with_the_app_secret_is_stored(console_a: Process, store_url: str) -> None:
    document = _alert("signature check")
    raw = json.dumps(document).encode()
    refused_before = len(_rows(store_url, WebhookRefusal))
    assert _post(console_a.url, document, secret=None).status_code == 401
    assert _post(console_a.url, document, secret="not the app secret").status_code == 401
    changed = raw.replace(b"signature check", b"signature checK")
    forged = httpx.post(
        f"{console_a.url}{PATH}", content=changed, headers={"X-Hub-Signature-256": sign(raw, APP_SECRET)}
    )
    assert forged.status_code == 401
    assert not [d for d in _rows(store_url, WebhookDelivery) if "signature chec" in d.body]
    refusals = _rows(store_url, WebhookRefusal)[refused_before:]
    assert [r.reason for r in refusals] == ["missing_signature", "bad_signature", "bad_signature"]
    assert all(r.source_address == "127.0.0.1" and r.body_bytes == len(raw) for r in refusals)
    assert _post(console_a.url, document).status_code == 200
    _wait_for(lambda: _summaries(store_url, "signature check"), "the signed delivery's event")


def test_an_oversized_body_is_413_and_a_body_that_is_not_json_is_400(console_a: Process, store_url: str) -> None:
    big = b'{"entry": [], "pad": "' + b"x" * (1024 * 1024) + b'"}'
    assert _post(console_a.url, None, raw=big).status_code == 413
    assert _post(console_a.url, None, raw=b"entry=1&object=page").status_code == 400
    reasons = [r.reason for r in _rows(store_url, WebhookRefusal)[-2:]]
    assert reasons == ["too_large", "not_json"]


def test_a_duplicate_delivery_is_recorded_once(console_a: Process, store_url: str) -> None:
    document = _alert("sent twice by Meta")
    assert _post(console_a.url, document).status_code == 200
    assert _post(console_a.url, document).status_code == 200
    resent = dict(document, entry=[dict(document["entry"][0], time=document["entry"][0]["time"] + 30)])
    assert _post(console_a.url, resent).status_code == 200  # a re-sent batch with another time: the same change
    _wait_for(lambda: _summaries(store_url, "sent twice by Meta"), "the event")
    time.sleep(1.0)
    assert len(_summaries(store_url, "sent twice by Meta")) == 1
    assert len([d for d in _rows(store_url, WebhookDelivery) if "sent twice by Meta" in d.body]) == 2


def _tab(browser: Browser, console: Process, store_url: str) -> ConsolePage:
    engine = create_store_engine(store_url)
    try:
        with Session(engine) as session:
            now = datetime.now(UTC)
            started = sessions.start(session=session, email=ADMIN_EMAIL, now=now, client="e2e-webhooks")
            redeemed = sessions.redeem(session=session, ticket=started.ticket, now=now)
    finally:
        engine.dispose()
    assert redeemed is not None
    cookie = {"name": COOKIE, "value": redeemed[0], "url": console.url, "sameSite": "Lax", "httpOnly": True}
    context = browser.new_context(storage_state={"cookies": [cookie], "origins": []}, timezone_id="UTC")
    return ConsolePage(context.new_page(), console.url)


BANNED = "WhatsApp Business Account Jasper's Market"


def test_a_ban_shows_on_the_overview_within_5_s_and_on_a_replica_that_did_not_receive_it(
    console_a: Process, consoles: Consoles, store_url: str, browser: Browser
) -> None:
    tab = _tab(browser, console_a, store_url)
    tab.open()
    attention = tab.main.get_by_role("heading", name="Needs attention")
    expect(attention).to_be_visible()
    expect(tab.main.get_by_text(BANNED, exact=True)).to_have_count(0)

    ban = _delivery("account_update", {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "DISABLE"}})
    answered = _post(console_a.url, ban)
    posted = time.monotonic()
    assert answered.status_code == 200
    while True:
        tab.open()
        if tab.main.get_by_text(BANNED, exact=True).count():
            break
        assert time.monotonic() - posted < SHOWN_WITHIN_S, "the ban is not on the overview within 5 s"
    expect(tab.main.get_by_text("was rejected in Meta's review (the account is banned)")).to_be_visible()
    assert time.monotonic() - posted < SHOWN_WITHIN_S
    tab.assert_clean()

    replica = consoles.start()
    try:
        other = _tab(browser, replica, store_url)
        other.open()
        expect(other.main.get_by_text(BANNED, exact=True)).to_be_visible()
        other.assert_clean()
        assert "Traceback" not in replica.log_text()
    finally:
        replica.stop()
    assert "Traceback" not in console_a.log_text()


def test_without_an_app_secret_outside_demo_mode_the_route_answers_503(console_server: Process) -> None:
    assert _post(console_server.url, _alert("nobody can verify this")).status_code == 503


def test_a_delivery_answered_then_killed_before_it_was_applied_is_applied_at_the_next_start(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_databases: Any,
    simulator: Process,
    secret_key: str,
) -> None:
    """Deterministic: the drain is held on a table lock, so the kill surely lands between the 200 and the apply."""
    url = postgres_databases.migrated()
    consoles = Consoles(
        tmp_path_factory.mktemp("killed-consoles"),
        {
            "DATABASE_URL": url,
            "GRAPH_API_URL": simulator.url,
            "CONSOLE_SECRET_KEY": secret_key,
            "CONSOLE_DATA_DIR": str(tmp_path_factory.mktemp("killed-data")),
            "POLL_INTERVAL_SECONDS": "3600",
            "META_APP_SECRET": APP_SECRET,
            "WEBHOOK_VERIFY_TOKEN": VERIFY_TOKEN,
        },
    )
    first = consoles.start()
    holder = create_store_engine(url)
    try:
        with holder.connect() as connection:
            held = connection.begin()
            # Storing a delivery writes webhook_delivery only; applying it records into webhook_event: that waits.
            connection.exec_driver_sql("LOCK TABLE webhook_event IN EXCLUSIVE MODE")
            answered = _post(first.url, _alert("killed before it was applied"))
            assert answered.status_code == 200
            _wait_for(
                lambda: [d for d in _rows(url, WebhookDelivery) if "killed before it was applied" in d.body],
                "the stored delivery",
            )
            time.sleep(1.0)  # time for the woken drain to reach the lock
            os.kill(first.popen.pid, signal.SIGKILL)
            first.popen.wait(timeout=10)
            held.rollback()
        [stored] = [d for d in _rows(url, WebhookDelivery) if "killed before it was applied" in d.body]
        assert (stored.outcome, stored.processed_at) == ("pending", None), "applied before the kill: nothing proved"
        assert not _summaries(url, "killed before it was applied")

        restarted = consoles.start()  # its drain's first sweep applies what the kill left pending
        try:
            _wait_for(lambda: _summaries(url, "killed before it was applied"), "the event after the restart")
            [delivery] = _rows(url, WebhookDelivery, col(WebhookDelivery.id) == stored.id)
            assert delivery.outcome == "applied"
        finally:
            restarted.stop()
    finally:
        holder.dispose()
        first.stop()
