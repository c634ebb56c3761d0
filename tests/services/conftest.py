"""Fixtures shared by the channel configuration service tests."""

import pytest
from sqlalchemy import Engine

from services.access.vault import TokenVault
from services.graph.client import GraphClient
from tests.channel_configurations import connect_credential, register_token
from tests.fixtures.simulator import ServedSimulator


@pytest.fixture
def credential_id(engine: Engine, graph: GraphClient, vault: TokenVault, graph_simulator: ServedSimulator) -> int:
    """A credential of Jasper's Market, stored through the credentials service."""
    register_token(graph_simulator.simulator)
    return connect_credential(engine=engine, graph=graph, vault=vault, at=graph_simulator.simulator.now())
