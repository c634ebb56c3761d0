"""`POST /_simulator/webhooks`: send any event, as Meta's envelope or as one field and value, signed like the rest.

Accepted bodies (or a list of them): Meta's envelope as is, `{"object": "whatsapp_business_account",
"entry": [...]}`; or `{"field": "account_update", "value": {...}}` with optional `"waba_id"` (default Jasper's
Market, 2000000000000011) and `"time"` (unix seconds; default the simulated now).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.simulator.demo import JASPERS_WABA
from services.simulator.webhooks import OBJECT, WebhookSender, envelope

NOT_SENDING = "This simulator sends no webhooks: start it with --webhook-url URL --app-secret SECRET."
USAGE = (
    'Send Meta\'s envelope {"object": "whatsapp_business_account", "entry": [...]} or '
    '{"field": "account_update", "value": {...}, "waba_id": "..."}, or a list of them.'
)


def _one(item: Any, now: datetime) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ValueError(USAGE)
    if "entry" in item:
        if item.get("object") != OBJECT or not isinstance(item["entry"], list):
            raise ValueError(f'An envelope needs "object": "{OBJECT}" and a list "entry". {USAGE}')
        return item
    field, value = item.get("field"), item.get("value")
    if not isinstance(field, str) or not field or not isinstance(value, dict):
        raise ValueError(USAGE)
    waba_id = item.get("waba_id", JASPERS_WABA)
    if not isinstance(waba_id, str) or not waba_id.isdigit():
        raise ValueError(f"waba_id must be a WABA ID of digits, not {waba_id!r}.")
    at = now
    if "time" in item:
        if not isinstance(item["time"], int):
            raise ValueError(f"time must be unix seconds (a whole number), not {item['time']!r}.")
        at = datetime.fromtimestamp(item["time"], UTC)
    return envelope(waba_id, [(field, value)], at)


def queue(sender: WebhookSender | None, body: Any, *, now: datetime) -> dict[str, Any]:
    """Queue each envelope of `body` on the sender; what was queued."""
    if sender is None:
        raise ValueError(NOT_SENDING)
    payloads = [_one(item, now) for item in (body if isinstance(body, list) else [body])]
    if not payloads:
        raise ValueError(USAGE)
    return {"queued": [sender.send(payload) for payload in payloads], "url": sender.url}
