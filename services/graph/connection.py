"""The one httpx connection to the Graph API, pooled and shared by every caller of the GraphClient."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import httpx

from services.graph.client import GraphClient
from services.graph.redaction import guard_http_logs, redact
from services.language.translate import _
from services.settings import SettingsError

POOL_SIZE = 8  # the poller's few threads plus the pages of a couple of sessions
CONNECT_TIMEOUT_S = 5.0
USER_AGENT = "whatsapp-channel-console/0.1"
_VERSION = re.compile(r"^v\d+\.\d+$")


def build_graph_client(
    base_url: str,
    *,
    version: str,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 10.0,
    max_retries: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> GraphClient:
    """A thread-safe GraphClient on one pooled httpx.Client for `base_url` (Meta, the simulator or a proxy)."""
    url = httpx.URL(base_url.strip().rstrip("/"))
    if url.scheme not in ("http", "https") or not url.host:
        shown = redact(base_url)
        raise SettingsError(
            _(
                "GRAPH_API_URL must be an http:// or https:// address such as https://graph.facebook.com, not {shown}.",
                shown=repr(shown),
            )
        )
    if not _VERSION.match(version):
        raise SettingsError(_("GRAPH_API_VERSION must look like v24.0, not {version}.", version=repr(version)))
    guard_http_logs()
    http = httpx.Client(
        base_url=url,
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_S)),
        limits=httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE),
        follow_redirects=False,
        headers={"Accept": "application/json", "User-Agent": USER_AGENT},
    )
    return GraphClient(http, version=version, max_retries=max_retries, sleep=sleep)
