"""`/webhooks/whatsapp`: Meta's verification handshake (GET) and its signed deliveries (POST).

A delivery is answered only once its raw body is committed to the store, and before anything is applied:
Meta waits for no processing, and a crash after the 200 loses nothing (the drain applies it at start-up).
A refused POST keeps nothing of its body: a WebhookRefusal row notes when, from where, why and its size.
"""

from __future__ import annotations

import functools
import json
from hmac import compare_digest

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from services.poller.cycle import interval_of
from services.runtime import open_store
from services.settings import Settings, load_settings
from services.store.types import utcnow
from services.webhooks import deliveries, processing
from services.webhooks.secrets import webhook_secrets
from services.webhooks.signature import verify

WEBHOOK_PATH = "/webhooks/whatsapp"
SIGNATURE_HEADER = "x-hub-signature-256"


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


@functools.cache
def _settings() -> Settings:
    return load_settings()


@functools.cache
def _engine() -> Engine:
    return open_store(_settings())


def _secrets() -> tuple[str | None, str | None]:
    return webhook_secrets(_settings())


def start_processing() -> processing.Drain:
    """This process's drain of stored deliveries (the lifespan starts it; the first delivery would too)."""
    return processing.start_drain(_engine, poll_interval_s=interval_of(_settings()))


def _source(request: Request) -> str:
    return request.client.host if request.client else ""


async def handshake(request: Request) -> Response:
    """Meta's subscription check: the challenge back when the verify token matches, 403 otherwise."""
    _app_secret, verify_token = await run_in_threadpool(_secrets)
    params = request.query_params
    offered = params.get("hub.verify_token", "")
    if (
        verify_token
        and params.get("hub.mode") == "subscribe"
        and compare_digest(offered.encode(), verify_token.encode())
    ):
        return PlainTextResponse(params.get("hub.challenge", ""))
    return Response(status_code=403)


def _declared(request: Request) -> int:
    declared = request.headers.get("content-length", "")
    return int(declared) if declared.isdigit() else 0


async def _body(request: Request) -> bytes:
    if _declared(request) > deliveries.MAX_BODY_BYTES:
        raise _TooLarge(_declared(request))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > deliveries.MAX_BODY_BYTES:
            raise _TooLarge(size)
        chunks.append(chunk)
    return b"".join(chunks)


async def _refuse(request: Request, status: int, reason: str, size: int) -> Response:
    await run_in_threadpool(
        deliveries.record_refusal,
        engine=_engine(),
        at=utcnow(),
        source_address=_source(request),
        reason=reason,
        body_bytes=size,
    )
    return Response(status_code=status)


async def receive(request: Request) -> Response:
    """Verify, store raw (committed), answer 200; the drain applies it after."""
    app_secret, _verify_token = await run_in_threadpool(_secrets)
    if not app_secret:
        return await _refuse(request, 503, "not_configured", _declared(request))
    try:
        body = await _body(request)
    except _TooLarge as large:
        return await _refuse(request, 413, "too_large", large.size)
    header = request.headers.get(SIGNATURE_HEADER)
    if not header:
        return await _refuse(request, 401, "missing_signature", len(body))
    if not verify(body, header, app_secret):
        return await _refuse(request, 401, "bad_signature", len(body))
    try:
        json.loads(body)
    except ValueError:
        return await _refuse(request, 400, "not_json", len(body))
    await run_in_threadpool(
        deliveries.store_delivery, engine=_engine(), body=body, source_address=_source(request), at=utcnow()
    )
    start_processing().wake()
    return PlainTextResponse("ok")
