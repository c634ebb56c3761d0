"""What an httpx failure (timeout, refused connection, broken stream) means to an operator."""

from __future__ import annotations

import httpx

from services.graph.errors import GraphError, GraphTimeout, GraphUnreachable, UnreadableResponse


def _seconds(value: float | None) -> str:
    if value is None:
        return "the time allowed"
    return "1 second" if value == 1 else f"{value:g} seconds"


def failure_of(exc: httpx.HTTPError, http: httpx.Client) -> GraphError:
    """The typed error for an httpx failure; never str(exc), which may carry the request URL."""
    base = http.base_url
    where = base.host + (f":{base.port}" if base.port else "")
    cause = type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout | httpx.ConnectError | httpx.ProxyError):
        sentence = f"Cannot reach the Graph API at {where}; check the network or GRAPH_API_URL."
        return GraphUnreachable(sentence, meta_message=cause)
    if isinstance(exc, httpx.TimeoutException):
        sentence = f"Meta's Graph API did not answer within {_seconds(http.timeout.read)}; try again in a minute."
        return GraphTimeout(sentence, meta_message=cause)
    if isinstance(exc, httpx.DecodingError):
        sentence = "The Graph API sent an answer the console cannot read (undecodable body); try again in a minute."
        return UnreadableResponse(sentence, meta_message=cause)
    sentence = f"The connection to the Graph API at {where} broke off; try again in a minute."
    return GraphUnreachable(sentence, meta_message=cause)
