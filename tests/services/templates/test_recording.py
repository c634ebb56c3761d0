"""Template history as changes, on SQLite and PostgreSQL: repeats extend a row, changes and gaps open one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from services.graph.types import BusinessAccount
from services.health import fleet
from services.health.model import Severity
from services.store.models import MessageTemplate, TemplateInterval
from services.templates.recording import observe_templates
from services.templates.state import TemplateState, from_graph

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
POLL_S = 900
WABA = "2000000000000011"


def add_waba(session: Session) -> None:
    fleet.upsert_business_account(
        session=session, account=BusinessAccount(WABA, "Jasper's Market"), business_id="1000000000000001", at=T0
    )
    session.commit()


def state(status: str = "APPROVED", quality: str = "GREEN", **more: object) -> TemplateState:
    return TemplateState(
        id="7100000000000001",
        name="spring_sale",
        language="en_US",
        category="MARKETING",
        status=status,
        quality_score=quality,
        **more,  # type: ignore[arg-type]
    )


def poll(session: Session, at: datetime, *states: TemplateState, learned_by: str = "poll") -> int:
    changed = observe_templates(
        session=session, waba_id=WABA, templates=states, at=at, poll_interval_s=POLL_S, learned_by=learned_by
    )
    session.commit()
    return changed


def history(session: Session) -> list[TemplateInterval]:
    return list(session.exec(select(TemplateInterval).order_by(col(TemplateInterval.id))))


def test_a_steady_template_is_one_row_however_often_it_is_polled(store_session: Session) -> None:
    add_waba(store_session)
    assert poll(store_session, T0, state()) == 1
    for step in range(1, 8):
        assert poll(store_session, T0 + step * timedelta(seconds=POLL_S), state()) == 0
    [row] = history(store_session)
    assert (row.since, row.polls, row.follows_gap) == (T0, 8, True)
    assert row.last_confirmed_at == T0 + 7 * timedelta(seconds=POLL_S)
    template = store_session.get(MessageTemplate, "7100000000000001")
    assert template is not None and template.severity == Severity.OK
    assert template.last_polled_at == row.last_confirmed_at and template.changed_at == T0


def test_a_change_opens_a_row_and_stores_the_models_severity(store_session: Session) -> None:
    add_waba(store_session)
    poll(store_session, T0, state())
    assert poll(store_session, T0 + timedelta(seconds=POLL_S), state(quality="RED")) == 1
    assert poll(store_session, T0 + 2 * timedelta(seconds=POLL_S), state("PAUSED", "RED")) == 1
    rows = history(store_session)
    assert [(r.status, r.quality_score, r.follows_gap) for r in rows] == [
        ("APPROVED", "GREEN", True),
        ("APPROVED", "RED", False),
        ("PAUSED", "RED", False),
    ]
    template = store_session.get(MessageTemplate, "7100000000000001", populate_existing=True)
    assert template is not None and template.severity == Severity.BLOCKED
    assert template.changed_at == T0 + 2 * timedelta(seconds=POLL_S)


def test_a_missed_poll_leaves_a_gap(store_session: Session) -> None:
    add_waba(store_session)
    poll(store_session, T0, state())
    poll(store_session, T0 + 3 * timedelta(seconds=POLL_S), state())
    assert [(r.since, r.follows_gap) for r in history(store_session)] == [
        (T0, True),
        (T0 + 3 * timedelta(seconds=POLL_S), True),
    ]


def test_a_webhook_pause_keeps_its_title_and_end_until_a_poll_sees_another_status(store_session: Session) -> None:
    add_waba(store_session)
    poll(store_session, T0, state())
    paused_at = T0 + timedelta(minutes=5)
    info = {"title": "FIRST_PAUSE", "description": "Your template has been paused."}
    assert poll(store_session, paused_at, state("PAUSED", reason="FIRST_PAUSE", status_info=info), learned_by="webhook")
    # The poll reads PAUSED without a title: the webhook's reason and end stay.
    assert poll(store_session, T0 + timedelta(seconds=POLL_S), state("PAUSED")) == 0
    template = store_session.get(MessageTemplate, "7100000000000001", populate_existing=True)
    assert template is not None and template.reason == "FIRST_PAUSE"
    assert template.status_info["paused_until"] == (paused_at + timedelta(hours=3)).isoformat()
    rows = history(store_session)
    assert [(r.status, r.learned_by, r.polls) for r in rows] == [("APPROVED", "poll", 1), ("PAUSED", "webhook", 1)]
    assert poll(store_session, T0 + 2 * timedelta(seconds=POLL_S), state("APPROVED")) == 1
    template = store_session.get(MessageTemplate, "7100000000000001", populate_existing=True)
    assert template is not None and (template.reason, template.status_info, template.severity) == (None, {}, 4)


def test_an_older_answer_arriving_late_changes_nothing(store_session: Session) -> None:
    add_waba(store_session)
    poll(store_session, T0 + timedelta(seconds=POLL_S), state())
    assert poll(store_session, T0, state("DISABLED")) == 0
    template = store_session.get(MessageTemplate, "7100000000000001", populate_existing=True)
    assert template is not None and template.status == "APPROVED"
    assert len(history(store_session)) == 1


def test_templates_of_a_waba_are_recorded_together_and_a_repeat_counts_once(store_session: Session) -> None:
    add_waba(store_session)
    other = TemplateState(id="7100000000000002", name="order_update", language="pt_BR", category="UTILITY")
    assert poll(store_session, T0, state(), other, other) == 2
    names = store_session.exec(select(MessageTemplate.name).order_by(col(MessageTemplate.name))).all()
    assert names == ["order_update", "spring_sale"]
    pending = store_session.get(MessageTemplate, "7100000000000002")
    assert pending is not None and pending.severity == Severity.WATCH  # PENDING: waiting for Meta's review


def test_a_graph_row_reads_its_nested_quality_and_drops_a_none_reason() -> None:
    row = {
        "id": "7100000000000003",
        "name": "welcome",
        "language": "zh_CN",
        "status": "rejected",
        "category": "MARKETING",
        "quality_score": {"score": "UNKNOWN", "date": 1767225600},
        "rejected_reason": "INVALID_FORMAT",
    }
    read = from_graph(row)
    assert (read.status, read.quality_score, read.reason, read.language) == (
        "REJECTED",
        "UNKNOWN",
        "INVALID_FORMAT",
        "zh_CN",
    )
    assert from_graph({**row, "rejected_reason": "NONE", "quality_score": None}).reason is None
    assert from_graph({"id": "1", "name": "x", "language": "es"}).quality_score == "UNKNOWN"
