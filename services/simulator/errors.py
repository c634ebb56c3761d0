"""Meta's error envelope, HTTP statuses and the exact wording of the errors the simulator answers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80007, 80008, 130429})
TRANSIENT_CODES = RATE_LIMIT_CODES | {1, 2, 131000, 131016}
DEFAULT_MESSAGES = {
    1: "An unknown error occurred",
    2: "An unexpected error has occurred. Please retry your request later.",
    4: "(#4) Application request limit reached",
    10: "(#10) Application does not have permission for this action",
    80007: "(#80007) There have been too many calls to this WhatsApp Business account. Wait a bit and try again.",
    80008: "(#80008) There have been too many calls to this WhatsApp Business account. Wait a bit and try again.",
    130429: "(#130429) Rate limit hit",
    131000: "(#131000) Something went wrong",
    131016: "(#131016) Service unavailable",
}


def http_status_for(code: int) -> int:
    """The reference's table (§3.2); rate limits answer 400, like the WhatsApp error-code table."""
    if code == 190 or code == 0:
        return 401
    if code == 10 or 200 <= code <= 299 or code == 368:
        return 403
    if code == 2:
        return 503
    if code in (1, 3, 131000, 131016):
        return 500
    return 400


class GraphFailure(Exception):
    """An error answer in Meta's envelope."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        *,
        subcode: int | None = None,
        http_status: int | None = None,
        type_: str = "OAuthException",
        retry_after_minutes: int | None = None,
    ) -> None:
        self.code = code
        self.message = message or DEFAULT_MESSAGES.get(code, f"(#{code}) An error occurred")
        super().__init__(self.message)
        self.subcode = subcode
        self.http_status = http_status or http_status_for(code)
        self.type = type_
        if retry_after_minutes is None and code in RATE_LIMIT_CODES:
            retry_after_minutes = 1
        self.retry_after_minutes = retry_after_minutes

    def inner(self) -> dict[str, object]:
        """The error as debug_token reports it inside `data` (code, message, subcode)."""
        inner: dict[str, object] = {"code": self.code, "message": self.message}
        if self.subcode is not None:
            inner["subcode"] = self.subcode
        return inner

    def body(self, fbtrace_id: str) -> dict[str, object]:
        error: dict[str, object] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.code in TRANSIENT_CODES:
            error["is_transient"] = True
        error["fbtrace_id"] = fbtrace_id
        return {"error": error}


def pacific(moment: datetime) -> str:
    """Meta's wording of a moment: `Tuesday, 24-Nov-26 04:00:00 PST` (English whatever the locale)."""
    local = moment.astimezone(PACIFIC)
    return f"{_DAYS[local.weekday()]}, {local.day:02d}-{_MONTHS[local.month - 1]}-{local:%y %H:%M:%S} {local.tzname()}"


def missing_token() -> GraphFailure:
    return GraphFailure(190, "An active access token must be used to query information about the current user.")


def invalid_token() -> GraphFailure:
    return GraphFailure(190, "Invalid OAuth access token - Cannot parse access token")


def revoked_token() -> GraphFailure:
    return GraphFailure(
        190, "Error validating access token: The session is invalid because the user logged out.", subcode=467
    )


def expired_message(expires_at: datetime, now: datetime) -> str:
    return (
        f"Error validating access token: Session has expired on {pacific(expires_at)}. "
        f"The current time is {pacific(now)}."
    )


def expired_token(expires_at: datetime, now: datetime) -> GraphFailure:
    return GraphFailure(190, expired_message(expires_at, now), subcode=463)


def missing_permission() -> GraphFailure:
    return GraphFailure(200, "(#200) Requires whatsapp_business_management permission to manage the object")


def unsupported_request(method: str, object_id: str) -> GraphFailure:
    message = (
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, cannot be loaded due "
        "to missing permissions, or does not support this operation. Please read the Graph API documentation at "
        "https://developers.facebook.com/docs/graph-api"
    )
    return GraphFailure(100, message, subcode=33, type_="GraphMethodException")


def nonexisting_field(field: str, node_type: str) -> GraphFailure:
    return GraphFailure(100, f"(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})")


def bad_parameter(message: str) -> GraphFailure:
    return GraphFailure(100, f"(#100) {message}")
