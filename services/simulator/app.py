"""The simulator: a deterministic WSGI stand-in for Meta's Graph API, with a movable clock and faults."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from services.simulator import control
from services.simulator.demo import demo_portfolio, demo_tokens, scale_portfolio
from services.simulator.errors import GraphFailure
from services.simulator.faults import FaultBook
from services.simulator.graph import World, answer, path_parts, usage_key
from services.simulator.portfolio import Portfolio
from services.simulator.request import Request
from services.simulator.schedule import Health
from services.simulator.templates import TemplateBook, demo_templates
from services.simulator.tokens import Token, TokenState
from services.simulator.usage import UsageMeter
from services.simulator.webhooks import WebhookSender

StartResponse = Callable[..., Any]
REQUEST_LOG_SIZE = 1000
_HTML_PAGE = b"<!DOCTYPE html><html><head><title>Error</title></head><body><h1>502 Bad Gateway</h1></body></html>"


class Simulator:
    """Meta's Graph API over the seeded portfolio; a WSGI app, thread-safe."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        anchor: datetime | None = None,
        portfolio: Portfolio | None = None,
        wabas: int = 0,
        numbers_per_waba: int = 0,
    ) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self.anchor = anchor or self._clock().replace(minute=0, second=0, microsecond=0)
        scale = wabas > 0 and numbers_per_waba > 0
        self.portfolio = portfolio or demo_portfolio()
        if scale:
            self.portfolio = self.portfolio.merged(scale_portfolio(wabas, numbers_per_waba))
        self._seeded_tokens = demo_tokens(self.anchor, scale=scale)
        self.templates = TemplateBook(demo_templates())
        self.faults = FaultBook()
        self.webhooks: WebhookSender | None = None  # set when the simulator also sends webhooks
        self._lock = threading.Lock()
        self._tokens = dict(self._seeded_tokens)
        self._skew = timedelta(0)
        self._usage = UsageMeter()
        self._log: deque[dict[str, object]] = deque(maxlen=REQUEST_LOG_SIZE)
        self._count = 0

    def now(self) -> datetime:
        """Simulated time: the clock, moved by set_now/advance."""
        with self._lock:
            return self._clock() + self._skew

    def set_now(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("The simulated time needs a timezone, e.g. 2026-11-01T00:00:00+00:00.")
        with self._lock:
            self._skew = now - self._clock()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._skew += timedelta(seconds=seconds)

    def register_token(
        self, token: str, *, state: str, business_ids: Iterable[str] = (), expires_at: datetime | None = None
    ) -> None:
        """Add (or replace) a token; state is valid, expired, invalid or no_permission."""
        kind = TokenState(state)
        issued = self.now() - timedelta(days=1)
        if kind is TokenState.EXPIRED and expires_at is None:
            expires_at = self.now() - timedelta(days=1)
        with self._lock:
            self._tokens[token] = Token(token, kind, tuple(business_ids), issued, expires_at)

    def state_at(self, phone_number_id: str, t: datetime) -> Health:
        """The number's health at simulated time `t` (KeyError for an unknown number)."""
        return self.portfolio.numbers[phone_number_id].schedule.at(t - self.anchor)

    def history(self, phone_number_id: str, start: datetime, end: datetime) -> list[tuple[datetime, Health]]:
        """The number's health at `start` and each change of it up to `end`, for back-filling a store."""
        schedule = self.portfolio.numbers[phone_number_id].schedule
        return [
            (self.anchor + at, health) for at, health in schedule.transitions(start - self.anchor, end - self.anchor)
        ]

    def reset(self) -> None:
        """Back to the seeded state: no faults, no extra tokens, no clock moves, empty request log."""
        self.faults.clear()
        self.templates.reset()
        with self._lock:
            self._tokens = dict(self._seeded_tokens)
            self._skew = timedelta(0)
            self._usage.clear()
            self._log.clear()
            self._count = 0

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._count

    def requests(self) -> list[dict[str, object]]:
        """The most recent Graph requests (oldest first), tokens redacted."""
        with self._lock:
            return list(self._log)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        request = Request.from_environ(environ)
        if request.path.startswith(control.PREFIX):
            status, body = control.handle(self, request)
            return _respond(start_response, status, json.dumps(body).encode(), {})
        return self._graph(request, start_response)

    def _graph(self, request: Request, start_response: StartResponse) -> list[bytes]:
        with self._lock:
            self._count += 1
            sequence = self._count
            world = World(self.portfolio, dict(self._tokens), self.anchor, self._clock() + self._skew, self.templates)
        delay, fault = self.faults.take(request.path, request.token)
        if delay:
            time.sleep(delay)
        trace = _trace_id(sequence, request.path)
        if fault is not None and fault.kind == "html":
            self._record(request, 502)
            return _respond(start_response, 502, _HTML_PAGE, {"Content-Type": "text/html; charset=utf-8"})
        failure: GraphFailure | None = None
        try:
            if fault is not None and fault.kind == "error":
                raise fault.failure()
            reply = answer(request, world)
            if reply.page is not None and (paged := self.faults.take_page(request.path, request.token, reply.page)):
                raise paged.failure()
            status, body = 200, reply.body
        except GraphFailure as exc:
            failure, status, body = exc, exc.http_status, exc.body(trace)
        payload = json.dumps(body).encode()
        if fault is not None and fault.kind == "malformed":
            status, payload = 200, payload[: max(1, len(payload) // 2)]
        key = usage_key(request.path, self.portfolio)
        with self._lock:
            headers = self._usage.headers(key, world.now, failure)
        headers |= {"x-fb-trace-id": trace, "facebook-api-version": f"v{path_parts(request.path)[0]}.0"}
        if status == 401:
            message = failure.message if failure else ""
            headers["WWW-Authenticate"] = f'OAuth "Facebook Platform" "invalid_token" "{message}"'
        self._record(request, status)
        return _respond(start_response, status, payload, headers)

    def _record(self, request: Request, status: int) -> None:
        with self._lock:
            self._log.append({"request": request.redacted, "path": request.path, "status": status})


def _trace_id(sequence: int, path: str) -> str:
    """Deterministic, so two simulators fed the same requests answer byte for byte the same."""
    digest = hashlib.sha256(f"{sequence}:{path}".encode()).digest()
    return base64.b64encode(digest[:8]).decode().rstrip("=")


def _respond(start_response: StartResponse, status: int, payload: bytes, headers: dict[str, str]) -> list[bytes]:
    reasons = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}
    reasons |= {404: "Not Found", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    headers = {"Content-Type": "application/json; charset=UTF-8", **headers, "Content-Length": str(len(payload))}
    start_response(f"{status} {reasons.get(status, 'Error')}", list(headers.items()))
    return [payload]
