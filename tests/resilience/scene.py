"""What the resilience tests share: the tokens and IDs they use, and the scene a fault is armed in."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from services.access.roles import DEMO_ADMIN
from services.access.vault import TokenVault
from services.credentials import lifecycle as credentials
from services.graph import connection
from services.graph.client import GraphClient
from services.runtime import Console
from services.settings import load_settings
from services.simulator import Simulator
from services.store.types import utcnow

# The pages' Graph client gives up after this long (a `slow` fault sleeps longer); see RESILIENCE.md.
FAST_TIMEOUT_S = 0.5
SLOW_ANSWER_S = 1.25

TOKEN = "EAARESILIENCENW0001"  # the token under test: Northwind Traders, whose WABA lists 230 numbers (3 pages)
OTHER_TOKEN = "EAARESILIENCEJM0002"  # a second credential's token, which no fault touches
NORTHWIND, NORTHWIND_WABA, NORTHWIND_FIRST = "1000000000000003", "2000000000000031", "3000000000031000"
JASPERS, JASPERS_WABA, JASPERS_MARKET = "1000000000000001", "2000000000000011", "3000000000000101"


@dataclass
class Scene:
    """A console's world: the simulator, the Graph URL the console uses, its store, a client and the vault."""

    simulator: Simulator
    url: str  # a fault may point it elsewhere (connection refused); pages follow GRAPH_API_URL
    home_url: str  # the simulator's own URL
    engine: Engine
    graph: GraphClient  # for setting the scene up, before any fault is armed
    vault: TokenVault
    monkeypatch: pytest.MonkeyPatch
    token_expires_at: datetime  # of TOKEN while it is valid

    def disarm(self) -> None:
        """Every fault gone: no injected answers, TOKEN valid again, the console back on the simulator."""
        self.simulator.faults.clear()
        self.simulator.register_token(TOKEN, state="valid", business_ids=[NORTHWIND], expires_at=self.token_expires_at)
        self.point_console_at(self.home_url)

    def point_console_at(self, url: str) -> None:
        """From now on the console (pages and poller) talks to `url`."""
        self.url = url
        self.monkeypatch.setenv("GRAPH_API_URL", url)


def refused_url() -> str:
    """An http URL on 127.0.0.1 whose port nobody listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def store_credential(
    *,
    engine: Engine,
    graph: GraphClient,
    vault: TokenVault,
    token: str = TOKEN,
    business_id: str = NORTHWIND,
    waba_id: str = NORTHWIND_WABA,
    phone_number_id: str = NORTHWIND_FIRST,
    name: str = "Northwind stores",
) -> int:
    """Store a credential through the credentials service, as an operator's Submit does; its ID."""
    with Session(engine) as session:
        stored = credentials.connect(
            session=session,
            graph=graph,
            vault=vault,
            actor=DEMO_ADMIN,
            token=token,
            business_id=business_id,
            waba_id=waba_id,
            phone_number_id=phone_number_id,
            name=name,
            at=utcnow(),
        )
        assert stored.id is not None
        return stored.id


def poller_console(scene: Scene) -> Console:
    """A console as `python -m services.poller` opens it, on the scene's store and its (possibly armed) Graph URL."""
    settings = load_settings()
    graph = connection.build_graph_client(scene.url, version=settings.graph_api_version)
    return Console(settings=settings, engine=scene.engine, graph=graph, vault=scene.vault, clock=utcnow)
