"""A stored delivery read as the changes it carries, each with the key that makes it count once.

Meta's envelope: `{"object": "whatsapp_business_account", "entry": [{"id": <WABA id>, "time": <unix>,
"changes": [{"field": ..., "value": {...}}]}]}` (reference §4.1); one delivery may batch many changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

HEALTH_FIELDS = frozenset(
    {
        "phone_number_quality_update",
        "account_update",
        "account_alerts",
        "business_capability_update",
        "phone_number_name_update",
    }
)
TEMPLATE_FIELDS = frozenset({"message_template_status_update", "message_template_quality_update"})


class MalformedDelivery(ValueError):
    """The body is JSON but not Meta's envelope; the message says what is missing."""


@dataclass(frozen=True)
class Change:
    field: str
    entry_id: str  # the WhatsApp Business Account the change is about
    value: dict[str, Any]
    occurred_at: datetime | None

    @property
    def event_key(self) -> str:
        """The same change once, whatever delivery carried it."""
        canonical = json.dumps(self.value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(f"{self.field}\n{canonical}\n{self.entry_id}".encode()).hexdigest()

    @property
    def display_phone_number(self) -> str | None:
        number = self.value.get("display_phone_number") or self.value.get("phone_number")
        return str(number) if number else None

    @property
    def outcome(self) -> str:
        return "applied" if self.field in HEALTH_FIELDS | TEMPLATE_FIELDS else "unknown_field"


def limit_of(value: dict[str, Any]) -> str | None:
    """The business portfolio's messaging limit a change carries (the newer key first), if any."""
    for key in ("max_daily_conversations_per_business", "current_limit"):
        raw = value.get(key)
        if isinstance(raw, str) and raw.upper().startswith(("TIER_", "UNTIERED")):
            return raw.upper()
    return None


def _moment(raw: object) -> datetime | None:
    """Meta's times are Unix seconds (sometimes as strings); anything else is no time at all."""
    try:
        seconds = int(str(raw))
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_delivery(body: str) -> list[Change]:
    """Every change of a delivery, in order; a change Meta adds later reads as its own field, never an error."""
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise MalformedDelivery(f"the body is not JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("entry"), list):
        raise MalformedDelivery("the body has no list of entries")
    changes = []
    for entry in document["entry"]:
        if not isinstance(entry, dict):
            continue
        entry_id = str(entry.get("id") or "")[:32]
        entry_time = _moment(entry.get("time"))
        for change in entry.get("changes") or []:
            if not isinstance(change, dict):
                continue
            value = change.get("value")
            value = value if isinstance(value, dict) else {"value": value}
            occurred = _moment(value.get("timestamp")) or entry_time
            changes.append(Change(str(change.get("field") or "")[:64], entry_id, value, occurred))
    return changes
