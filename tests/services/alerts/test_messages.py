"""An alert as a message: its subject line, text, HTML and payload."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.alerts.messages import message_for
from services.store.models import Alert
from tests.services.alerts.fleet import T0

TITLE = "+1 212-555-0107 (Aurora Coffee Deliveries) cannot send messages (Meta error 141006)"


def _alert(**fields: object) -> Alert:
    alert = Alert(
        id=7,
        rule="number_cannot_send",
        subject_kind="number",
        subject_id="1070",
        subject_name="+1 212-555-0107 (Aurora Coffee Deliveries)",
        severity="critical",
        state="open",
        title=TITLE,
        detail="cannot send messages Meta says: <payment> failed",
        advice="Update the payment method in WhatsApp Manager.",
        opened_at=T0,
        last_seen_at=T0,
    )
    for name, value in fields.items():
        setattr(alert, name, value)
    return alert


def test_an_opened_alert_reads_severity_first_with_its_link() -> None:
    message = message_for(_alert(), "opened", "https://console.example.com/")
    assert message.subject == f"Critical: {TITLE}"
    assert "What to do: Update the payment method in WhatsApp Manager." in message.text
    assert "Opened: 2 Mar 2026, 09:00 UTC" in message.text
    assert "https://console.example.com/alerts?alert=7" in message.text
    assert "&lt;payment&gt;" in message.html and "<payment>" not in message.html
    assert '<a href="https://console.example.com/alerts?alert=7">' in message.html
    payload = message.payload
    assert payload["event"] == "alert.opened"
    assert payload["alert"]["subject"] == {
        "kind": "number",
        "id": "1070",
        "name": "+1 212-555-0107 (Aurora Coffee Deliveries)",
    }
    assert payload["alert"]["opened_at"] == T0.isoformat() and payload["alert"]["severity"] == "critical"


def test_a_resolved_alert_says_so_without_advice_or_link_when_no_address() -> None:
    message = message_for(_alert(state="resolved", resolved_at=T0 + timedelta(hours=1)), "resolved", None)
    assert message.subject == f"Resolved: {TITLE}"
    assert "What to do" not in message.text and "Resolved:" in message.text and "console" not in message.text
    assert message.payload["event"] == "alert.resolved" and message.payload["alert"]["url"] is None
    assert message.payload["alert"]["resolved_at"] == (T0 + timedelta(hours=1)).isoformat()


def test_a_delivery_is_opened_or_resolved() -> None:
    with pytest.raises(ValueError):
        message_for(_alert(), "reminded", None)


def test_a_template_alert_links_to_the_templates_own_page() -> None:
    alert = _alert(
        rule="template_paused",
        subject_kind="template",
        subject_id="1689556908129832",
        subject_name="spring_sale (en_US)",
        title="Template spring_sale (en_US) is paused for 3 hours: customers blocked or reported it",
    )
    message = message_for(alert, "opened", "https://console.example.com/")
    page = "https://console.example.com/Templates?template=1689556908129832"
    assert f"The template's page: {page}" in message.text
    assert f'<a href="{page}">' in message.html and "The template's page" not in message.html.split("<a")[0]
    assert message.payload["alert"]["subject_url"] == page
    assert message_for(_alert(), "opened", "https://console.example.com/").payload["alert"]["subject_url"] is None
    assert "Templates?" not in message_for(alert, "opened", None).text
