"""Server-side sign-in sessions: a random token in an HttpOnly cookie, only its hash in the store.

Why this is safe: the cookie holds 256 random bits and the store only their SHA-256, so neither a
copied database nor a forged cookie signs anyone in; every script run looks the session up, so
Sign out, a password or role change and removing the account end it at once, in every tab; the
role is read from the account on every run, never from the cookie; a session ends after
`idle` without use and after `lifetime` in any case. The browser learns the token only from the
sign-in route's Set-Cookie (HttpOnly, SameSite=Lax, Secure over https), in exchange for a
one-time ticket valid for a minute, so page scripts never see it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from services.access.roles import Actor, Role
from services.store.models import ConsoleUser, SignInSession

COOKIE = "console_session"
TICKET_LIFETIME = timedelta(minutes=1)
IDLE_TIMEOUT = timedelta(hours=8)
LIFETIME = timedelta(hours=24)
# Writing last_seen_at on every rerun would write on every click; a minute's precision is plenty for 8 hours.
SEEN_PRECISION = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Started:
    session_id: int
    ticket: str  # what the browser trades for the cookie, once, within TICKET_LIFETIME


def start(*, session: Session, email: str, now: datetime, client: str = "", lifetime: timedelta = LIFETIME) -> Started:
    """A new sign-in session for `email` (commits); the cookie comes from redeeming the ticket."""
    ticket = secrets.token_urlsafe(32)
    row = SignInSession(
        email=email,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        ticket_hash=digest(ticket),
        ticket_expires_at=now + TICKET_LIFETIME,
        client=client[:64],
    )
    session.add(row)
    session.commit()
    assert row.id is not None
    return Started(row.id, ticket)


def redeem(*, session: Session, ticket: str, now: datetime) -> tuple[str, datetime] | None:
    """The cookie token (and its expiry) for a ticket not yet used nor expired; None otherwise (commits)."""
    token = secrets.token_urlsafe(32)
    claimed = session.exec(
        update(SignInSession)
        .where(
            col(SignInSession.ticket_hash) == digest(ticket),
            col(SignInSession.ticket_expires_at) > now,
            col(SignInSession.revoked_at).is_(None),
        )
        .values(ticket_hash=None, ticket_expires_at=None, token_hash=digest(token))
        .returning(SignInSession.expires_at)  # type: ignore[arg-type]
    ).first()
    session.commit()
    return (token, claimed[0]) if claimed else None


def _actor(session: Session, row: SignInSession | None, now: datetime, idle: timedelta) -> tuple[int, Actor] | None:
    if row is None or row.revoked_at is not None or row.expires_at <= now or now - row.last_seen_at > idle:
        return None
    user = session.get(ConsoleUser, row.email)
    if user is None:
        return None
    if now - row.last_seen_at >= SEEN_PRECISION:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    role: Role = "admin" if user.role == "admin" else "viewer"
    assert row.id is not None
    return row.id, Actor(email=user.email, role=role)


def resume(*, session: Session, session_id: int, now: datetime, idle: timedelta = IDLE_TIMEOUT) -> Actor | None:
    """Who a tab's session is now (role read afresh), or None when it ended."""
    found = _actor(session, session.get(SignInSession, session_id), now, idle)
    return found[1] if found else None


def from_cookie(
    *, session: Session, token: str, now: datetime, idle: timedelta = IDLE_TIMEOUT
) -> tuple[int, Actor] | None:
    """The session and actor a cookie token stands for, or None (unknown, revoked, idle or expired)."""
    row = session.exec(select(SignInSession).where(col(SignInSession.token_hash) == digest(token))).first()
    return _actor(session, row, now, idle)


def revoke(*, session: Session, session_id: int | None = None, token: str | None = None, now: datetime) -> None:
    """End one session, named by id or by its cookie token (commits)."""
    query = update(SignInSession).where(col(SignInSession.revoked_at).is_(None))
    if session_id is not None:
        query = query.where(col(SignInSession.id) == session_id)
    elif token:
        query = query.where(col(SignInSession.token_hash) == digest(token))
    else:
        return
    session.exec(query.values(revoked_at=now))  # type: ignore[call-overload]
    session.commit()


def revoke_all(*, session: Session, email: str, now: datetime) -> int:
    """End every session of an account (no commit: the caller's change and the revocation commit together)."""
    ended = session.exec(
        update(SignInSession)  # type: ignore[call-overload]
        .where(col(SignInSession.email) == email, col(SignInSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return int(ended.rowcount)
