"""Template webhooks through the drain's apply path: state, history and alerts at once, each change once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.simulator.templates import TemplateBook, demo_templates, events
from services.simulator.webhooks import envelope
from services.store.models import (
    Alert,
    AlertChannel,
    AlertDelivery,
    MessageTemplate,
    TemplateInterval,
    WebhookEvent,
    WhatsAppBusinessAccount,
)
from services.templates.recording import observe_templates
from services.templates.state import TemplateState
from services.webhooks.apply import apply_change
from services.webhooks.deliveries import store_delivery
from services.webhooks.events import parse_delivery
from tests.services.webhooks.payloads import WABA, body, delivery
from tests.services.webhooks.store_rows import POLLED, add_fleet

TEMPLATE = "1689556908129832"
AT = POLLED + timedelta(minutes=2)


def status_event(event: str, **more: object) -> dict:
    value = {
        "event": event,
        "message_template_id": int(TEMPLATE),
        "message_template_name": "spring_sale",
        "message_template_language": "en_US",
        "message_template_category": "MARKETING",
        "reason": "NONE",
    }
    return delivery("message_template_status_update", value | more)


def quality_event(before: str, after: str) -> dict:
    value = {
        "previous_quality_score": before,
        "new_quality_score": after,
        "message_template_id": int(TEMPLATE),
        "message_template_name": "spring_sale",
        "message_template_language": "en_US",
    }
    return delivery("message_template_quality_update", value)


def apply(
    engine: Engine, document: dict, *, at: datetime = AT, salt: int = 0, occurred: datetime | None = None
) -> list[bool]:
    """Store and apply a delivery at `at`; Meta says it happened at `occurred` (by default, then)."""
    for entry in document["entry"]:
        entry["time"] = int((occurred or at).timestamp())
    stored = store_delivery(engine=engine, body=body(document) + b" " * salt, source_address="", at=at)
    with Session(engine) as session:
        new = [
            apply_change(session=session, delivery_id=stored.delivery_id, change=c, at=at, poll_interval_s=300.0)
            for c in parse_delivery(body(document).decode())
        ]
        session.commit()
    return new


def polled(engine: Engine, status: str = "APPROVED", quality: str = "GREEN") -> None:
    state = TemplateState(TEMPLATE, "spring_sale", "en_US", "MARKETING", status, quality)
    with Session(engine) as session:
        observe_templates(session=session, waba_id=WABA, templates=[state], at=POLLED, poll_interval_s=900)
        session.commit()


def template(engine: Engine) -> MessageTemplate:
    with Session(engine) as session:
        found = session.get(MessageTemplate, TEMPLATE)
        assert found is not None
        return found


def history(engine: Engine) -> list[TemplateInterval]:
    with Session(engine) as session:
        return list(session.exec(select(TemplateInterval).order_by(col(TemplateInterval.id))))


def open_alerts(engine: Engine) -> dict[str, Alert]:
    with Session(engine) as session:
        return {a.rule: a for a in session.exec(select(Alert).where(Alert.state != "resolved"))}


def test_a_first_pause_blocks_the_template_and_opens_its_alert_with_the_change(store_engine: Engine) -> None:
    add_fleet(store_engine)
    polled(store_engine)
    with Session(store_engine) as session:
        session.add(AlertChannel(kind="webhook", name="ops", config_ciphertext="x", min_severity="warning"))
        session.commit()
    info = {"title": "FIRST_PAUSE", "description": "Your message template has been paused for 3 hours."}
    assert apply(store_engine, status_event("PAUSED", other_info=info)) == [True]

    paused = template(store_engine)
    assert (paused.status, paused.reason, paused.severity) == ("PAUSED", "FIRST_PAUSE", 0)
    assert paused.status_info["paused_until"] == (AT + timedelta(hours=3)).isoformat()
    assert [(r.status, r.learned_by, r.follows_gap) for r in history(store_engine)] == [
        ("APPROVED", "poll", True),
        ("PAUSED", "webhook", False),
    ]
    alert = open_alerts(store_engine)["template_paused"]
    assert (alert.subject_kind, alert.subject_id, alert.subject_name) == ("template", TEMPLATE, "spring_sale (en_US)")
    assert alert.severity == "critical" and alert.opened_at == AT
    assert "paused for 3 hours" in alert.title and "Jasper's Market" in alert.detail
    assert "Meta says: Your message template has been paused for 3 hours." in alert.detail
    assert "Meta sends it again from about" in alert.detail and alert.advice
    with Session(store_engine) as session:
        [event] = session.exec(select(WebhookEvent)).all()
        assert event.outcome == "applied"
        assert session.exec(select(AlertDelivery)).first() is not None  # the outbox row, in the same commit


def test_the_same_change_resent_is_applied_once(store_engine: Engine) -> None:
    add_fleet(store_engine)
    polled(store_engine)
    assert apply(store_engine, quality_event("GREEN", "RED")) == [True]
    assert apply(store_engine, quality_event("GREEN", "RED"), at=AT + timedelta(minutes=1), salt=1) == [False]
    assert [r.quality_score for r in history(store_engine)] == ["GREEN", "RED"]
    assert template(store_engine).quality_score == "RED"
    assert set(open_alerts(store_engine)) == {"template_quality_red"}


def test_a_template_the_console_never_polled_is_created_from_the_webhook(store_engine: Engine) -> None:
    add_fleet(store_engine)
    rejection = {"reason": "INVALID_FORMAT", "recommendation": "Do not start the body with a parameter."}
    assert apply(store_engine, status_event("REJECTED", reason="INVALID_FORMAT", rejection_info=rejection)) == [True]
    created = template(store_engine)
    assert (created.name, created.language, created.category, created.waba_id) == (
        "spring_sale",
        "en_US",
        "MARKETING",
        WABA,
    )
    assert (created.status, created.reason, created.severity) == ("REJECTED", "INVALID_FORMAT", 1)
    [row] = history(store_engine)
    assert (row.learned_by, row.follows_gap, row.polls) == ("webhook", True, 0)
    alert = open_alerts(store_engine)["template_rejected"]
    assert "its format is not valid" in alert.title and alert.advice == "Do not start the body with a parameter."


def test_reinstated_clears_the_pause_and_the_alert_resolves_after_the_quiet_time(store_engine: Engine) -> None:
    add_fleet(store_engine)
    polled(store_engine)
    apply(store_engine, status_event("PAUSED", other_info={"title": "SECOND_PAUSE"}))
    assert "paused for 6 hours" in open_alerts(store_engine)["template_paused"].title
    back = AT + timedelta(hours=6)
    apply(store_engine, status_event("REINSTATED", other_info={"title": "UNPAUSE"}), at=back)
    assert (template(store_engine).status, template(store_engine).severity) == ("APPROVED", 4)
    assert open_alerts(store_engine)["template_paused"].clear_since == back
    assert [r.status for r in history(store_engine)] == ["APPROVED", "PAUSED", "APPROVED"]
    assert history(store_engine)[-1].follows_gap is True  # six hours nobody polled
    apply(store_engine, quality_event("GREEN", "GREEN"), at=back + timedelta(minutes=31))
    assert open_alerts(store_engine) == {}


def test_an_event_for_a_waba_the_console_does_not_monitor_is_only_recorded(store_engine: Engine) -> None:
    add_fleet(store_engine)
    other = status_event("PAUSED")
    other["entry"][0]["id"] = "999"
    assert apply(store_engine, other) == [True]
    with Session(store_engine) as session:
        assert session.exec(select(MessageTemplate)).all() == []


def test_the_simulators_scripted_disable_applies_as_meta_sends_it(store_engine: Engine) -> None:
    """The garden template's last change, in the payload the simulator signs and sends like Meta."""
    book = TemplateBook(demo_templates())
    garden = book.find(name="garden_flash_sale", language="zh_CN")
    add_fleet(store_engine)
    with Session(store_engine) as session:
        if session.get(WhatsAppBusinessAccount, garden.waba_id) is None:
            session.add(WhatsAppBusinessAccount(id=garden.waba_id, name="Lucky Shrub"))
            session.commit()
    before, after = book.at(garden, timedelta(days=-4)), book.at(garden, timedelta(days=-3))
    found = list(events(garden, before, after, AT))
    assert apply(store_engine, envelope(garden.waba_id, found, AT)) == [True] * len(found)
    with Session(store_engine) as session:
        stored = session.get(MessageTemplate, garden.id)
        assert stored is not None
        assert (stored.name, stored.language, stored.status, stored.severity) == (
            "garden_flash_sale",
            "zh_CN",
            "DISABLED",
            0,
        )
        assert stored.status_info["disable_date"] == int(AT.timestamp())
    alert = open_alerts(store_engine)["template_disabled"]
    assert "Lucky Shrub" in alert.detail and "Meta disabled it on" in alert.detail


def test_a_replayed_old_event_is_recorded_but_changes_nothing_a_poll_saw_since(store_engine: Engine) -> None:
    add_fleet(store_engine)
    polled(store_engine)
    # Meta retried a pause from before the last poll: the poll's APPROVED is newer.
    assert apply(store_engine, status_event("PAUSED"), occurred=POLLED - timedelta(hours=1)) == [True]
    assert template(store_engine).status == "APPROVED"
    assert [r.status for r in history(store_engine)] == ["APPROVED"]
    # A pause that happened after the poll, delivered late, counts from when it happened.
    happened = POLLED + timedelta(seconds=30)
    apply(store_engine, status_event("PAUSED", other_info={"title": "FIRST_PAUSE"}), occurred=happened, salt=1)
    paused = template(store_engine)
    assert (paused.status, paused.changed_at) == ("PAUSED", happened)
    assert paused.status_info["paused_until"] == (happened + timedelta(hours=3)).isoformat()
    assert history(store_engine)[-1].since == happened


def test_a_status_and_a_quality_change_of_one_moment_make_one_history_row(store_engine: Engine) -> None:
    add_fleet(store_engine)
    polled(store_engine)
    both = status_event("PAUSED", other_info={"title": "FIRST_PAUSE"})
    both["entry"][0]["changes"] += quality_event("YELLOW", "RED")["entry"][0]["changes"]
    assert apply(store_engine, both) == [True, True]
    assert [(r.status, r.quality_score) for r in history(store_engine)] == [("APPROVED", "GREEN"), ("PAUSED", "RED")]
    assert (template(store_engine).status, template(store_engine).quality_score) == ("PAUSED", "RED")


def test_a_poll_keeps_metas_rejection_words_while_the_rejection_stands(store_engine: Engine) -> None:
    add_fleet(store_engine)
    rejection = {"reason": "Parameters at the start", "recommendation": "Move the parameter."}
    apply(store_engine, status_event("REJECTED", reason="INVALID_FORMAT", rejection_info=rejection))
    state = TemplateState(TEMPLATE, "spring_sale", "en_US", "MARKETING", "REJECTED", "UNKNOWN", "INVALID_FORMAT")
    with Session(store_engine) as session:
        observe_templates(
            session=session, waba_id=WABA, templates=[state], at=AT + timedelta(minutes=15), poll_interval_s=900
        )
        session.commit()
    kept = template(store_engine)
    assert kept.status_info["recommendation"] == "Move the parameter."
    assert len(history(store_engine)) == 1
