"""A Graph client on the simulator, both in-process (WSGI transport) and over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.simulator import ManualClock, Simulator, in_process_transport
from tests.fixtures.simulator import SIMULATOR_ANCHOR, ServedSimulator

ANCHOR = SIMULATOR_ANCHOR
TOKEN = "EAADEMOTOKEN"


@dataclass
class Graph:
    http: httpx.Client
    simulator: Simulator
    clock: ManualClock

    def get(self, path: str, token: str | None = TOKEN, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.get(path, params=params, headers=headers)


def in_process() -> Iterator[Graph]:
    clock = ManualClock(ANCHOR)
    simulator = Simulator(clock=clock, anchor=ANCHOR)
    with httpx.Client(transport=in_process_transport(simulator), base_url="http://graph.simulator.invalid") as http:
        yield Graph(http, simulator, clock)


@pytest.fixture
def local() -> Iterator[Graph]:
    """In-process only: for the exhaustive checks that need no socket."""
    yield from in_process()


@pytest.fixture(params=["in_process", "http"])
def graph(request: pytest.FixtureRequest) -> Iterator[Graph]:
    """The same simulator behind both transports the console uses."""
    if request.param == "in_process":
        yield from in_process()
        return
    served: ServedSimulator = request.getfixturevalue("graph_simulator")
    with httpx.Client(base_url=served.url, timeout=10) as http:
        yield Graph(http, served.simulator, served.clock)


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The `error` object of Meta's envelope, after checking the envelope's required keys."""
    error = response.json()["error"]
    assert {"message", "type", "code", "fbtrace_id"} <= set(error)
    return error
