"""The Graph client against the simulator served over real HTTP on 127.0.0.1."""

import logging
import socket
from datetime import timedelta
from urllib.parse import unquote

import pytest

from services.graph.client import GraphClient
from services.graph.connection import build_graph_client
from services.graph.errors import (
    BadParameter,
    GraphServerError,
    GraphTimeout,
    GraphUnreachable,
    PermissionMissing,
    RateLimited,
    TokenExpired,
    TokenInvalid,
    UnreadableResponse,
)
from services.graph.types import CanSend, QualityRating, ThroughputLevel
from services.simulator import Fault
from tests.fixtures.simulator import SIMULATOR_ANCHOR

TOKEN, EXPIRED, NO_PERMISSION, REVOKED, BIG = (
    "EAADEMOTOKEN",
    "EAADEMOEXPIRED",
    "EAADEMONOPERM",
    "EAADEMOREVOKED",
    "EAADEMOBIGWABA",
)
JASPERS, AURORA, NORTHWIND = "1000000000000001", "1000000000000002", "1000000000000003"
JASPERS_WABA, LUCKY_SHRUB_WABA, AURORA_WABA, NORTHWIND_WABA = (
    "2000000000000011",
    "2000000000000012",
    "2000000000000021",
    "2000000000000031",
)


@pytest.fixture
def graph(graph_simulator):
    client = build_graph_client(graph_simulator.url, version="v24.0", sleep=lambda s: None)
    yield client
    client.close()


def client_for(graph_simulator, **kw) -> GraphClient:
    return build_graph_client(graph_simulator.url, **{"version": "v24.0", "sleep": lambda s: None, **kw})


# --- every call ------------------------------------------------------------------------------------------------


def test_debug_token_of_a_valid_token(graph):
    info = graph.debug_token(TOKEN)
    assert info.is_valid and info.can_manage_whatsapp and info.type == "SYSTEM_USER"
    assert info.expires_at == SIMULATOR_ANCHOR + timedelta(days=45)
    assert set(info.waba_ids) == {JASPERS_WABA, LUCKY_SHRUB_WABA, AURORA_WABA}


def test_debug_token_of_a_token_without_the_permission(graph):
    info = graph.debug_token(NO_PERMISSION)
    assert info.is_valid and not info.can_manage_whatsapp and info.waba_ids == ()


def test_business_accounts_marks_owned_and_client_accounts(graph):
    accounts = graph.business_accounts(TOKEN, JASPERS)
    assert [(a.id, a.name, a.ownership) for a in accounts] == [
        (JASPERS_WABA, "Jasper's Market", "owned"),
        (LUCKY_SHRUB_WABA, "Lucky Shrub", "client"),
    ]
    assert [(a.id, a.ownership) for a in graph.business_accounts(TOKEN, AURORA)] == [(AURORA_WABA, "owned")]
    assert accounts[0].currency == "USD"


def test_business_account(graph):
    account = graph.business_account(TOKEN, AURORA_WABA)
    assert (account.id, account.name) == (AURORA_WABA, "Aurora Coffee")


def test_phone_numbers_with_health(graph, graph_simulator):
    numbers = {n.id: n for n in graph.phone_numbers(TOKEN, JASPERS_WABA)}
    assert set(numbers) == {"3000000000000101", "3000000000000102", "3000000000000103"}
    market = numbers["3000000000000101"]
    assert market.verified_name == "Jasper's Market" and market.display_phone_number == "+1 631-555-0101"
    assert market.quality_rating is QualityRating.GREEN and market.throughput_level is ThroughputLevel.HIGH
    assert (market.messaging_limit, market.status) == ("TIER_UNLIMITED", "CONNECTED")
    expected = graph_simulator.simulator.state_at("3000000000000102", graph_simulator.simulator.now())
    assert numbers["3000000000000102"].quality_rating.value == expected.quality
    assert graph.calls == 1


def test_phone_number(graph):
    shrub = graph.phone_number(TOKEN, "3000000000000104")
    assert shrub.quality_rating is QualityRating.RED and shrub.status == "CONNECTED"
    assert shrub.messaging_limit == "TIER_250"
    # Connected, yet blocked: its WABA's payment method failed (Meta error 141006).
    assert shrub.can_send is CanSend.BLOCKED
    assert [(p.entity_type, p.error_code) for p in shrub.problems] == [("WABA", 141006)]
    assert shrub.problems[0].description.startswith("There is an error with the payment method")
    pending = graph.phone_number(TOKEN, "3000000000000105")
    assert pending.quality_rating is QualityRating.NA and pending.status == "PENDING"


def test_legacy_version_reads_messaging_limit_tier(graph_simulator):
    legacy = client_for(graph_simulator, version="v23.0")
    try:
        assert legacy.phone_number(TOKEN, "3000000000000106").messaging_limit == "TIER_10K"
        assert "messaging_limit_tier" in legacy.health_fields
    finally:
        legacy.close()
    requests = graph_simulator.simulator.requests()
    assert requests[-1]["path"] == "/v23.0/3000000000000106" and requests[-1]["status"] == 200


def test_account_health_reads_the_waba_and_its_numbers_in_one_call(graph, graph_simulator):
    account = graph.account_health(TOKEN, "2000000000000012")
    assert graph.calls == 1
    assert (account.review_status, account.can_send) == ("APPROVED", CanSend.BLOCKED)
    assert [p.error_code for p in account.problems] == [141006]
    assert {n.id: n.can_send for n in account.numbers} == {
        "3000000000000104": CanSend.BLOCKED,
        "3000000000000105": CanSend.BLOCKED,
    }


def test_account_health_pages_the_numbers_after_the_expanded_first_page(graph, graph_simulator):
    account = graph.account_health(BIG, NORTHWIND_WABA)
    assert len(account.numbers) == 230 == len({n.id for n in account.numbers})
    assert graph.calls == 3
    paths = [unquote(entry["request"]) for entry in graph_simulator.simulator.requests()[-3:]]
    assert "phone_numbers.limit(100)" in paths[0] and all("/phone_numbers?" in p for p in paths[1:])


def test_phone_numbers_page_across_three_pages(graph, graph_simulator):
    numbers = graph.phone_numbers(BIG, NORTHWIND_WABA)
    assert len(numbers) == 230 == len({n.id for n in numbers})
    assert {n.id for n in numbers} == {str(3000000000031000 + i) for i in range(230)}
    assert graph.calls == 3 and graph_simulator.simulator.request_count == 3


def test_smaller_pages_need_more_calls(graph):
    assert len(graph.phone_numbers(BIG, NORTHWIND_WABA, page_size=50)) == 230
    assert graph.calls == 5


# --- every error class -----------------------------------------------------------------------------------------


def test_expired_token(graph):
    with pytest.raises(TokenExpired) as caught:
        graph.phone_numbers(EXPIRED, JASPERS_WABA)
    assert caught.value.expired_at == SIMULATOR_ANCHOR - timedelta(days=1)
    assert str(caught.value).startswith("The API token expired on 31 Oct 2026, 00:00 UTC; create a new one")
    with pytest.raises(TokenExpired):
        graph.debug_token(EXPIRED)
    assert graph.calls == 2


def test_token_that_expires_in_winter_reads_the_pst_moment(graph, graph_simulator):
    graph_simulator.simulator.advance(timedelta(days=46).total_seconds())
    with pytest.raises(TokenExpired) as caught:
        graph.business_accounts(TOKEN, JASPERS)
    assert caught.value.expired_at == SIMULATOR_ANCHOR + timedelta(days=45)
    assert "expired on 16 Dec 2026, 00:00 UTC" in str(caught.value)


def test_revoked_token(graph):
    for call in (lambda: graph.debug_token(REVOKED), lambda: graph.phone_number(REVOKED, "3000000000000101")):
        with pytest.raises(TokenInvalid, match="^Meta does not accept this API token"):
            call()


def test_unknown_token(graph):
    with pytest.raises(TokenInvalid):
        graph.business_accounts("EAANOTATOKEN", JASPERS)


def test_missing_permission_names_the_object(graph):
    with pytest.raises(PermissionMissing) as caught:
        graph.phone_numbers(NO_PERMISSION, JASPERS_WABA)
    assert caught.value.permission == "whatsapp_business_management"
    lacks = "The API token lacks the whatsapp_business_management permission for WhatsApp Business Account ID"
    assert str(caught.value).startswith(f"{lacks} {JASPERS_WABA};")
    assert graph.calls == 1


def test_unknown_or_unreachable_objects(graph):
    with pytest.raises(BadParameter) as caught:
        graph.business_accounts(TOKEN, NORTHWIND)
    assert str(caught.value) == (
        "Business account ID 1000000000000003 was not found, or this token cannot reach it; "
        "check the ID in Meta Business Suite > Business settings > Business info."
    )
    with pytest.raises(BadParameter, match="^Phone number ID 3999999999999999 was not found"):
        graph.phone_number(TOKEN, "3999999999999999")
    with pytest.raises(PermissionMissing, match=f"WhatsApp Business Account ID {NORTHWIND_WABA}"):
        graph.phone_numbers(TOKEN, NORTHWIND_WABA)
    assert graph.calls == 3


def test_server_error_once_is_retried(graph, graph_simulator):
    graph_simulator.simulator.faults.add(Fault(kind="error", code=2, path="phone_numbers", times=1))
    assert len(graph.phone_numbers(TOKEN, JASPERS_WABA)) == 3
    assert graph.calls == 2


def test_server_error_that_persists_names_the_reference(graph, graph_simulator):
    graph_simulator.simulator.faults.add(Fault(kind="error", code=131000))
    with pytest.raises(GraphServerError) as caught:
        graph.phone_number(TOKEN, "3000000000000101")
    assert caught.value.fbtrace_id and caught.value.http_status == 500
    assert str(caught.value) == (
        "Meta's Graph API had a server error (HTTP 500); try again in a few minutes "
        f"(reference {caught.value.fbtrace_id})."
    )
    assert graph.calls == 4 == graph_simulator.simulator.request_count


def test_long_rate_limit_is_raised_at_once(graph, graph_simulator):
    graph_simulator.simulator.faults.add(Fault(kind="error", code=80007, retry_after_minutes=5))
    with pytest.raises(RateLimited) as caught:
        graph.phone_numbers(TOKEN, JASPERS_WABA)
    assert caught.value.retry_after_s == 300
    assert str(caught.value) == "Meta is limiting calls for this business right now; retry after 5 minutes."
    assert graph.calls == 1


def test_short_rate_limit_is_retried(graph_simulator):
    sleeps: list[float] = []
    client = client_for(graph_simulator, sleep=sleeps.append)
    graph_simulator.simulator.faults.add(Fault(kind="error", code=4, retry_after_minutes=1, times=1))
    assert client.business_account(TOKEN, JASPERS_WABA).id == JASPERS_WABA
    assert client.calls == 2 and sleeps and sleeps[0] >= 60
    client.close()


def test_slow_answer_times_out(graph_simulator):
    client = client_for(graph_simulator, timeout=0.2, max_retries=1)
    graph_simulator.simulator.faults.add(Fault(kind="slow", seconds=0.6))
    with pytest.raises(GraphTimeout) as caught:
        client.phone_number(TOKEN, "3000000000000101")
    assert str(caught.value) == "Meta's Graph API did not answer within 0.2 seconds; try again in a minute."
    assert client.calls == 2
    client.close()


def test_slow_answer_within_the_timeout_is_fine(graph_simulator):
    client = client_for(graph_simulator, timeout=2.0)
    graph_simulator.simulator.faults.add(Fault(kind="slow", seconds=0.1, times=1))
    assert client.phone_number(TOKEN, "3000000000000101").id == "3000000000000101"
    assert client.calls == 1
    client.close()


def test_truncated_json_is_unreadable(graph, graph_simulator):
    graph_simulator.simulator.faults.add(Fault(kind="malformed"))
    with pytest.raises(UnreadableResponse) as caught:
        graph.phone_numbers(TOKEN, JASPERS_WABA)
    assert "(HTTP 200, application/json)" in str(caught.value)
    assert graph.calls == 4


def test_html_error_page_is_unreadable(graph, graph_simulator):
    graph_simulator.simulator.faults.add(Fault(kind="html", times=2))
    assert graph.business_account(TOKEN, JASPERS_WABA).id == JASPERS_WABA
    graph_simulator.simulator.faults.add(Fault(kind="html"))
    with pytest.raises(UnreadableResponse) as caught:
        graph.business_account(TOKEN, JASPERS_WABA)
    assert str(caught.value) == (
        "The Graph API sent an answer the console cannot read (HTTP 502, text/html); try again in a few minutes."
    )


def test_a_failing_page_is_retried_and_the_list_completes(graph, graph_simulator):
    graph_simulator.simulator.faults.add(Fault(kind="fail_on_page", page=2, code=2, times=1))
    assert len(graph.phone_numbers(BIG, NORTHWIND_WABA)) == 230
    assert graph.calls == 4


def test_a_page_that_keeps_failing_raises_the_pages_error(graph, graph_simulator):
    graph_simulator.simulator.faults.add(Fault(kind="fail_on_page", page=3, code=190, subcode=463))
    with pytest.raises(TokenExpired):
        graph.phone_numbers(BIG, NORTHWIND_WABA)
    assert graph.calls == 3


def test_unreachable_simulator():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = build_graph_client(f"http://127.0.0.1:{port}", version="v24.0", sleep=lambda s: None)
    with pytest.raises(GraphUnreachable, match=f"^Cannot reach the Graph API at 127.0.0.1:{port}; "):
        client.debug_token(TOKEN)
    client.close()


# --- the token stays out of logs and errors over real HTTP --------------------------------------------------------


def test_token_absent_from_logs_and_errors(graph, graph_simulator, caplog):
    caplog.set_level(logging.DEBUG)
    graph.debug_token(TOKEN)
    graph.phone_numbers(BIG, NORTHWIND_WABA)
    graph_simulator.simulator.faults.add(Fault(kind="error", code=2))
    errors = []
    for call in (lambda: graph.debug_token(TOKEN), lambda: graph.debug_token(EXPIRED)):
        with pytest.raises(GraphServerError) as caught:
            call()
        errors.append(caught.value)
    graph_simulator.simulator.faults.clear()
    with pytest.raises(TokenExpired) as caught:
        graph.debug_token(EXPIRED)
    errors.append(caught.value)
    for error in errors:
        assert "EAADEMO" not in str(error) and "EAADEMO" not in (error.meta_message or "")
    assert any(r.name == "httpx" for r in caplog.records)
    assert any("GET /v24.0/debug_token -> 200" == r.getMessage() for r in caplog.records)
    assert not [r.getMessage() for r in caplog.records if "EAADEMO" in r.getMessage()]
