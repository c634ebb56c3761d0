"""Fixtures of the resilience suite: a console whose pages and poller talk to the simulator over real HTTP."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import timedelta

import pytest

from services.access.vault import load_vault
from services.graph import connection
from services.settings import load_settings
from services.store.engine import create_store_engine
from services.store.types import utcnow
from tests.fixtures.simulator import ServedSimulator
from tests.resilience.scene import (
    FAST_TIMEOUT_S,
    JASPERS,
    JASPERS_MARKET,
    JASPERS_WABA,
    NORTHWIND,
    OTHER_TOKEN,
    TOKEN,
    Scene,
    store_credential,
)


@pytest.fixture
def fast_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries keep their count but not their waits, and every Graph client the console builds times out fast."""
    monkeypatch.setattr("services.graph.retry.backoff_s", lambda *_args, **_kw: 0.0)
    monkeypatch.setenv("GRAPH_API_TIMEOUT_SECONDS", str(FAST_TIMEOUT_S))
    quick = functools.partial(connection.build_graph_client, timeout=FAST_TIMEOUT_S)
    monkeypatch.setattr(connection, "build_graph_client", quick)


@pytest.fixture
def scene(
    console_env: dict[str, str],
    database_url: str,
    graph_simulator: ServedSimulator,
    fast_graph: None,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Scene]:
    """The pages' console (console_env on a migrated SQLite file) pointed at a fresh simulator over HTTP."""
    assert console_env["DATABASE_URL"] == database_url  # the migrated copy is the file the pages open
    monkeypatch.setenv("GRAPH_API_URL", graph_simulator.url)
    # The console judges expiry by the wall clock, the simulator by its own: far enough ahead for both.
    expires = utcnow() + timedelta(days=400)
    simulator = graph_simulator.simulator
    simulator.register_token(TOKEN, state="valid", business_ids=[NORTHWIND], expires_at=expires)
    simulator.register_token(OTHER_TOKEN, state="valid", business_ids=[JASPERS], expires_at=expires)
    settings = load_settings()
    engine = create_store_engine(settings.database_url)
    graph = connection.build_graph_client(graph_simulator.url, version=settings.graph_api_version)
    yield Scene(
        simulator=simulator,
        url=graph_simulator.url,
        home_url=graph_simulator.url,
        engine=engine,
        graph=graph,
        vault=load_vault(settings),
        monkeypatch=monkeypatch,
        token_expires_at=expires,
    )
    graph.close()
    engine.dispose()


@pytest.fixture
def northwind_credential(scene: Scene) -> int:
    """A stored credential of Northwind Stores (230 numbers, so its number list has three pages)."""
    return store_credential(engine=scene.engine, graph=scene.graph, vault=scene.vault)


@pytest.fixture
def jaspers_credential(scene: Scene) -> int:
    """A second stored credential, another token and another business (Jasper's Market)."""
    return store_credential(
        engine=scene.engine,
        graph=scene.graph,
        vault=scene.vault,
        token=OTHER_TOKEN,
        business_id=JASPERS,
        waba_id=JASPERS_WABA,
        phone_number_id=JASPERS_MARKET,
        name="Jaspers market",
    )
