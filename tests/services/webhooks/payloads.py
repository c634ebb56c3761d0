"""Meta-shaped webhook bodies (reference §4) for the webhook tests."""

from __future__ import annotations

import json
from typing import Any

WABA = "2000000000000011"
NUMBER = "3000000000000101"
DISPLAY = "+1 631-555-0101"
AT = 1_748_454_394


def delivery(field: str, value: dict[str, Any], *, waba_id: str = WABA, time: int = AT) -> dict[str, Any]:
    change = {"field": field, "value": value}
    return {"object": "whatsapp_business_account", "entry": [{"id": waba_id, "time": time, "changes": [change]}]}


def body(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


def ban(state: str = "DISABLE") -> dict[str, Any]:
    return delivery("account_update", {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": state}})


def name_decision(decision: str, name: str = "Jasper's Fresh Market") -> dict[str, Any]:
    value = {"display_phone_number": "16315550101", "decision": decision, "requested_verified_name": name}
    return delivery("phone_number_name_update", value | {"rejection_reason": "NONE"})


def quality(event: str = "UPGRADE", limit: str = "TIER_10K") -> dict[str, Any]:
    value = {"display_phone_number": "16315550101", "event": event, "max_daily_conversations_per_business": limit}
    return delivery("phone_number_quality_update", value)
