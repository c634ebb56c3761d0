"""The Webhooks page: what to paste into Meta's app, what arrived (in words, newest first) and what was refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.runtime import open_store
from services.store.models import WebhookDelivery, WebhookEvent, WebhookRefusal, WhatsAppBusinessAccount
from services.webhooks.secrets import VERIFY_TOKEN_FILE
from tests.demo_store import use_shared_demo_store

PAGE = "../../pages/6_Webhooks.py"
ADMIN = Actor(email="lead@example.com", role="admin")
VIEWER = Actor(email="watcher@example.com", role="viewer")
T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _page(actor: Actor = ADMIN) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["signed_in_actor"] = actor
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "success", "code") for e in at.get(kind)]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(str(p) for p in parts)


def _event(delivery_id: int, key: str, field: str, waba_id: str | None, summary: str, at: datetime) -> WebhookEvent:
    return WebhookEvent(
        delivery_id=delivery_id,
        event_key=key,
        field=field,
        waba_id=waba_id,
        occurred_at=at - timedelta(minutes=1),
        received_at=at,
        value={},
        summary=summary,
        outcome="applied" if field != "x_future_field" else "unknown_field",
    )


@pytest.fixture
def arrived(console_env: dict[str, str]) -> None:
    with Session(open_store()) as session:
        session.add(WhatsAppBusinessAccount(id="2000000000000021", name="Aurora <b>Coffee</b>"))
        delivery = WebhookDelivery(received_at=T0, body_sha256="a" * 64, body="{}", outcome="applied")
        session.add(delivery)
        session.flush()
        assert delivery.id is not None
        session.add_all(
            [
                _event(delivery.id, "1", "account_update", "2000000000000021", "Meta restricted Aurora Coffee.", T0),
                _event(
                    delivery.id,
                    "2",
                    "business_capability_update",
                    "2000000000000011",
                    "Limit raised.",
                    T0 - timedelta(minutes=30),
                ),
                _event(
                    delivery.id, "3", "x_future_field", "2000000000000021", "Something new.", T0 + timedelta(hours=2)
                ),
            ]
        )
        session.add(WebhookRefusal(at=T0 + timedelta(hours=1), source_address="203.0.113.9", reason="bad_signature"))
        session.add(WebhookRefusal(at=T0, source_address="198.51.100.4", reason="missing_signature", body_bytes=12))
        session.commit()


def test_events_read_in_words_newest_first_with_the_last_per_account(
    arrived: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY_TIMEZONE", "Europe/Berlin")
    at = _page()
    last, refused, events = (frame.value for frame in at.dataframe)
    assert list(events["What happened"]) == ["Something new.", "Meta restricted Aurora Coffee.", "Limit raised."]
    assert list(events["About"]) == [
        "Not known to the console (x future field)",
        "Account update",
        "Portfolio limits",
    ]
    assert list(events["WhatsApp Business Account"]) == [
        "Aurora <b>Coffee</b> (2000000000000021)",
        "Aurora <b>Coffee</b> (2000000000000021)",
        "2000000000000011",
    ]
    assert events["Received"].iloc[0].isoformat() == "2026-11-02T12:30:00+01:00"
    assert list(events["Outcome"])[0] == "Stored; the console does not know this kind of event"
    assert list(last["What happened"]) == ["Something new.", "Limit raised."]
    assert list(refused["Why"]) == ["Wrong signature", "No signature"]
    assert list(refused["From address"]) == ["203.0.113.9", "198.51.100.4"]
    assert refused["Refused"].iloc[0].isoformat() == "2026-11-02T11:30:00+01:00"
    assert "Times in Europe/Berlin. The newest 200 events." in [c.value for c in at.caption]
    newest = [m.value for m in at.markdown if m.value.startswith("Newest event")]
    assert newest == ["Newest event: Something new\\."]


def test_outside_demo_without_an_app_secret_it_says_how_to_turn_webhooks_on(
    console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSOLE_BASE_URL", "https://console.example.com/")
    at = _page()
    (warning,) = at.warning
    assert warning.value.startswith("Webhooks are off") and "`META_APP_SECRET`" in warning.value
    assert [c.value for c in at.code] == ["https://console.example.com/webhooks/whatsapp"]
    assert "No webhook event has arrived yet." in [i.value for i in at.info]
    assert [s.value for s in at.success] == ["No delivery has been refused."]


def test_outside_demo_the_secrets_are_never_shown(console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("META_APP_SECRET", "app-secret-never-shown")
    monkeypatch.setenv("WEBHOOK_VERIFY_TOKEN", "verify-token-never-shown")
    at = _page()
    shown = _shown(at)
    assert not at.warning
    assert "never-shown" not in shown
    assert "The verify token is the `WEBHOOK_VERIFY_TOKEN` you set; it is not shown here." in shown
    # AppTest has no browser to tell the console's address: the page asks for CONSOLE_BASE_URL instead.
    assert "Set `CONSOLE_BASE_URL`" in shown and not at.code


def test_without_a_verify_token_it_says_meta_cannot_verify_yet(
    console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("META_APP_SECRET", "app-secret-never-shown")
    (warning,) = _page().warning
    assert warning.value.startswith("Meta cannot verify the callback yet")


def test_viewers_see_neither_settings_nor_events(arrived: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_BASE_URL", "https://console.example.com")
    at = _page(VIEWER)
    assert [i.value for i in at.info] == ["Only admins can see the webhook settings and what Meta has sent."]
    assert not at.dataframe and not at.code


def test_demo_mode_shows_the_callback_and_the_generated_verify_token(
    console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    use_shared_demo_store(monkeypatch, tmp_path_factory)
    monkeypatch.setenv("CONSOLE_BASE_URL", "http://localhost:8501")
    at = _page()
    token = (Path(tmp_path_factory.getbasetemp()) / "shared-demo-console" / "data" / VERIFY_TOKEN_FILE).read_text()
    assert [c.value for c in at.code] == ["http://localhost:8501/webhooks/whatsapp", token.strip()]
    assert not at.warning
    assert any(c.value.startswith("Demo mode: the built-in Graph API simulator posts") for c in at.caption)
