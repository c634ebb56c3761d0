import json

from services.graph.usage import regain_access_s
from tests.services.graph.answers import buc


def test_minutes_from_the_business_use_case_header():
    assert regain_access_s(buc(5)) == 300.0


def test_longest_wait_across_objects_and_entries_wins():
    usage = {
        "111": [{"type": "whatsapp_business_management", "estimated_time_to_regain_access": 2}],
        "222": [
            {"type": "whatsapp", "estimated_time_to_regain_access": 0},
            {"type": "whatsapp_business_management", "estimated_time_to_regain_access": 7},
        ],
    }
    assert regain_access_s({"X-Business-Use-Case-Usage": json.dumps(usage)}) == 420.0


def test_zero_wait_means_none_named():
    assert regain_access_s(buc(0)) is None


def test_unreadable_or_odd_headers_name_no_wait():
    assert regain_access_s({}) is None
    assert regain_access_s({"X-Business-Use-Case-Usage": "{not json"}) is None
    assert regain_access_s({"X-Business-Use-Case-Usage": json.dumps([1, 2])}) is None
    odd = {"1": [{"estimated_time_to_regain_access": True}, {"estimated_time_to_regain_access": -3}, "x"]}
    assert regain_access_s({"X-Business-Use-Case-Usage": json.dumps(odd)}) is None


def test_retry_after_seconds_is_the_fallback():
    assert regain_access_s({"Retry-After": "90"}) == 90.0
    assert regain_access_s({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}) is None
    assert regain_access_s(buc(3) | {"Retry-After": "10"}) == 180.0
