"""The simulator's own control endpoints under /_simulator/ (no token): faults, clock, tokens, request log, webhooks."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from services.simulator import control_templates, control_webhooks
from services.simulator.faults import Fault, FaultBook
from services.simulator.request import Request
from services.simulator.templates import TemplateBook
from services.simulator.tokens import TokenState
from services.simulator.webhooks import WebhookSender

PREFIX = "/_simulator/"


class Simulator(Protocol):
    """What the control endpoints steer; the simulator's WSGI app provides it (no import back to it)."""

    faults: FaultBook
    webhooks: WebhookSender | None
    templates: TemplateBook
    anchor: datetime

    @property
    def request_count(self) -> int: ...

    def requests(self) -> list[dict[str, object]]: ...

    def reset(self) -> None: ...

    def now(self) -> datetime: ...

    def set_now(self, now: datetime) -> None: ...

    def advance(self, seconds: float) -> None: ...

    def register_token(
        self, token: str, *, state: str, business_ids: Iterable[str] = (), expires_at: datetime | None = None
    ) -> None: ...


class ControlError(ValueError):
    """A bad control request; the message says what to send instead."""


def handle(simulator: Simulator, request: Request) -> tuple[int, dict[str, Any]]:
    """Status and JSON body for one control request."""
    route = (request.method, request.path.removeprefix(PREFIX).rstrip("/"))
    try:
        if route == ("GET", "health"):
            return 200, {"ok": True, "now": simulator.now().isoformat()}
        if route == ("GET", "faults"):
            return 200, {"faults": [fault.to_json() for fault in simulator.faults.active()]}
        if route == ("POST", "faults"):
            body = _json(request)
            for item in body if isinstance(body, list) else [body]:
                simulator.faults.add(Fault.from_json(item))
            return 201, {"faults": len(simulator.faults)}
        if route == ("DELETE", "faults"):
            simulator.faults.clear()
            return 200, {"faults": 0}
        if route == ("GET", "requests"):
            return 200, {"count": simulator.request_count, "requests": simulator.requests()}
        if route == ("POST", "reset"):
            simulator.reset()
            return 200, {"reset": True}
        if route == ("GET", "clock"):
            return 200, {"now": simulator.now().isoformat()}
        if route == ("POST", "clock"):
            return 200, _move_clock(simulator, _json(request))
        if route == ("POST", "tokens"):
            return 201, _register_token(simulator, _json(request))
        if route == ("GET", "webhooks"):
            return 200, _webhooks_sent(simulator)
        if route == ("POST", "webhooks"):
            return 202, control_webhooks.queue(simulator.webhooks, _json(request), now=simulator.now())
        if route == ("GET", "templates"):
            waba_id = request.query.get("waba_id")
            return 200, control_templates.listing(
                simulator.templates, anchor=simulator.anchor, now=simulator.now(), waba_id=waba_id
            )
        if route == ("POST", "templates"):
            body = _json(request)
            now = simulator.now()
            return 200, control_templates.change(
                simulator.templates, simulator.webhooks, body, anchor=simulator.anchor, now=now
            )
    except (ControlError, ValueError) as exc:
        return 400, {"error": {"message": str(exc)}}
    return 404, {"error": {"message": f"No simulator control endpoint {request.method} {request.path}."}}


def _webhooks_sent(simulator: Simulator) -> dict[str, Any]:
    sender = simulator.webhooks
    if sender is None:
        raise ControlError(control_webhooks.NOT_SENDING)
    return {"url": sender.url, "deliveries": sender.outcomes_json()}


def _json(request: Request) -> Any:
    try:
        return json.loads(request.body or b"null")
    except json.JSONDecodeError as exc:
        raise ControlError(f"The body is not valid JSON: {exc}.") from None


def _time(value: Any, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ControlError(f"{name} must be an ISO-8601 time like 2026-11-01T00:00:00+00:00, not {value!r}.") from None
    if moment.tzinfo is None:
        raise ControlError(f"{name} needs a timezone, e.g. 2026-11-01T00:00:00+00:00.")
    return moment


def _move_clock(simulator: Simulator, body: Any) -> dict[str, Any]:
    if isinstance(body, dict) and "now" in body:
        simulator.set_now(_time(body["now"], "now"))
    elif isinstance(body, dict) and isinstance(body.get("advance_seconds"), int | float):
        simulator.advance(float(body["advance_seconds"]))
    else:
        raise ControlError('Send {"now": "<ISO time>"} or {"advance_seconds": <number>}.')
    return {"now": simulator.now().isoformat()}


def _register_token(simulator: Simulator, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("token"), str) or not body["token"]:
        raise ControlError('Send {"token": "...", "state": "valid", "business_ids": ["..."]}.')
    states = [state.value for state in TokenState]
    if body.get("state", "valid") not in states:
        raise ControlError(f"state must be one of {', '.join(states)}, not {body.get('state')!r}.")
    business_ids = body.get("business_ids", [])
    if not isinstance(business_ids, list) or not all(isinstance(b, str) for b in business_ids):
        raise ControlError("business_ids must be a list of business IDs (strings).")
    expires_at = _time(body["expires_at"], "expires_at") if body.get("expires_at") else None
    simulator.register_token(
        body["token"], state=body.get("state", "valid"), business_ids=business_ids, expires_at=expires_at
    )
    return {"token": "…" + body["token"][-4:], "state": body.get("state", "valid")}
