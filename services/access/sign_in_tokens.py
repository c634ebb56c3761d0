"""Signed sign-in tokens, so a browser reload keeps a local account signed in."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

SIGN_IN_LIFETIME = timedelta(hours=12)


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"console-sign-in:" + secret.encode()).digest()


def issue(*, email: str, secret: str, now: datetime, lifetime: timedelta = SIGN_IN_LIFETIME) -> str:
    """A token naming `email`, valid until now + lifetime, that only `secret` can have signed."""
    expires = int((now + lifetime).timestamp())
    payload = base64.urlsafe_b64encode(f"{email}|{expires}".encode()).decode()
    signature = hmac.new(_key(secret), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{signature}"


def verify(*, token: str, secret: str, now: datetime) -> str | None:
    """The email the token names, or None when it is forged, malformed or expired."""
    payload, _, signature = token.partition(".")
    expected = hmac.new(_key(secret), payload.encode(), hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(signature, expected):
        return None
    try:
        email, expires = base64.urlsafe_b64decode(payload.encode()).decode().rsplit("|", 1)
        if int(expires) < now.timestamp():
            return None
    except ValueError:
        return None
    return email
