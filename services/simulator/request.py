"""One incoming request, read from a WSGI environ."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

_BEARER = re.compile(r"^\s*(?:Bearer|OAuth)\s+(\S+)\s*$", re.IGNORECASE)
_SECRET_PARAMS = frozenset({"access_token", "input_token"})


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    token: str | None
    base_url: str  # scheme://host[:port] the client used, so paging links work in-process and over HTTP
    body: bytes = b""

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> Request:
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        match = _BEARER.match(environ.get("HTTP_AUTHORIZATION", ""))
        token = match.group(1) if match else query.get("access_token") or None
        raw_length = str(environ.get("CONTENT_LENGTH") or "0")
        length = int(raw_length) if raw_length.isdigit() else 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT')}"
        return cls(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            path=environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/"),
            query=query,
            token=token,
            base_url=f"{environ.get('wsgi.url_scheme', 'http')}://{host}",
            body=body,
        )

    @property
    def redacted(self) -> str:
        """Method, path and query with every token replaced, for the request log."""
        params = [(k, "[redacted]" if k in _SECRET_PARAMS else v) for k, v in self.query.items()]
        return f"{self.method} {self.path}" + (f"?{urlencode(params, safe='[],')}" if params else "")

    def url_with(self, **params: str) -> str:
        """This request's URL with cursor parameters replaced (`after`/`before` are dropped first)."""
        query = {k: v for k, v in self.query.items() if k not in ("after", "before")} | params
        return f"{self.base_url}{self.path}?{urlencode(query)}"
