"""Alert webhooks: one JSON POST that Slack and Teams incoming webhooks show (`text`) and a program can read (`alert`).

With a secret, `X-Console-Signature-256: sha256=<HMAC-SHA256 of the raw body>` lets the receiver check it came
from us; `Idempotency-Key` is the delivery's key, the same on every retry, so a receiver stores it once. The URL
itself is often the secret (Slack's are): errors name the host only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from services.alerts.messages import Message
from services.language.translate import _

TIMEOUT_S = 15.0
SIGNATURE_HEADER = "X-Console-Signature-256"
KEY_HEADER = "Idempotency-Key"


class WebhookPostError(Exception):
    """The receiver did not take the alert (the words name no URL path nor secret)."""


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_of(message: Message, key: str) -> bytes:
    """The JSON body: `text` (the plain text, which starts with the subject) for chat tools, the alert beside it."""
    text = message.text if message.text.startswith(message.subject) else f"{message.subject}\n\n{message.text}"
    document = {
        "text": text.strip(),
        "subject": message.subject,
        "idempotency_key": key,
        "alert": message.payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def post_webhook(config: Mapping[str, Any], message: Message, key: str, *, timeout_s: float = TIMEOUT_S) -> int:
    """POST the alert to `config["url"]` (signed with `config["secret"]` when set); the status, or raises."""
    url = str(config.get("url") or "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookPostError(_("An alert webhook needs an http:// or https:// URL (ALERT_WEBHOOK_URL)."))
    where = parts.hostname + (f":{parts.port}" if parts.port else "")
    body = body_of(message, key)
    headers = {"Content-Type": "application/json", KEY_HEADER: key, "User-Agent": "whatsapp-channel-console"}
    if secret := config.get("secret"):
        headers[SIGNATURE_HEADER] = signature(body, str(secret))
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        problem = exc.__class__.__name__
        raise WebhookPostError(
            _("Cannot reach the alert webhook at {where}: {problem}", where=where, problem=problem)
        ) from None
    if not response.is_success:
        raise WebhookPostError(
            _("The alert webhook at {where} answered {status}.", where=where, status=response.status_code)
        )
    return response.status_code
