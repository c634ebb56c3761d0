"""What an httpx failure (timeout, refused connection, broken stream) means to an operator."""

from __future__ import annotations

import httpx

from services.graph.errors import GraphError, GraphTimeout, GraphUnreachable, UnreadableResponse
from services.graph.said import Said
from services.language.translate import N_


def _seconds(value: float | None) -> Said:
    if value is None:
        return Said(N_("the time allowed"))
    if value == int(value):
        return Said.plural("1 second", "{count} seconds", int(value))
    return Said(N_("{count} seconds"), count=value)


def failure_of(exc: httpx.HTTPError, http: httpx.Client) -> GraphError:
    """The typed error for an httpx failure; never str(exc), which may carry the request URL."""
    base = http.base_url
    where = base.host + (f":{base.port}" if base.port else "")
    cause = type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout | httpx.ConnectError | httpx.ProxyError):
        sentence = Said(N_("Cannot reach the Graph API at {where}; check the network or GRAPH_API_URL."), where=where)
        return GraphUnreachable(sentence, meta_message=cause)
    if isinstance(exc, httpx.TimeoutException):
        sentence = Said(
            N_("Meta's Graph API did not answer within {wait}; try again in a minute."),
            wait=_seconds(http.timeout.read),
        )
        return GraphTimeout(sentence, meta_message=cause)
    if isinstance(exc, httpx.DecodingError):
        sentence = Said(
            N_("The Graph API sent an answer the console cannot read (undecodable body); try again in a minute.")
        )
        return UnreadableResponse(sentence, meta_message=cause)
    sentence = Said(N_("The connection to the Graph API at {where} broke off; try again in a minute."), where=where)
    return GraphUnreachable(sentence, meta_message=cause)
