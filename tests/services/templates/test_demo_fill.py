"""The demo's template history: the quick fill writes exactly the rows a poll every two hours would, on both stores."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.simulator import Simulator
from services.store.engine import create_store_engine
from services.store.models import MessageTemplate, TemplateInterval, WhatsAppBusinessAccount
from services.templates.demo_fill import fill_demo_templates

ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)
STEP = timedelta(hours=2)
DEMO_WABAS = ("2000000000000011", "2000000000000012", "2000000000000021")


def _filled(engine: Engine, *, every_step: bool, start: datetime, waba_ids: tuple[str, ...] = DEMO_WABAS) -> int:
    simulator = Simulator(clock=lambda: ANCHOR, anchor=ANCHOR)
    with Session(engine) as session:
        for waba_id in waba_ids:
            session.add(WhatsAppBusinessAccount(id=waba_id, name=f"WABA {waba_id}"))
        session.flush()
        opened = fill_demo_templates(
            session=session, simulator=simulator, start=start, end=ANCHOR, step=STEP, every_step=every_step
        )
        session.commit()
    return opened


def _rows(engine: Engine) -> tuple[list[dict], list[dict]]:
    with Session(engine) as session:
        history = session.exec(
            select(TemplateInterval).order_by(col(TemplateInterval.template_id), col(TemplateInterval.since))
        )
        templates = session.exec(select(MessageTemplate).order_by(col(MessageTemplate.id)))
        return [h.model_dump(exclude={"id"}) for h in history], [t.model_dump() for t in templates]


@pytest.fixture
def every_poll_engine(tmp_path: Path, _sqlite_template: Path) -> Iterator[Engine]:
    """A second SQLite store of this test's own, for the fill that polls at every step."""
    path = tmp_path / "every-step.sqlite"
    shutil.copyfile(_sqlite_template, path)
    engine = create_store_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def test_the_quick_fill_writes_the_rows_of_a_poll_every_step(store_engine: Engine, every_poll_engine: Engine) -> None:
    start = ANCHOR - timedelta(days=14)
    quick = _filled(store_engine, every_step=False, start=start)
    every = _filled(every_poll_engine, every_step=True, start=start)
    assert quick == every > 0
    assert _rows(store_engine) == _rows(every_poll_engine)


def test_the_demo_history_holds_the_pause_and_reinstatement_the_red_rejected_and_disabled(
    store_engine: Engine,
) -> None:
    _filled(store_engine, every_step=False, start=ANCHOR - timedelta(days=35))
    with Session(store_engine) as session:
        stored = list(session.exec(select(MessageTemplate)))
        templates = {(t.name, t.language): t for t in stored}
        assert len(stored) == 34
        spring = templates[("spring_sale", "en_US")]
        history = list(
            session.exec(
                select(TemplateInterval)
                .where(TemplateInterval.template_id == spring.id)
                .order_by(col(TemplateInterval.since))
            )
        )
        accounts = list(session.exec(select(WhatsAppBusinessAccount)))
    assert [(h.status, h.quality_score) for h in history] == [
        ("APPROVED", "GREEN"),
        ("APPROVED", "YELLOW"),
        ("PAUSED", "YELLOW"),
        ("APPROVED", "YELLOW"),
        ("APPROVED", "GREEN"),
    ]
    paused, reinstated = history[2], history[3]
    # Learned from Meta's webhook at the moment it happened, with Meta's words; then confirmed by the 02:00 poll.
    assert (paused.since, paused.learned_by, paused.reason) == (ANCHOR - timedelta(days=10), "webhook", "FIRST_PAUSE")
    assert "3 hours" in paused.status_info["description"]
    assert paused.last_confirmed_at == paused.since + STEP and paused.polls == 1
    assert (reinstated.since, reinstated.learned_by) == (paused.since + timedelta(hours=3), "webhook")
    assert not reinstated.follows_gap
    assert history[0].polls == (history[0].last_confirmed_at - history[0].since) / STEP + 1
    assert (
        templates[("garden_flash_sale", "zh_CN")].status,
        templates[("garden_flash_sale", "zh_CN")].quality_score,
    ) == (
        "DISABLED",
        "RED",
    )
    assert templates[("bakery_weekly_menu", "pt_BR")].status == "REJECTED"
    assert templates[("coffee_club_offer", "es")].quality_score == "RED"
    assert all(account.templates_polled_at == ANCHOR for account in accounts)
