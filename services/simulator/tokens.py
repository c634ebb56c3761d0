"""Access tokens the simulator knows: what each reaches and whether Meta would accept it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.simulator.errors import GraphFailure, expired_token, invalid_token, missing_token, revoked_token

MANAGEMENT = "whatsapp_business_management"
MESSAGING = "whatsapp_business_messaging"
APP_ID = "670843887433847"
APPLICATION = "Channel Console Simulator"


class TokenState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"  # revoked: the user logged out (subcode 467)
    NO_PERMISSION = "no_permission"  # valid, but without whatsapp_business_management


@dataclass(frozen=True)
class Token:
    value: str
    state: TokenState
    business_ids: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime | None = None  # None: never expires
    user_id: str = "1000000000000777"

    @property
    def scopes(self) -> tuple[str, ...]:
        if self.state is TokenState.NO_PERMISSION:
            return (MESSAGING, "public_profile")
        return (MANAGEMENT, MESSAGING, "business_management", "public_profile")

    def expired(self, now: datetime) -> bool:
        return self.state is TokenState.EXPIRED or (self.expires_at is not None and self.expires_at <= now)

    def failure(self, now: datetime) -> GraphFailure | None:
        """The error Meta answers when this token is the bearer, or None if it is usable."""
        if self.state is TokenState.INVALID:
            return revoked_token()
        if self.expired(now):
            return expired_token(self.expires_at or now, now)
        return None


def authenticate(value: str | None, tokens: dict[str, Token], now: datetime) -> Token:
    """The bearer's token, or the 190 failure Meta would answer."""
    if not value:
        raise missing_token()
    token = tokens.get(value)
    if token is None:
        raise invalid_token()
    failure = token.failure(now)
    if failure is not None:
        raise failure
    return token


def describe(token: Token, *, targets: list[str], now: datetime) -> dict[str, object]:
    """debug_token's `data` for a known token; `targets` are the WABA ids it reaches, newest first."""
    data: dict[str, object] = {
        "app_id": APP_ID,
        "application": APPLICATION,
        "data_access_expires_at": int((token.issued_at + timedelta(days=90)).timestamp()),
        "expires_at": int(token.expires_at.timestamp()) if token.expires_at else 0,
        "granular_scopes": [
            {"scope": scope, "target_ids": targets} for scope in token.scopes if scope in (MANAGEMENT, MESSAGING)
        ],
        "is_valid": True,
        "issued_at": int(token.issued_at.timestamp()),
        "scopes": list(token.scopes),
        "type": "SYSTEM_USER",
        "user_id": token.user_id,
    }
    failure = token.failure(now)
    if failure is not None:
        del data["granular_scopes"]
        data["is_valid"] = False
        data["error"] = failure.inner()
    return data
