"""A GraphClient over httpx.MockTransport that records its requests and the sleeps between retries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from services.graph.client import GraphClient
from services.graph.connection import build_graph_client

Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Mocked:
    client: GraphClient
    requests: list[httpx.Request] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)


@pytest.fixture
def mock_graph() -> Iterator[Callable[..., Mocked]]:
    made: list[GraphClient] = []

    def make(handler: Handler, *, version: str = "v24.0", max_retries: int = 3, timeout: float = 10.0) -> Mocked:
        mocked = Mocked(client=None)  # type: ignore[arg-type]

        def recording(request: httpx.Request) -> httpx.Response:
            mocked.requests.append(request)
            return handler(request)

        mocked.client = build_graph_client(
            "https://graph.facebook.com",
            version=version,
            transport=httpx.MockTransport(recording),
            max_retries=max_retries,
            timeout=timeout,
            sleep=mocked.sleeps.append,
        )
        made.append(mocked.client)
        return mocked

    yield make
    for client in made:
        client.close()
