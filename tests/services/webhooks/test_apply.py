"""Events into the health model and its history, each once (SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.health.overview import fleet_health
from services.store.models import HealthInterval, PhoneNumber, WebhookEvent, WhatsAppBusinessAccount
from services.webhooks.apply import apply_change
from services.webhooks.events import parse_delivery
from tests.services.webhooks.payloads import NUMBER, WABA, ban, body, delivery, name_decision, quality
from tests.services.webhooks.store_rows import POLLED, add_fleet

AT = POLLED + timedelta(minutes=2)
POLL_S = 300.0


def _apply(engine: Engine, document: dict, *, delivery_id: int = 1, at: datetime = AT) -> list[bool]:
    from services.webhooks.deliveries import store_delivery

    stored = store_delivery(engine=engine, body=body(document) + b" " * delivery_id, source_address="", at=at)
    with Session(engine) as session:
        new = [
            apply_change(session=session, delivery_id=stored.delivery_id, change=c, at=at, poll_interval_s=POLL_S)
            for c in parse_delivery(body(document).decode())
        ]
        session.commit()
    return new


def _history(engine: Engine) -> list[HealthInterval]:
    with Session(engine) as session:
        return list(session.exec(select(HealthInterval).order_by(col(HealthInterval.id))))


def test_a_ban_sets_the_review_state_shows_on_the_overview_and_asks_for_a_re_read(store_engine: Engine) -> None:
    add_fleet(store_engine)
    assert _apply(store_engine, ban()) == [True]
    with Session(store_engine) as session:
        account = session.get(WhatsAppBusinessAccount, WABA)
        assert account is not None
        assert (account.review_status, account.reread_requested_at) == ("REJECTED", AT)
        [event] = session.exec(select(WebhookEvent)).all()
        assert (event.field, event.waba_id, event.outcome) == ("account_update", WABA, "applied")
        assert event.summary == "Meta disabled (banned) WhatsApp Business Account Jasper's Market."
        health = fleet_health(session=session, now=AT, tz=UTC)
    [attention] = [a for a in health.attention if a.subject == "WhatsApp Business Account Jasper's Market"]
    assert attention.severity.label == "Blocked" and "banned" in attention.sentence


def test_the_same_change_in_a_resent_delivery_is_recorded_and_applied_once(store_engine: Engine) -> None:
    add_fleet(store_engine)
    assert _apply(store_engine, name_decision("APPROVED")) == [True]
    assert _apply(store_engine, name_decision("APPROVED"), delivery_id=2, at=AT + timedelta(minutes=1)) == [False]
    with Session(store_engine) as session:
        assert len(session.exec(select(WebhookEvent)).all()) == 1
    assert len(_history(store_engine)) == 2  # the first row and one learned by webhook, not two


def test_a_display_name_decision_opens_a_history_row_learned_by_webhook(store_engine: Engine) -> None:
    add_fleet(store_engine)
    _apply(store_engine, name_decision("APPROVED"))
    first, learned = _history(store_engine)
    assert first.learned_by == "poll" and learned.learned_by == "webhook"
    assert (learned.since, learned.polls, learned.follows_gap) == (AT, 0, False)
    assert (learned.name_status, learned.verified_name) == ("APPROVED", "Jasper's Fresh Market")
    assert (learned.quality_rating, learned.messaging_limit) == (first.quality_rating, first.messaging_limit)
    with Session(store_engine) as session:
        number = session.get(PhoneNumber, NUMBER)
        assert number is not None and (number.name_status, number.verified_name) == (
            "APPROVED",
            "Jasper's Fresh Market",
        )
        assert number.last_polled_at == POLLED  # a webhook is not a poll
        [event] = session.exec(select(WebhookEvent)).all()
    assert event.phone_number_id == NUMBER
    assert (
        event.summary == "Meta approved the display name “Jasper's Fresh Market” for Jasper's Market +1 631-555-0101."
    )
    _apply(store_engine, name_decision("REJECTED", "Jasper"), delivery_id=2, at=AT + timedelta(hours=1))
    assert _history(store_engine)[-1].name_status == "DECLINED"


def test_a_limit_change_updates_the_portfolio_numbers_without_a_rating(store_engine: Engine) -> None:
    add_fleet(store_engine)
    _apply(store_engine, quality("UPGRADE", "TIER_10K"))
    *_, learned = _history(store_engine)
    assert (learned.learned_by, learned.messaging_limit, learned.quality_rating) == ("webhook", "TIER_10K", "GREEN")
    with Session(store_engine) as session:
        [event] = session.exec(select(WebhookEvent)).all()
        account = session.get(WhatsAppBusinessAccount, WABA)
    assert account is not None and account.reread_requested_at == AT  # the rating comes from the next read
    assert "10,000 customers a day" in event.summary and "reads its quality rating again" in event.summary


def test_a_number_a_webhook_brings_back_is_listed_as_recovered(store_engine: Engine) -> None:
    add_fleet(store_engine)
    _apply(store_engine, name_decision("REJECTED"))
    approved = AT + timedelta(hours=1)
    _apply(store_engine, name_decision("APPROVED"), delivery_id=2, at=approved)
    with Session(store_engine) as session:
        number = session.get(PhoneNumber, NUMBER)
        assert number is not None and number.recovered_at == approved
        health = fleet_health(session=session, now=approved, tz=UTC)
    assert [(r.phone_number_id, r.recovered_at) for r in health.recovered] == [(NUMBER, approved)]
    assert health.recovered[0].sentence == "has a display name Meta declined"


def test_a_messaging_restriction_limits_every_number_of_the_waba(store_engine: Engine) -> None:
    add_fleet(store_engine)
    restriction = {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": 1_780_000_000}
    _apply(
        store_engine, delivery("account_update", {"event": "ACCOUNT_RESTRICTION", "restriction_info": [restriction]})
    )
    *_, learned = _history(store_engine)
    assert (learned.learned_by, learned.can_send) == ("webhook", "LIMITED")
    assert learned.health_problems[0]["entity_type"] == "WABA"


def test_a_template_event_naming_no_template_and_unknown_fields_change_no_health(store_engine: Engine) -> None:
    add_fleet(store_engine)
    _apply(
        store_engine, delivery("message_template_status_update", {"event": "PAUSED", "message_template_name": "promo"})
    )
    _apply(store_engine, delivery("calls", {"call": {"id": "x"}}), delivery_id=2)
    with Session(store_engine) as session:
        events = session.exec(select(WebhookEvent).order_by(col(WebhookEvent.id))).all()
        account = session.get(WhatsAppBusinessAccount, WABA)
    assert [(e.field, e.outcome) for e in events] == [
        ("message_template_status_update", "applied"),
        ("calls", "unknown_field"),
    ]
    assert events[0].summary == "Template “promo” of WhatsApp Business Account Jasper's Market is now paused."
    assert "“calls”" in events[1].summary
    assert account is not None and account.reread_requested_at is None and len(_history(store_engine)) == 1


def test_an_event_about_a_waba_the_console_does_not_monitor_is_recorded_only(store_engine: Engine) -> None:
    add_fleet(store_engine)
    assert _apply(store_engine, ban() | {"entry": [ban()["entry"][0] | {"id": "999"}]}) == [True]
    with Session(store_engine) as session:
        [event] = session.exec(select(WebhookEvent)).all()
        account = session.get(WhatsAppBusinessAccount, WABA)
    assert (event.waba_id, event.summary) == ("999", "Meta disabled (banned) WhatsApp Business Account 999.")
    assert account is not None and account.review_status == "APPROVED"
