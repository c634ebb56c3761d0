"""The console process's start-up: configurations a crash left in Processing are checked again without a page visit."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from services.access.roles import DEMO_ADMIN
from services.access.vault import load_vault
from services.configurations import lifecycle as configurations
from services.configurations.records import get
from services.graph.connection import build_graph_client
from services.settings import load_settings
from services.store.engine import create_store_engine
from services.store.types import utcnow
from services.web.lifespan import lifespan
from tests.channel_configurations import complete, connect_credential, register_token
from tests.e2e.servers import start_console
from tests.fixtures.simulator import ServedSimulator

WAIT_S = 60.0


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

    async def serve_briefly() -> None:
        async with lifespan(None):
            pass

    # A thread of its own: the browser tests' sync Playwright leaves an event loop running in this one.
    thread = threading.Thread(target=asyncio.run, args=(serve_briefly(),))
    thread.start()
    thread.join(WAIT_S)
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
