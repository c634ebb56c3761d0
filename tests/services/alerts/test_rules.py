"""Each rule's condition, read from the store through the health model; rules an admin switched off stay quiet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, select

from services.alerts import fleet_conditions, lifecycle
from services.alerts.rules import RULES, active_rules, meets, set_rule
from services.store.models import Alert, HealthInterval, PhoneNumber, PollRun, WebhookRefusal, WhatsAppBusinessAccount
from tests.services.alerts.fleet import NUMBER_ID, T0, WABA_ID, add_credential, add_fleet, set_health


def _raised(session: Session, now=T0, **kwargs: object) -> dict[str, Alert]:  # type: ignore[no-untyped-def]
    lifecycle.evaluate(session, now=now, **kwargs)  # type: ignore[arg-type]
    return {a.rule: a for a in session.exec(select(Alert).where(Alert.state != "resolved"))}


def test_the_rules_are_the_contracts_ten_and_the_templates_four() -> None:
    assert set(RULES) == {
        "number_cannot_send",
        "quality_dropped",
        "portfolio_limit_lowered",
        "display_name_rejected",
        "waba_banned",
        "token_expiring",
        "token_expired",
        "token_revoked",
        "poller_silent",
        "webhook_bad_signatures",
        "template_paused",
        "template_disabled",
        "template_rejected",
        "template_quality_red",
    }
    assert meets("critical", "warning") and meets("warning", "warning") and not meets("info", "warning")


def test_a_healthy_fleet_raises_nothing(store_session: Session) -> None:
    add_fleet(store_session)
    add_credential(store_session, token_expires_at=T0 + timedelta(days=60))
    store_session.add(PollRun(started_at=T0, finished_at=T0, status="ok"))
    assert _raised(store_session) == {}


def test_a_blocked_number_cannot_send_in_the_health_models_words(store_session: Session) -> None:
    add_fleet(store_session)
    set_health(store_session, blocked=True)
    alert = _raised(store_session)["number_cannot_send"]
    assert alert.subject_name == "+1 212-555-0107 (Aurora Coffee Deliveries)"
    assert alert.title == "+1 212-555-0107 (Aurora Coffee Deliveries) cannot send messages (Meta error 141006)"
    assert "payment method failed" in alert.detail and alert.advice == "Update the payment method in WhatsApp Manager."


def test_a_number_not_connected_or_limited_is_a_warning(store_session: Session) -> None:
    add_fleet(store_session, status="RESTRICTED")
    alert = _raised(store_session)["number_cannot_send"]
    assert alert.severity == "warning" and "restricted" in alert.title


def test_quality_display_name_and_a_banned_waba(store_session: Session) -> None:
    add_fleet(store_session, quality_rating="RED", name_status="DECLINED")
    account = store_session.get(WhatsAppBusinessAccount, WABA_ID)
    assert account is not None
    account.review_status = "REJECTED"
    store_session.add(account)
    raised = _raised(store_session)
    assert raised["quality_dropped"].severity == "warning" and "low quality" in raised["quality_dropped"].title
    assert raised["display_name_rejected"].subject_id == NUMBER_ID
    assert raised["waba_banned"].title.startswith("WhatsApp Business Account Aurora Coffee was rejected")
    assert raised["waba_banned"].severity == "critical"


def test_a_portfolio_limit_lowered_within_the_week(store_session: Session) -> None:
    add_fleet(store_session, messaging_limit="TIER_1K")
    common = {"phone_number_id": NUMBER_ID, "quality_rating": "GREEN", "throughput_level": "STANDARD"}
    store_session.add(HealthInterval(since=T0 - timedelta(days=20), messaging_limit="TIER_10K", **common))
    store_session.add(HealthInterval(since=T0 - timedelta(days=2), messaging_limit="TIER_1K", **common))
    alert = _raised(store_session)["portfolio_limit_lowered"]
    assert (alert.subject_kind, alert.subject_id) == ("portfolio", "900")
    assert alert.title == "Business portfolio Aurora: messaging limit lowered to 1,000 customers a day"
    assert "portfolio_limit_lowered" not in _raised(store_session, now=T0 + timedelta(days=8), quiet=timedelta(0))


def test_a_lowered_limit_is_found_among_numbers_that_did_not_change_in_the_week(store_session: Session) -> None:
    add_fleet(store_session, messaging_limit="TIER_1K")
    store_session.add(
        PhoneNumber(
            id="0000000000000001", waba_id=WABA_ID, display_phone_number="+1 212-555-0100", messaging_limit="TIER_1K"
        )
    )
    store_session.flush()
    steady = {"phone_number_id": "0000000000000001", "quality_rating": "GREEN", "throughput_level": "STANDARD"}
    store_session.add(HealthInterval(since=T0 - timedelta(days=30), messaging_limit="TIER_10K", **steady))
    store_session.add(HealthInterval(since=T0 - timedelta(days=20), messaging_limit="TIER_1K", **steady))
    common = {"phone_number_id": NUMBER_ID, "quality_rating": "GREEN", "throughput_level": "STANDARD"}
    store_session.add(HealthInterval(since=T0 - timedelta(days=20), messaging_limit="TIER_10K", **common))
    store_session.add(HealthInterval(since=T0 - timedelta(days=2), messaging_limit="TIER_1K", **common))
    alert = _raised(store_session)["portfolio_limit_lowered"]
    assert (alert.subject_kind, alert.subject_id) == ("portfolio", "900")
    assert "It was 10,000 customers a day" in alert.detail


def test_a_limit_lowered_before_the_week_raises_nothing(store_session: Session) -> None:
    add_fleet(store_session, messaging_limit="TIER_1K")
    common = {"phone_number_id": NUMBER_ID, "quality_rating": "GREEN", "throughput_level": "STANDARD"}
    store_session.add(HealthInterval(since=T0 - timedelta(days=30), messaging_limit="TIER_10K", **common))
    store_session.add(HealthInterval(since=T0 - timedelta(days=8), messaging_limit="TIER_1K", **common))
    store_session.add(HealthInterval(since=T0 - timedelta(days=1), messaging_limit="TIER_1K", **common))
    assert "portfolio_limit_lowered" not in _raised(store_session)


def test_tokens_expiring_expired_and_revoked(store_session: Session) -> None:
    add_fleet(store_session)
    soon = add_credential(store_session, token_expires_at=T0 + timedelta(days=3))
    gone = add_credential(store_session, name="Old", token_fingerprint="e" * 64, token_state="expired")
    revoked = add_credential(store_session, name="Revoked", token_fingerprint="d" * 64, token_state="invalid")
    store_session.add(PollRun(started_at=T0, finished_at=T0, status="ok"))
    raised = _raised(store_session)
    assert raised["token_expiring"].subject_id == str(soon.id) and "expires in 3 days" in raised["token_expiring"].title
    assert raised["token_expired"].subject_id == str(gone.id)
    assert raised["token_revoked"].subject_id == str(revoked.id)


def test_a_poller_silent_for_three_intervals(store_session: Session) -> None:
    add_fleet(store_session)
    add_credential(store_session)
    store_session.add(PollRun(started_at=T0, finished_at=T0, status="ok"))
    store_session.add(
        PollRun(started_at=T0 + timedelta(minutes=5), finished_at=T0 + timedelta(minutes=6), status="failed")
    )
    assert "poller_silent" not in _raised(store_session, now=T0 + timedelta(seconds=900), poll_interval_s=300)
    alert = _raised(store_session, now=T0 + timedelta(seconds=901), poll_interval_s=300)["poller_silent"]
    assert (alert.subject_kind, alert.subject_id, alert.severity) == ("console", "poller", "critical")


def test_a_burst_of_bad_signatures(store_session: Session) -> None:
    old = [WebhookRefusal(at=T0 - timedelta(minutes=6), reason="bad_signature") for _ in range(5)]
    other = [WebhookRefusal(at=T0, reason="too_large") for _ in range(5)]
    recent = [WebhookRefusal(at=T0 - timedelta(minutes=1), reason="bad_signature") for _ in range(9)]
    store_session.add_all(old + other + recent)
    assert "webhook_bad_signatures" not in _raised(store_session)
    store_session.add(WebhookRefusal(at=T0, reason="missing_signature"))
    alert = _raised(store_session)["webhook_bad_signatures"]
    assert alert.title.startswith("10 webhook posts were refused")


def test_a_rule_switched_off_raises_nothing_and_resolves_its_alert(store_session: Session) -> None:
    add_fleet(store_session)
    set_health(store_session, blocked=True)
    assert "number_cannot_send" in _raised(store_session)
    set_rule(store_session, "number_cannot_send", enabled=False)
    assert "number_cannot_send" not in active_rules(store_session)
    assert _raised(store_session, now=T0 + timedelta(minutes=1)) == {}
    set_rule(store_session, "number_cannot_send", enabled=True, severity="warning")
    assert _raised(store_session, now=T0 + timedelta(minutes=2))["number_cannot_send"].severity == "warning"


def test_the_lowered_limit_rule_reads_the_weeks_history_through_its_indexes(session: Session) -> None:
    # After every poll cycle: a scan of every stretch ever recorded would grow with the history, not the week.
    statements: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", remember)
    try:
        assert list(fleet_conditions.limit_conditions(session, T0, "warning")) == []
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    [(statement, parameters)] = [s for s in statements if "phone_number_health" in s[0]]
    plan = " | ".join(
        str(step[3]) for step in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    )
    assert "SCAN phone_number_health" not in plan, plan
    assert "ix_phone_number_health_since" in plan, plan
