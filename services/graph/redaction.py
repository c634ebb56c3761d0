"""Keep API tokens out of log records, including httpx's own request log (debug_token carries one in its query)."""

from __future__ import annotations

import logging
import re

_QUERY_TOKEN = re.compile(r"((?:access|input)_token=)[^&\s\"'#]+", re.IGNORECASE)
_BEARER = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(text: str, *secrets: str) -> str:
    """`text` with every given secret and every token-carrying query parameter or bearer header replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _QUERY_TOKEN.sub(rf"\1{REDACTED}", text)
    return _BEARER.sub(rf"\1{REDACTED}", text)


class TokenRedactingFilter(logging.Filter):
    """Rewrites a record's message with tokens redacted; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = TokenRedactingFilter()


def guard_http_logs() -> None:
    """Install the filter on httpx's logger, which logs every request URL at INFO (idempotent)."""
    logger = logging.getLogger("httpx")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
