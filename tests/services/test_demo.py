"""The demo's first start: credentials stored as a person would, 35 days of history written by the real poller."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func
from sqlmodel import Session, col, select

from services import demo
from services.poller.cycle import run_cycle
from services.runtime import Console, open_console
from services.settings import Settings
from services.simulator import Simulator
from services.simulator.demo import demo_portfolio
from services.store.models import (
    Alert,
    AuditEvent,
    Credential,
    CredentialReach,
    HealthInterval,
    PhoneNumber,
    PollRun,
    WhatsAppBusinessAccount,
)
from services.web import lifespan

DEMO_NUMBERS = [f"300000000000010{i}" for i in range(1, 9)]


def demo_settings(folder: Path, *, key: str, graph_api_url: str = "demo") -> Settings:
    return Settings(
        database_url=f"sqlite:///{folder / 'demo.sqlite'}",
        graph_api_url=graph_api_url,
        graph_api_version="v24.0",
        secret_key=key,
        poll_interval_seconds=300,
        data_dir=folder,
    )


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """A demo console after its first start (the bootstrap runs once for the whole module)."""
    console = open_console(demo_settings(tmp_path_factory.mktemp("demo"), key=Fernet.generate_key().decode()))
    demo.bootstrap(console)
    yield console
    console.graph.close()


def count(console: Console, model: type) -> int:
    with Session(console.engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def rows_of(console: Console, number_id: str) -> list[HealthInterval]:
    with Session(console.engine) as session:
        query = select(HealthInterval).where(HealthInterval.phone_number_id == number_id)
        return list(session.exec(query.order_by(col(HealthInterval.id))))


def test_the_demo_credentials_are_stored_the_way_a_person_stores_them(started: Console) -> None:
    with Session(started.engine) as session:
        stored = session.exec(select(Credential).order_by(col(Credential.id))).all()
        created = session.exec(select(AuditEvent).where(AuditEvent.action == "create")).all()
    assert [(c.business_id, c.phone_number_id, c.token_last4, c.token_state) for c in stored] == [
        ("1000000000000001", "3000000000000101", "OKEN", "valid"),
        ("1000000000000002", "3000000000000106", "OKEN", "valid"),
    ]
    assert all("EAADEMOTOKEN" not in c.token_ciphertext for c in stored)
    assert [(e.object_type, e.actor) for e in created] == [("api_credential", "demo-admin@console.local")] * 2


def test_every_demo_number_has_more_than_thirty_days_of_history(started: Console) -> None:
    now = started.clock()
    with Session(started.engine) as session:
        numbers = session.exec(select(PhoneNumber.id).order_by(col(PhoneNumber.id))).all()
    assert list(numbers) == DEMO_NUMBERS
    for number_id in DEMO_NUMBERS:
        rows = rows_of(started, number_id)
        onboarded = -demo_portfolio().numbers[number_id].onboarded
        # Lucky Shrub Garden Center was onboarded 3 days ago: Meta lists it, and we watch it, only since then.
        assert rows[0].since <= now - min(timedelta(days=30), onboarded - demo.STEP)
        assert now - rows[-1].last_confirmed_at < demo.STEP
        assert [row.follows_gap for row in rows] == [True] + [False] * (len(rows) - 1)  # watched throughout


def test_the_history_holds_every_scripted_change_at_its_exact_time(started: Console) -> None:
    simulator = started.simulator
    assert isinstance(simulator, Simulator)
    for number_id in DEMO_NUMBERS:
        rows = rows_of(started, number_id)
        script = simulator.history(number_id, rows[0].since, rows[-1].last_confirmed_at)
        stored = [(r.since, r.quality_rating, r.throughput_level, r.messaging_limit, r.status) for r in rows]
        expected = [(at, h.quality, h.throughput, h.limit, h.status) for at, h in script]
        assert stored == expected, number_id


def test_the_history_shows_a_quality_drop_and_recovery_and_a_throughput_upgrade(started: Console) -> None:
    anchor = started.simulator.anchor  # type: ignore[union-attr]

    def changes(number_id: str, field: str) -> list[tuple[timedelta, str]]:
        rows = rows_of(started, number_id)
        values = [(rows[0].since - anchor, getattr(rows[0], field))]
        for row in rows[1:]:
            if getattr(row, field) != values[-1][1]:
                values.append((row.since - anchor, getattr(row, field)))
        return values

    ice_cream = changes("3000000000000102", "quality_rating")
    assert [quality for _, quality in ice_cream] == ["GREEN", "YELLOW", "RED", "YELLOW", "GREEN"]
    assert [offset for offset, _ in ice_cream[1:]] == [timedelta(days=d) for d in (-24, -21, -17, -13)]
    assert changes("3000000000000101", "throughput_level")[1:] == [(timedelta(days=-12), "HIGH")]


def test_the_history_was_written_by_poll_cycles_over_simulated_time(started: Console) -> None:
    with Session(started.engine) as session:
        runs = session.exec(select(PollRun).order_by(col(PollRun.started_at))).all()
    assert len(runs) >= 30 * timedelta(days=1) / demo.STEP
    assert {(run.trigger, run.status, run.graph_calls) for run in runs} == {("demo", "ok", 3)}
    assert {run.numbers_seen for run in runs} == {7, 8}  # 8 from Lucky Shrub Garden Center's onboarding on
    assert runs[-1].numbers_seen == 8
    steps = {b.started_at - a.started_at for a, b in zip(runs, runs[1:], strict=False)}
    assert max(steps) == demo.STEP
    # A handful of rows per number, not one per poll.
    assert count(started, HealthInterval) < 60 < len(runs)


def test_a_later_start_does_nothing(started: Console) -> None:
    before = [count(started, model) for model in (PollRun, HealthInterval, Credential, AuditEvent)]
    demo.bootstrap(started)
    assert [count(started, model) for model in (PollRun, HealthInterval, Credential, AuditEvent)] == before


def test_two_processes_starting_at_once_bootstrap_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "HISTORY", timedelta(days=2))  # the race, not the length, is under test
    key = Fernet.generate_key().decode()
    consoles = [open_console(demo_settings(tmp_path, key=key)) for _ in range(2)]
    start = threading.Barrier(2)

    def first_start(console: Console) -> None:
        start.wait()
        demo.bootstrap(console)

    threads = [threading.Thread(target=first_start, args=(console,)) for console in consoles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert all(demo.is_done(console) for console in consoles)
        assert count(consoles[0], Credential) == 2
        with Session(consoles[0].engine) as session:
            holders = set(session.exec(select(PollRun.poller_id)))
            markers = session.exec(select(AuditEvent).where(AuditEvent.action == demo.MARKER)).all()
        assert len(holders) == 1 and len(markers) == 1
    finally:
        for console in consoles:
            console.graph.close()


def test_outside_demo_mode_nothing_is_bootstrapped(tmp_path: Path) -> None:
    settings = demo_settings(tmp_path, key=Fernet.generate_key().decode(), graph_api_url="http://127.0.0.1:9")
    console = open_console(settings)
    demo.bootstrap(console)
    assert count(console, Credential) == count(console, PollRun) == 0
    console.graph.close()


def test_a_first_start_that_died_half_way_leaves_no_half_written_past(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "HISTORY", timedelta(days=2))
    console = open_console(demo_settings(tmp_path, key=Fernet.generate_key().decode()))

    def dies(session: Session, past: demo.Past) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(demo, "FILL_STEPS", [*demo.FILL_STEPS, dies])
    with pytest.raises(KeyboardInterrupt):
        demo.bootstrap(console)
    assert not demo.is_done(console) and count(console, PollRun) == count(console, Alert) == 0
    monkeypatch.setattr(demo, "FILL_STEPS", demo.FILL_STEPS[:-1])
    demo.bootstrap(console)
    try:
        assert demo.is_done(console) and count(console, Credential) == 2
        with Session(console.engine) as session:
            starts = session.exec(select(PollRun.started_at).order_by(col(PollRun.started_at))).all()
        assert (
            len(starts) == len(set(starts))
            and max(b - a for a, b in zip(starts, starts[1:], strict=False)) == demo.STEP
        )
        assert starts[-1] - starts[0] >= timedelta(days=2)
    finally:
        console.graph.close()


# What a person could tell apart in the store; ids, random ciphertexts and wall-clock creation times aside.
COMPARED = {
    HealthInterval: ("id",),
    PhoneNumber: (),
    # The templates' own fill step is proven against polling in tests/services/templates/test_demo_fill.py.
    WhatsAppBusinessAccount: ("templates_polled_at",),
    PollRun: ("id",),
    Credential: ("id", "token_ciphertext", "created_at"),
    CredentialReach: (),
}


def _rows(console: Console) -> dict[str, list[dict[str, object]]]:
    with Session(console.engine) as session:
        found = {}
        for model, left_out in COMPARED.items():
            rows = [row.model_dump(exclude=set(left_out)) for row in session.exec(select(model))]
            found[model.__name__] = sorted(rows, key=repr)
    return found


def _polled_cycle_by_cycle(console: Console) -> None:
    """The demo's past as the real poller writes it: one run_cycle per moment against the twin simulator."""
    twin, clock = demo.twin_console(console)
    moments = demo.poll_moments(clock(), console.clock())
    demo.connect_credentials(twin, moments[0])
    for at in moments:
        clock.set(at)
        run_cycle(console=twin, trigger="demo", poller_id="demo-bootstrap@test", poll_interval_s=7200, workers=1)
    twin.graph.close()


def test_the_fill_writes_the_same_rows_as_the_poller_cycle_by_cycle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Six days hold an onboarding, a restriction, a disconnection, problems coming and going and a quality drop;
    # "now" 37 minutes after the anchor adds a live poll after it.
    monkeypatch.setattr(demo, "HISTORY", timedelta(days=6))
    monkeypatch.setattr(demo.poller_lease, "holder_id", lambda name: f"{name}@test")
    now = datetime(2026, 11, 20, 9, 37, tzinfo=UTC)
    key = Fernet.generate_key().decode()
    filled = open_console(demo_settings(tmp_path / "fill", key=key), clock=lambda: now)
    polled = open_console(demo_settings(tmp_path / "cycles", key=key), clock=lambda: now)
    try:
        demo.bootstrap(filled)
        _polled_cycle_by_cycle(polled)
        fill, cycles = _rows(filled), _rows(polled)
        assert len(fill["PollRun"]) == 6 * 12 + 2 and len(fill["HealthInterval"]) > 8
        for table, rows in cycles.items():
            assert fill[table] == rows, table
    finally:
        filled.graph.close()
        polled.graph.close()


def test_a_demo_server_writes_its_past_at_start_before_any_page_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "HISTORY", timedelta(days=2))
    monkeypatch.setenv("GRAPH_API_URL", "demo")
    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'console.sqlite'}")
    monkeypatch.setenv("CONSOLE_SECRET_KEY", Fernet.generate_key().decode())
    lifespan.start_up()  # what the server's lifespan runs on its start-up thread
    console = open_console()
    try:
        assert demo.is_done(console) and count(console, Credential) == 2
        assert count(console, PollRun) == len(demo.poll_moments(console.clock() - timedelta(days=2), console.clock()))
    finally:
        console.graph.close()
