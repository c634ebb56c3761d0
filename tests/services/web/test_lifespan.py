"""The console process's start-up: configurations a crash left in Processing are checked again without a page visit."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import streamlit as st
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlmodel import Session, select

from services import demo
from services.access.roles import DEMO_ADMIN
from services.access.vault import load_vault
from services.configurations import lifecycle as configurations
from services.configurations.records import get
from services.graph.connection import build_graph_client
from services.runtime import Console
from services.settings import load_settings
from services.store.engine import create_store_engine
from services.store.models import AuditEvent
from services.store.types import utcnow
from services.web.lifespan import lifespan, lifespan_with
from tests.channel_configurations import complete, connect_credential, register_token
from tests.e2e.servers import start_console
from tests.fixtures.simulator import ServedSimulator
from ui import resources

WAIT_S = 60.0


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    """The start-up freezes the garbage collector's view of what it built; this test process must not keep that."""
    yield
    gc.unfreeze()


def _serve_briefly(context: Callable[[Any], Any], inside: Callable[[], object] = lambda: None) -> list[object]:
    """Enter and leave the lifespan `context` once (on a thread of its own); what `inside` saw while it was up."""
    seen: list[object] = []

    async def serve() -> None:
        async with context(None):
            seen.append(inside())

    # A thread of its own: the browser tests' sync Playwright leaves an event loop running in this one.
    thread = threading.Thread(target=asyncio.run, args=(serve(),))
    thread.start()
    thread.join(WAIT_S)
    return seen


def _demo_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    environment = {
        "GRAPH_API_URL": "demo",
        "CONSOLE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'console.sqlite'}",
        "CONSOLE_SECRET_KEY": Fernet.generate_key().decode(),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


@pytest.fixture
def stuck(
    console_env: dict[str, str],
    database_url: str,
    graph_simulator: ServedSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Engine, int]]:
    """The console's store holding one configuration left in Processing (submitted, never checked): its id."""
    assert console_env["DATABASE_URL"] == database_url
    monkeypatch.setenv("GRAPH_API_URL", graph_simulator.url)
    register_token(graph_simulator.simulator)
    settings = load_settings()
    engine = create_store_engine(database_url)
    graph = build_graph_client(graph_simulator.url, version=settings.graph_api_version)
    try:
        credential_id = connect_credential(engine=engine, graph=graph, vault=load_vault(settings), at=utcnow())
    finally:
        graph.close()
    with Session(engine) as session:
        row = configurations.submit(session=session, actor=DEMO_ADMIN, values=complete(credential_id), at=utcnow())
        assert row.status == "processing" and row.id is not None
    yield engine, row.id
    engine.dispose()


def _status(engine: Engine, configuration_id: int) -> str:
    with Session(engine) as session:
        return get(session=session, configuration_id=configuration_id).status


def _wait_for(condition: Callable[[], bool], what: str, log: Callable[[], str] = str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {WAIT_S:g} s\n{log()[-3000:]}"
        time.sleep(0.05)


def test_the_lifespan_checks_a_configuration_left_processing_again(stuck: tuple[Engine, int]) -> None:
    engine, configuration_id = stuck
    _serve_briefly(lifespan)
    _wait_for(lambda: _status(engine, configuration_id) != "processing", "the re-check")
    assert _status(engine, configuration_id) == "active"


def test_streamlit_run_checks_it_again_when_the_console_starts_before_any_page_visit(
    stuck: tuple[Engine, int], console_env: dict[str, str], graph_simulator: ServedSimulator, tmp_path: Path
) -> None:
    engine, configuration_id = stuck
    console = start_console(tmp_path, {**console_env, "GRAPH_API_URL": graph_simulator.url})
    try:
        # Only /_stcore/health was asked for: no browser session, so no page script has run.
        _wait_for(lambda: _status(engine, configuration_id) != "processing", "the re-check", console.log_text)
        assert _status(engine, configuration_id) == "active"
        assert "Traceback" not in console.log_text()
    finally:
        console.stop()


def test_the_server_answers_only_once_the_pages_console_is_open_warm_and_its_demo_past_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "HISTORY", timedelta(days=2))
    _demo_environment(tmp_path, monkeypatch)
    opened: list[Console] = []
    warmed: list[int] = []

    def open_for_pages() -> Console:
        opened.append(resources.shared_console())
        return opened[-1]

    def inside() -> tuple[int, list[int], bool, bool, bool]:
        shared = resources.shared_console() is opened[0]
        return len(opened), list(warmed), shared, demo.is_done(opened[0]), gc.get_freeze_count() > 0

    try:
        seen = _serve_briefly(lifespan_with(open_for_pages, lambda: warmed.append(len(opened))), inside)
        # The pages' own console, opened once (its past written as it opened), warmed after it: all before the
        # server answered, and what it built set aside from the collector's rounds.
        assert seen == [(1, [1], True, True, True)]
    finally:
        st.cache_resource.clear()  # the shared console is released, its demo pollers stopped


def test_a_demo_servers_health_check_answers_once_its_past_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = _demo_environment(tmp_path, monkeypatch)
    console = start_console(tmp_path, environment)
    engine = create_store_engine(environment["DATABASE_URL"])
    try:
        # Nothing but the health check has been asked for: no page has run, and the 35 days are there already.
        with Session(engine) as session:
            written = session.exec(select(AuditEvent.id).where(AuditEvent.action == demo.MARKER)).first()
        assert written is not None, console.log_text()[-3000:]
        assert httpx.get(f"{console.url}/_stcore/health", timeout=10).text.strip() == "ok"
        assert "Traceback" not in console.log_text()
    finally:
        engine.dispose()
        console.stop()
