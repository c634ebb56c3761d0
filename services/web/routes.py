"""Every extra route the console serves next to Streamlit's (`st.App(routes=...)`).

The sign-in cookie: Streamlit's own script runs cannot set a cookie, let alone an HttpOnly one; these two small
routes can. Meta's webhooks: verified, stored raw and committed, then answered; a drain thread applies them.
"""

from __future__ import annotations

import functools

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from services.access import sessions
from services.runtime import open_store
from services.store.types import utcnow
from services.web import health_check, metrics, webhooks

SESSION_PATH = "/_console/session"
SIGN_OUT_PATH = "/_console/sign-out"
MAX_TICKET_LENGTH = 100


@functools.cache
def _engine() -> Engine:
    return open_store()


def _secure(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


def _redeem(ticket: str) -> tuple[str, object] | None:
    with Session(_engine()) as session:
        return sessions.redeem(session=session, ticket=ticket, now=utcnow())


async def session_cookie(request: Request) -> Response:
    """Trade a one-time sign-in ticket for the HttpOnly session cookie."""
    ticket = (await request.body())[:MAX_TICKET_LENGTH].decode("ascii", "replace").strip()
    redeemed = await run_in_threadpool(_redeem, ticket) if ticket else None
    if redeemed is None:
        return Response(status_code=403)
    token, expires_at = redeemed
    response = Response(status_code=204)
    max_age = int((expires_at - utcnow()).total_seconds())  # type: ignore[operator]
    response.set_cookie(
        sessions.COOKIE, token, max_age=max_age, path="/", httponly=True, samesite="lax", secure=_secure(request)
    )
    return response


def _revoke(token: str) -> None:
    with Session(_engine()) as session:
        sessions.revoke(session=session, token=token, now=utcnow())


async def sign_out(request: Request) -> Response:
    """End the session the cookie names and clear the cookie."""
    token = request.cookies.get(sessions.COOKIE, "")
    if token:
        await run_in_threadpool(_revoke, token)
    response = Response(status_code=204)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


def routes() -> list[BaseRoute]:
    """The console's own routes; Streamlit refuses any that clash with its reserved paths."""
    return [
        Route(SESSION_PATH, session_cookie, methods=["POST"]),
        Route(SIGN_OUT_PATH, sign_out, methods=["POST"]),
        Route(webhooks.WEBHOOK_PATH, webhooks.handshake, methods=["GET"]),
        Route(webhooks.WEBHOOK_PATH, webhooks.receive, methods=["POST"]),
        Route(metrics.METRICS_PATH, metrics.metrics, methods=["GET"]),
        Route(health_check.HEALTH_PATH, health_check.healthz, methods=["GET"]),
    ]
