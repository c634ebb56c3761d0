"""The Alerts page: open alerts in words with their deliveries, filters, the sidebar count, and admin switches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.runtime import open_store
from services.store.models import (
    Alert,
    AlertChannel,
    AlertDelivery,
    AlertRule,
    AuditEvent,
    PhoneNumber,
    WhatsAppBusinessAccount,
)
from tests.markdown import seen

PAGE = "../../pages/7_Alerts.py"
ADMIN = Actor(email="lead@example.com", role="admin")
VIEWER = Actor(email="watcher@example.com", role="viewer")
T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
AURORA, JASPER = "2000000000000021", "2000000000000011"
NUMBER = "3000000000000107"


def _page(actor: Actor = ADMIN, **state: object) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["signed_in_actor"] = actor
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _alert(rule: str, kind: str, subject: str, name: str, severity: str, title: str, **more: object) -> Alert:
    return Alert(
        rule=rule,
        subject_kind=kind,
        subject_id=subject,
        subject_name=name,
        severity=severity,
        title=title,
        opened_at=more.pop("opened_at", T0),
        last_seen_at=T0,
        **more,
    )


@pytest.fixture
def alerts(console_env: dict[str, str]) -> dict[str, int]:
    with Session(open_store()) as session:
        session.add(
            WhatsAppBusinessAccount(id=AURORA, name="Aurora Coffee", portfolio_id="P1", portfolio_name="Aurora")
        )
        session.add(
            WhatsAppBusinessAccount(id=JASPER, name="Jasper's Market", portfolio_id="P2", portfolio_name="Jasper")
        )
        session.flush()
        session.add(PhoneNumber(id=NUMBER, waba_id=AURORA, display_phone_number="+1 212-555-0107"))
        email = AlertChannel(kind="email", name="On-call team", min_severity="warning", config_ciphertext="sealed")
        hook = AlertChannel(kind="webhook", name="Slack #ops", min_severity="critical", config_ciphertext="sealed")
        session.add_all([email, hook])
        cannot = _alert(
            "number_cannot_send",
            "number",
            NUMBER,
            "+1 212-555-0107 (Aurora Coffee Deliveries)",
            "critical",
            "+1 212-555-0107 (Aurora Coffee Deliveries) cannot send: the number is blocked",
        )
        banned = _alert(
            "waba_banned",
            "waba",
            JASPER,
            "Jasper's Market",
            "critical",
            "Jasper's Market is banned",
            opened_at=T0 + timedelta(minutes=5),
        )
        quality = _alert(
            "quality_dropped",
            "number",
            NUMBER,
            "+1 212-555-0107",
            "warning",
            "Quality dropped to medium",
            opened_at=T0 - timedelta(hours=1),
        )
        old = _alert(
            "token_expiring",
            "console",
            "console",
            "",
            "info",
            "An old resolved alert",
            state="resolved",
            resolved_at=T0 + timedelta(hours=1),
            opened_at=T0 - timedelta(days=1),
        )
        session.add_all([cannot, banned, quality, old])
        session.flush()
        assert cannot.id and email.id and hook.id
        session.add_all(
            [
                AlertDelivery(
                    alert_id=cannot.id,
                    channel_id=email.id,
                    kind="opened",
                    idempotency_key="k1",
                    state="delivered",
                    attempts=1,
                    created_at=T0,
                    delivered_at=T0 + timedelta(seconds=3),
                ),
                AlertDelivery(
                    alert_id=cannot.id,
                    channel_id=hook.id,
                    kind="opened",
                    idempotency_key="k2",
                    state="pending",
                    attempts=2,
                    created_at=T0,
                    next_attempt_at=T0 + timedelta(minutes=2),
                    last_error="The receiver answered 503",
                ),
            ]
        )
        session.commit()
        return {"cannot": cannot.id, "banned": banned.id or 0, "quality": quality.id or 0}


def test_open_alerts_read_in_words_worst_first_with_a_link_to_the_number(alerts: dict[str, int]) -> None:
    at = _page(VIEWER)
    table = at.dataframe[0].value
    assert list(table["What"]) == [
        "Jasper's Market is banned",
        "+1 212-555-0107 (Aurora Coffee Deliveries) cannot send: the number is blocked",
        "Quality dropped to medium",
    ]
    assert list(table["Severity"]) == ["🔴 Critical", "🔴 Critical", "🟠 Warning"]
    assert list(table["State"]) == ["Open", "Open", "Open"]
    assert [link if isinstance(link, str) else None for link in table["Details"]] == [
        None,
        f"Phone_number?number={NUMBER}",
        f"Phone_number?number={NUMBER}",
    ]
    assert list(table["Sent"]) == ["No channel", "1 of 2", "No channel"]
    assert "An old resolved alert" not in list(table["What"])
    # An open alert has no resolution time: the column is left out, so what matters stays on screen.
    assert list(table.columns)[:7] == ["Severity", "What", "About", "State", "Opened", "Sent", "Details"]
    assert "Resolved" not in table.columns


def test_the_delivery_log_shows_each_channel_and_outcome(alerts: dict[str, int]) -> None:
    at = _page(VIEWER)
    log = at.dataframe[1].value
    assert sorted(log["Channel"]) == ["Email: On-call team", "Webhook: Slack #ops"]
    outcomes = dict(zip(log["Channel"], log["Outcome"], strict=True))
    assert outcomes["Email: On-call team"] == "✅ Delivered"
    assert outcomes["Webhook: Slack #ops"] == "⏳ Waiting to send, next try 2 Nov 2026, 09:32 UTC"
    assert list(log["Last error"]).count("The receiver answered 503") == 1
    assert "sealed" not in log.to_csv()


def test_filters_by_severity_waba_and_business(alerts: dict[str, int]) -> None:
    at = _page(VIEWER)
    at.multiselect(key="alerts_severity").set_value(["warning"]).run()
    assert list(at.dataframe[0].value["What"]) == ["Quality dropped to medium"]
    at.multiselect(key="alerts_severity").set_value([]).run()
    at.selectbox(key="alerts_waba").set_value(JASPER).run()
    assert list(at.dataframe[0].value["What"]) == ["Jasper's Market is banned"]
    at.selectbox(key="alerts_waba").set_value(None).run()
    at.selectbox(key="alerts_business").set_value("P1").run()
    assert len(at.dataframe[0].value) == 2
    at.selectbox(key="alerts_state").set_value("Resolved").run()
    assert [s.value for s in at.success] == ["No alert here: nothing is resolved for this selection."]
    at.selectbox(key="alerts_business").set_value(None).run()
    assert list(at.dataframe[0].value["What"]) == ["An old resolved alert"]
    assert "Resolved" in at.dataframe[0].value.columns


def test_the_sidebar_counts_open_alerts_on_every_page(alerts: dict[str, int]) -> None:
    at = _page(VIEWER)
    assert "🔔 [3 open alerts](Alerts)" in [m.value for m in at.sidebar.markdown]


def test_viewers_see_no_channels_or_rules(alerts: dict[str, int]) -> None:
    at = _page(VIEWER)
    assert "Channels" not in [s.value for s in at.subheader]
    assert not at.toggle
    assert [b.key for b in at.button] == ["sidebar_sign_out"]  # acknowledging and snoozing are for admins
    assert "Admins choose where alerts are sent and which rules raise them." in [c.value for c in at.caption]


def test_an_admin_switches_a_rule_off_and_it_is_audited(alerts: dict[str, int]) -> None:
    at = _page()
    assert [s.value for s in at.subheader] == ["Delivery log", "Channels", "Rules"]
    labels = [seen(t.label) for t in at.toggle]
    assert "Email: On-call team, sends warning and worse" in labels
    assert "Webhook: Slack #ops, sends critical and worse" in labels
    at.toggle(key="alerts_rule_quality_dropped").set_value(False).run()
    assert not at.exception
    with Session(open_store()) as session:
        rule = session.get(AlertRule, "quality_dropped")
        assert rule is not None and (rule.enabled, rule.severity) == (False, "warning")
        [event] = session.exec(select(AuditEvent).where(AuditEvent.object_type == "alert_rule")).all()
        assert (event.actor, event.object_id) == (ADMIN.email, "quality_dropped")
    assert at.toggle(key="alerts_rule_quality_dropped").value is False


def test_acknowledging_an_alert_moves_it_out_of_the_open_list(alerts: dict[str, int]) -> None:
    at = _page()
    at.selectbox(key="alerts_chosen").set_value(alerts["banned"]).run()
    at.text_input(key="alerts_note").set_value("Appeal filed with Meta").run()
    at.button(key="alerts_ack").click().run()
    assert not at.exception
    with Session(open_store()) as session:
        banned = session.get(Alert, alerts["banned"])
        assert banned is not None
        assert (banned.state, banned.acked_by, banned.ack_note) == (
            "acknowledged",
            ADMIN.email,
            "Appeal filed with Meta",
        )
    assert "Jasper's Market is banned" not in list(at.dataframe[0].value["What"])
    assert "🔔 [2 open alerts](Alerts)" in [m.value for m in at.sidebar.markdown]


def test_snoozing_an_alert_lists_it_with_the_acknowledged_ones(alerts: dict[str, int]) -> None:
    at = _page()
    at.selectbox(key="alerts_chosen").set_value(alerts["quality"]).run()
    at.number_input(key="alerts_hours").set_value(2).run()
    at.button(key="alerts_snooze").click().run()
    assert not at.exception
    with Session(open_store()) as session:
        quality = session.get(Alert, alerts["quality"])
        assert quality is not None and quality.state == "snoozed" and quality.snoozed_until is not None
    assert "Quality dropped to medium" not in list(at.dataframe[0].value["What"])
    at.selectbox(key="alerts_state").set_value("Acknowledged or snoozed").run()
    table = at.dataframe[0].value
    assert (list(table["What"]), list(table["State"])) == (["Quality dropped to medium"], ["Snoozed"])


def _channel_id(name: str) -> int:
    with Session(open_store()) as session:
        found = session.exec(select(AlertChannel).where(AlertChannel.name == name)).one()
        assert found.id is not None
        return found.id


def test_an_admin_renames_a_channel_and_changes_its_severity(alerts: dict[str, int]) -> None:
    channel = _channel_id("On-call team")
    at = _page()
    at.selectbox(key=f"alerts_channel_min_{channel}").set_value("critical")
    at.text_input(key=f"alerts_channel_name_{channel}").set_value("Night shift")
    at.button(key=f"alerts_channel_save_{channel}").click().run()
    assert not at.exception
    with Session(open_store()) as session:
        saved = session.get(AlertChannel, channel)
        assert saved is not None and (saved.name, saved.min_severity) == ("Night shift", "critical")
        event = session.exec(select(AuditEvent).where(AuditEvent.object_type == "alert_channel")).one()
        assert (event.action, event.actor) == ("update", ADMIN.email)
    assert "Email: Night shift, sends critical and worse" in [seen(t.label) for t in at.toggle]


def test_an_admin_removes_a_channel_and_an_empty_name_is_refused(alerts: dict[str, int]) -> None:
    channel = _channel_id("Slack #ops")
    at = _page()
    at.text_input(key=f"alerts_channel_name_{channel}").set_value("   ")
    at.button(key=f"alerts_channel_save_{channel}").click().run()
    assert [e.value for e in at.error] == ["A channel needs a name."]
    at.button(key=f"alerts_channel_remove_{channel}").click().run()
    assert not at.exception
    with Session(open_store()) as session:
        assert session.get(AlertChannel, channel) is None
    assert not any("Slack #ops" in seen(t.label) for t in at.toggle)


def test_a_refused_new_channel_keeps_what_was_typed_and_an_added_one_clears_the_form(alerts: dict[str, int]) -> None:
    at = _page()
    at.selectbox(key="alerts_new_kind").set_value("webhook")
    at.text_input(key="alerts_new_name").set_value("Pager")
    at.text_input(key="alerts_new_address").set_value("ftp://hooks.example.com/ops")
    at.button(key="FormSubmitter:alerts_new_channel-Add channel").click().run()
    assert [e.value for e in at.error] == ["A webhook channel needs a URL that starts with `http://` or `https://`."]
    assert at.text_input(key="alerts_new_name").value == "Pager"
    assert at.text_input(key="alerts_new_address").value == "ftp://hooks.example.com/ops"
    at.text_input(key="alerts_new_address").set_value("https://hooks.example.com/ops")
    at.button(key="FormSubmitter:alerts_new_channel-Add channel").click().run()
    assert not at.exception and not at.error
    assert "Webhook: Pager, sends critical and worse" in [seen(t.label) for t in at.toggle]
    assert at.text_input(key="alerts_new_name").value == "" and at.text_input(key="alerts_new_address").value == ""
