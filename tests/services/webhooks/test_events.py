"""A delivery read as its changes: every field, the time, the key that makes a change count once."""

from datetime import UTC, datetime

import pytest

from services.webhooks.events import MalformedDelivery, parse_delivery
from tests.services.webhooks.payloads import AT, WABA, ban, body, delivery, name_decision, quality


def _one(document: dict) -> object:
    [change] = parse_delivery(body(document).decode())
    return change


@pytest.mark.parametrize(
    ("document", "field", "outcome"),
    [
        (ban(), "account_update", "applied"),
        (quality(), "phone_number_quality_update", "applied"),
        (name_decision("APPROVED"), "phone_number_name_update", "applied"),
        (
            delivery("account_alerts", {"entity_type": "BUSINESS", "alert_info": {"alert_severity": "WARNING"}}),
            "account_alerts",
            "applied",
        ),
        (
            delivery("business_capability_update", {"max_daily_conversations_per_business": "TIER_2K"}),
            "business_capability_update",
            "applied",
        ),
        (
            delivery("message_template_status_update", {"event": "APPROVED", "message_template_name": "welcome"}),
            "message_template_status_update",
            "applied",
        ),
        (
            delivery("message_template_quality_update", {"new_quality_score": "RED"}),
            "message_template_quality_update",
            "applied",
        ),
        (delivery("calls", {"anything": 1}), "calls", "unknown_field"),
    ],
)
def test_each_field_is_read_with_its_outcome(document: dict, field: str, outcome: str) -> None:
    change = _one(document)
    assert (change.field, change.entry_id, change.outcome) == (field, WABA, outcome)
    assert change.occurred_at == datetime.fromtimestamp(AT, tz=UTC)
    assert change.value == document["entry"][0]["changes"][0]["value"]


def test_the_number_a_change_names_is_read_from_its_value() -> None:
    assert _one(quality()).display_phone_number == "16315550101"
    assert _one(ban()).display_phone_number is None


def test_the_same_change_has_one_key_whatever_delivery_carried_it() -> None:
    alone = _one(ban())
    batched = delivery("account_update", {"ban_info": {"waba_ban_state": "DISABLE"}, "event": "DISABLED_UPDATE"})
    batched["entry"][0]["changes"].insert(0, quality()["entry"][0]["changes"][0])
    batched["entry"][0]["time"] = AT + 60  # a re-sent batch: another time, keys in another order
    [_, again] = parse_delivery(body(batched).decode())
    assert again.event_key == alone.event_key
    assert _one(ban("REINSTATE")).event_key != alone.event_key
    assert _one(ban() | {"entry": [ban()["entry"][0] | {"id": "other"}]}).event_key != alone.event_key


def test_a_batch_keeps_every_change_in_order_and_odd_values_do_not_break_it() -> None:
    document = {
        "entry": [
            {"id": WABA, "time": "not a time", "changes": [{"field": "account_alerts", "value": "text"}, "junk"]},
            "junk",
            {"id": "2", "changes": [{"value": {"timestamp": str(AT)}}]},
        ]
    }
    first, second = parse_delivery(body(document).decode())
    assert (first.field, first.value, first.occurred_at) == ("account_alerts", {"value": "text"}, None)
    assert (second.field, second.outcome, second.occurred_at) == ("", "unknown_field", datetime.fromtimestamp(AT, UTC))


@pytest.mark.parametrize("text", ["not json", "[]", '{"object": "page"}', '{"entry": {}}'])
def test_a_body_that_is_not_the_envelope_is_malformed(text: str) -> None:
    with pytest.raises(MalformedDelivery):
        parse_delivery(text)
