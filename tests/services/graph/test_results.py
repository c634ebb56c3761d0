from datetime import UTC, datetime

import pytest

from services.graph.results import (
    ShapeError,
    business_account,
    health_status,
    limit_field,
    next_cursor,
    phone_health,
    rows,
    token_info,
)
from services.graph.types import CanSend, QualityRating, ThroughputLevel
from tests.services.graph.answers import number


def test_token_info_from_metas_sample():
    info = token_info(
        {
            "app_id": 670843887433847,
            "expires_at": 1665090000,
            "granular_scopes": [
                {"scope": "whatsapp_business_management", "target_ids": ["102289599326934", "101569239400667"]},
                {"scope": "whatsapp_business_messaging", "target_ids": ["999"]},
                {"scope": "whatsapp_business_management", "target_ids": ["102289599326934", "5"]},
                "junk",
                {"scope": "whatsapp_business_management"},
            ],
            "is_valid": True,
            "scopes": ["whatsapp_business_management", "whatsapp_business_messaging", "public_profile"],
            "type": "SYSTEM_USER",
        }
    )
    assert info.is_valid and info.can_manage_whatsapp
    assert info.expires_at == datetime.fromtimestamp(1665090000, UTC) and info.expires_at.tzinfo is UTC
    assert info.waba_ids == ("102289599326934", "101569239400667", "5")
    assert (info.app_id, info.type) == ("670843887433847", "SYSTEM_USER")


def test_token_that_never_expires():
    info = token_info({"is_valid": True, "expires_at": 0, "scopes": ["whatsapp_business_messaging"]})
    assert info.expires_at is None and info.waba_ids == () and not info.can_manage_whatsapp


def test_token_info_needs_scopes():
    with pytest.raises(ShapeError):
        token_info({"is_valid": True})


def test_limit_field_is_version_gated():
    assert limit_field(23) == "messaging_limit_tier"
    assert limit_field(24) == "whatsapp_business_manager_messaging_limit"
    assert limit_field(26) == "whatsapp_business_manager_messaging_limit"


def test_phone_health_parses_the_health_fields():
    health = phone_health(
        number(1, quality_rating="yellow", throughput={"level": "HIGH"}, platform_type="CLOUD_API"), major=24
    )
    assert health.id == "3000000000000001" and health.verified_name == "Number 1"
    assert health.quality_rating is QualityRating.YELLOW and health.throughput_level is ThroughputLevel.HIGH
    assert (health.messaging_limit, health.status, health.name_status) == ("TIER_10K", "CONNECTED", "APPROVED")
    assert health.extra == {"platform_type": "CLOUD_API"}


def test_phone_health_is_lenient():
    health = phone_health({"id": 31, "quality_rating": "PURPLE", "throughput": "weird"}, major=24)
    assert health.id == "31" and health.display_phone_number == "" and health.verified_name == ""
    assert health.quality_rating is QualityRating.UNKNOWN and health.throughput_level is ThroughputLevel.NOT_APPLICABLE
    assert health.messaging_limit is None and health.status is None
    assert phone_health({"id": "1", "quality_rating": "NA"}, major=24).quality_rating is QualityRating.NA


def test_phone_health_prefers_the_versions_limit_field_and_falls_back():
    both = {"id": "1", "whatsapp_business_manager_messaging_limit": "TIER_2K", "messaging_limit_tier": "TIER_1K"}
    assert phone_health(both, major=24).messaging_limit == "TIER_2K"
    assert phone_health(both, major=23).messaging_limit == "TIER_1K"
    assert phone_health({"id": "1", "messaging_limit_tier": "TIER_50"}, major=24).messaging_limit == "TIER_50"


@pytest.mark.parametrize("row", [{"display_phone_number": "+1"}, {"id": ""}, {"id": None}, {"id": True}, "3000", None])
def test_rows_without_an_id_are_a_shape_error(row):
    with pytest.raises(ShapeError):
        phone_health(row, major=24)
    with pytest.raises(ShapeError):
        business_account(row, ownership="owned")


def test_business_account():
    account = business_account({"id": "2", "name": "Aurora", "currency": "USD", "timezone_id": 1}, ownership="client")
    assert (account.id, account.name, account.currency, account.timezone_id, account.ownership) == (
        "2",
        "Aurora",
        "USD",
        "1",
        "client",
    )


def test_rows_needs_a_list_of_objects():
    assert rows({"data": [{"id": "1"}]}, "x") == [{"id": "1"}]
    for body in ({}, {"data": {"id": "1"}}, {"data": [1]}):
        with pytest.raises(ShapeError):
            rows(body, "x")


def test_next_cursor_only_when_graph_says_more_pages_exist():
    assert next_cursor({"data": []}, "x") is None
    assert next_cursor({"paging": {"cursors": {"after": "A"}}}, "x") is None
    assert next_cursor({"paging": {"cursors": {"after": "A"}, "next": "https://x/y?after=A"}}, "x") == "A"
    with pytest.raises(ShapeError):
        next_cursor({"paging": {"next": "https://x/y"}}, "x")


def test_health_status_reads_each_entity_that_cannot_send_with_metas_reasons() -> None:
    overall, problems = health_status(
        {
            "can_send_message": "BLOCKED",
            "entities": [
                {"entity_type": "PHONE_NUMBER", "id": "1", "can_send_message": "AVAILABLE"},
                {
                    "entity_type": "WABA",
                    "id": "2",
                    "can_send_message": "BLOCKED",
                    "errors": [{"error_code": "141006", "error_description": "Payment.", "possible_solution": "Pay."}],
                },
                {"entity_type": "BUSINESS", "id": "3", "can_send_message": "LIMITED", "additional_info": ["Slow."]},
            ],
        }
    )
    assert overall is CanSend.BLOCKED
    assert [(p.entity_type, p.can_send, p.error_code, p.description) for p in problems] == [
        ("WABA", CanSend.BLOCKED, 141006, "Payment."),
        ("BUSINESS", CanSend.LIMITED, None, "Slow."),
    ]


def test_a_missing_or_malformed_health_status_is_unknown_and_a_blocked_entity_outweighs_available() -> None:
    assert health_status(None) == (CanSend.UNKNOWN, ())
    assert health_status("BLOCKED") == (CanSend.UNKNOWN, ())
    blocked_inside = {
        "can_send_message": "AVAILABLE",
        "entities": [{"entity_type": "APP", "id": "9", "can_send_message": "BLOCKED", "errors": ["not an object"]}],
    }
    overall, problems = health_status(blocked_inside)
    assert overall is CanSend.BLOCKED and problems[0].entity_type == "APP"
