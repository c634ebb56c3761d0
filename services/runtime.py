"""One running console: settings, store, Graph API client, token vault and clock, opened together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from services.access.vault import TokenVault, load_vault
from services.graph.client import GraphClient
from services.settings import Settings, load_settings
from services.store.engine import create_store_engine
from services.store.types import utcnow

DEMO_GRAPH_BASE_URL = "http://graph.simulator.invalid"


@dataclass
class Console:
    settings: Settings
    engine: Engine
    graph: GraphClient
    vault: TokenVault
    clock: Callable[[], datetime]
    simulator: object | None = None  # the in-process simulator, in demo mode


def _graph_for(settings: Settings, clock: Callable[[], datetime]) -> tuple[GraphClient, object | None]:
    from services.graph.connection import build_graph_client

    if not settings.demo:
        client = build_graph_client(
            settings.graph_api_url, version=settings.graph_api_version, timeout=settings.graph_api_timeout_seconds
        )
        return client, None
    from services.simulator import Simulator, in_process_transport

    simulator = Simulator(clock=clock)
    transport = in_process_transport(simulator)
    client = build_graph_client(DEMO_GRAPH_BASE_URL, version=settings.graph_api_version, transport=transport)
    return client, simulator


def open_store(settings: Settings | None = None) -> Engine:
    """The store for `settings`, migrated to head (for command-line tools that need no Graph API)."""
    from services.store.migrate import upgrade_to_head

    engine = create_store_engine((settings or load_settings()).database_url)
    upgrade_to_head(engine)
    return engine


def open_console(settings: Settings | None = None, *, clock: Callable[[], datetime] = utcnow) -> Console:
    """Open the store (migrated to head), the vault and the Graph API client for `settings`."""
    settings = settings or load_settings()
    vault = load_vault(settings)
    engine = open_store(settings)
    from services.alerts.channels import seed_store

    seed_store(engine, settings, vault)  # the alert channels of SMTP_URL / ALERT_WEBHOOK_URL
    graph, simulator = _graph_for(settings, clock)
    return Console(settings=settings, engine=engine, graph=graph, vault=vault, clock=clock, simulator=simulator)
