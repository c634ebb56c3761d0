import json
from typing import Any

from services.webhooks.events import parse_delivery
from services.webhooks.words import summary
from tests.services.webhooks.payloads import delivery


def _said(field: str, value: dict[str, Any]) -> str:
    [change] = parse_delivery(json.dumps(delivery(field, value)))
    return summary(change, account="WhatsApp Business Account Jasper's Market", number="")


def test_meta_times_in_an_event_read_in_the_consoles_one_format() -> None:
    restriction = {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": 1_780_000_000}
    said = _said("account_update", {"event": "ACCOUNT_RESTRICTION", "restriction_info": [restriction]})
    assert said.endswith(": no messages the business starts (it may only reply) until 28 May 2026, 20:26 UTC.")
    assert "1780000000" not in said
    ban = {"waba_ban_state": "SCHEDULE_FOR_DISABLE", "waba_ban_date": "2026-12-20"}
    assert "(date given: 20 Dec 2026, 00:00 UTC)" in _said(
        "account_update", {"event": "DISABLED_UPDATE", "ban_info": ban}
    )
