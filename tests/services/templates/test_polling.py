"""Template cycles against the simulator over real HTTP: every page at the fewest calls, due WABAs only, alerts."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from services.access.roles import DEMO_ADMIN
from services.access.vault import TokenVault
from services.credentials import lifecycle as credentials
from services.graph.connection import build_graph_client
from services.poller import lease as poller_lease
from services.runtime import Console
from services.settings import Settings
from services.store.models import Alert, MessageTemplate, TemplateInterval, WhatsAppBusinessAccount
from services.templates.background import LEASE, template_loop
from services.templates.polling import run_template_cycle
from tests.fixtures.simulator import ServedSimulator

JASPERS, AURORA, NORTHWIND = "1000000000000001", "1000000000000002", "1000000000000003"
WABAS = ("2000000000000011", "2000000000000012", "2000000000000021", "2000000000000031")
BIG_WABA = "2000000000000031"
INTERVAL_S = 900
FLEET = (
    ("EAATESTJASPERS", JASPERS, "2000000000000011", "3000000000000101"),
    ("EAATESTAURORA", AURORA, "2000000000000021", "3000000000000106"),
    ("EAADEMOBIGWABA", NORTHWIND, BIG_WABA, "3000000000031000"),
)


@pytest.fixture
def console(engine: Engine, graph_simulator: ServedSimulator, tmp_path: Path) -> Iterator[Console]:
    key = Fernet.generate_key()
    settings = Settings(
        database_url=str(engine.url),
        graph_api_url=graph_simulator.url,
        graph_api_version="v24.0",
        secret_key=key.decode(),
        poll_interval_seconds=300,
        data_dir=tmp_path,
        template_poll_interval_seconds=INTERVAL_S,
    )
    graph = build_graph_client(graph_simulator.url, version="v24.0")
    opened = Console(settings=settings, engine=engine, graph=graph, vault=TokenVault(key), clock=graph_simulator.clock)
    for token, business, waba, number in FLEET:
        if token.startswith("EAATEST"):
            graph_simulator.simulator.register_token(token, state="valid", business_ids=[business])
        with Session(engine) as session:
            credentials.connect(
                session=session,
                graph=graph,
                vault=opened.vault,
                actor=DEMO_ADMIN,
                token=token,
                business_id=business,
                waba_id=waba,
                phone_number_id=number,
                at=opened.clock(),
                poll_interval_s=300,
            )
    yield opened
    graph.close()


def served_templates(served: ServedSimulator, waba_id: str) -> int:
    return len(served.simulator.templates.of(waba_id, served.clock() - served.simulator.anchor))


def test_a_cycle_reads_every_template_of_every_waba_at_one_call_per_hundred(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    counts = {waba: served_templates(graph_simulator, waba) for waba in WABAS}
    assert counts[BIG_WABA] > 250  # three pages
    expected_calls = sum(max(1, math.ceil(n / 100)) for n in counts.values())
    before = graph_simulator.simulator.request_count
    run = run_template_cycle(console=console, now=console.clock())

    assert (run.wabas_due, run.wabas_read, run.errors) == (4, 4, [])
    assert run.graph_calls == expected_calls == graph_simulator.simulator.request_count - before
    assert run.templates_seen == sum(counts.values()) == run.templates_changed
    with Session(console.engine) as session:
        stored = dict(
            session.exec(select(MessageTemplate.waba_id, func.count()).group_by(col(MessageTemplate.waba_id))).all()
        )
        assert stored == counts
        polled = session.exec(select(WhatsAppBusinessAccount.templates_polled_at)).all()
        assert set(polled) == {console.clock()}
        # The demo's scripted trouble opened its alerts in the cycle's own transaction.
        rules = {a.rule for a in session.exec(select(Alert).where(col(Alert.subject_kind) == "template"))}
    assert {"template_disabled", "template_rejected", "template_quality_red"} <= rules


def test_only_due_wabas_are_read_again(console: Console, graph_simulator: ServedSimulator) -> None:
    run_template_cycle(console=console, now=console.clock())
    graph_simulator.clock.advance(INTERVAL_S / 2)
    before = graph_simulator.simulator.request_count
    early = run_template_cycle(console=console, now=console.clock())
    assert (early.wabas_due, early.graph_calls, graph_simulator.simulator.request_count) == (0, 0, before)
    forced = run_template_cycle(console=console, now=console.clock(), only=["2000000000000021"])
    assert (forced.wabas_read, forced.graph_calls) == (1, 1)


def test_a_pause_seen_by_the_next_poll_changes_history_and_opens_an_alert(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    run_template_cycle(console=console, now=console.clock())
    book = graph_simulator.simulator.templates
    template = book.find(name="spring_sale", language="en_US")
    graph_simulator.clock.advance(INTERVAL_S)
    book.change(template, console.clock() - graph_simulator.simulator.anchor, status="PAUSED", title="FIRST_PAUSE")
    run = run_template_cycle(console=console, now=console.clock())
    assert run.wabas_read == 4 and run.templates_changed == 1
    with Session(console.engine) as session:
        stored = session.get(MessageTemplate, template.id)
        assert stored is not None and (stored.status, stored.severity) == ("PAUSED", 0)
        rows = session.exec(
            select(TemplateInterval)
            .where(TemplateInterval.template_id == template.id)
            .order_by(col(TemplateInterval.id))
        ).all()
        assert [(r.status, r.polls, r.follows_gap) for r in rows][-2:] == [("APPROVED", 1, True), ("PAUSED", 1, False)]
        alert = session.exec(select(Alert).where(Alert.rule == "template_paused")).one()
    assert (alert.subject_id, alert.subject_name, alert.severity) == (template.id, "spring_sale (en_US)", "critical")


def test_a_token_that_fails_is_reported_in_words_and_the_other_wabas_are_read(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    graph_simulator.simulator.register_token("EAATESTAURORA", state="expired", business_ids=[AURORA])
    run = run_template_cycle(console=console, now=console.clock())
    assert run.wabas_read == 3
    [error] = run.errors
    assert error["waba_id"] == "2000000000000021" and error["kind"] == "token_expired"
    assert "EAATEST" not in error["sentence"] and error["sentence"]


def test_the_loop_holds_its_own_lease_and_gives_it_up(console: Console) -> None:
    stop = threading.Event()
    runs = template_loop(console=console, stop=stop, holder="template-poller@test", once=True)
    assert len(runs) == 1 and runs[0].wabas_read == 4
    assert poller_lease.current(engine=console.engine, now=console.clock(), name=LEASE) is None
    # Another holder's lease keeps this one from polling.
    assert poller_lease.acquire(
        engine=console.engine, holder="other", ttl=timedelta(seconds=60), now=console.clock(), name=LEASE
    )
    assert template_loop(console=console, stop=stop, holder="template-poller@test", once=True) == []
