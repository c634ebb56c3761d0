import logging
import threading
from datetime import UTC, datetime

import httpx
import pytest

from services.graph.errors import (
    BadParameter,
    GraphError,
    GraphServerError,
    GraphTimeout,
    GraphUnreachable,
    PermissionMissing,
    RateLimited,
    TokenExpired,
    TokenInvalid,
    UnreadableResponse,
)
from services.graph.types import QualityRating, ThroughputLevel
from tests.services.graph.answers import TOKEN, buc, envelope, html, number, page

WABA = "2000000000000011"
BUSINESS = "1000000000000001"
HEALTH = "id,display_phone_number,verified_name,quality_rating,throughput,status,name_status,health_status"


def ok(body: dict) -> httpx.Response:
    return httpx.Response(200, json=body)


# --- calls and what they send ---------------------------------------------------------------------------------


def test_debug_token_sends_the_bearer_and_parses_the_answer(mock_graph):
    data = {
        "app_id": "670843887433847",
        "expires_at": 1795000000,
        "granular_scopes": [{"scope": "whatsapp_business_management", "target_ids": [WABA, "2000000000000012"]}],
        "is_valid": True,
        "scopes": ["whatsapp_business_management", "public_profile"],
        "type": "SYSTEM_USER",
    }
    graph = mock_graph(lambda r: ok({"data": data}))
    info = graph.client.debug_token(f"  {TOKEN}\n")
    request = graph.requests[0]
    assert request.url.path == "/v24.0/debug_token" and request.url.params["input_token"] == TOKEN
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert info.waba_ids == (WABA, "2000000000000012") and info.can_manage_whatsapp
    assert info.expires_at == datetime.fromtimestamp(1795000000, UTC)


def test_debug_token_never_expiring(mock_graph):
    graph = mock_graph(lambda r: ok({"data": {"is_valid": True, "expires_at": 0, "scopes": []}}))
    assert graph.client.debug_token(TOKEN).expires_at is None


def test_debug_token_invalid_with_inner_expiry_raises_token_expired(mock_graph):
    inner = {"code": 190, "subcode": 463, "message": "Session has expired on Tuesday, 24-Nov-26 04:00:00 PST."}
    graph = mock_graph(lambda r: ok({"data": {"is_valid": False, "error": inner, "scopes": []}}))
    with pytest.raises(TokenExpired) as caught:
        graph.client.debug_token(TOKEN)
    assert caught.value.expired_at == datetime(2026, 11, 24, 12, tzinfo=UTC)
    assert graph.client.calls == 1 and graph.sleeps == []


def test_debug_token_invalid_with_inner_revocation_or_no_error_raises_token_invalid(mock_graph):
    inner = {"code": 190, "subcode": 467, "message": "The session is invalid because the user logged out."}
    for data in ({"is_valid": False, "error": inner}, {"is_valid": False, "scopes": []}):
        graph = mock_graph(lambda r, data=data: ok({"data": data}))
        with pytest.raises(TokenInvalid):
            graph.client.debug_token(TOKEN)


def test_debug_token_without_data_is_unreadable(mock_graph):
    graph = mock_graph(lambda r: ok({"is_valid": True}), max_retries=0)
    with pytest.raises(UnreadableResponse, match=r"\(HTTP 200, application/json\)"):
        graph.client.debug_token(TOKEN)


def test_token_travels_only_in_the_header_for_every_other_call(mock_graph):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("_accounts"):
            return ok(page([{"id": WABA, "name": "A"}]))
        if request.url.path.endswith("phone_numbers"):
            return ok(page([number(1)]))
        if request.url.path.endswith(WABA):
            return ok({"id": WABA, "name": "A"})
        return ok(number(1))

    graph = mock_graph(answer)
    graph.client.business_accounts(TOKEN, BUSINESS)
    graph.client.business_account(TOKEN, WABA)
    graph.client.phone_numbers(TOKEN, WABA)
    graph.client.phone_number(TOKEN, "3000000000000001")
    assert len(graph.requests) == 5
    for request in graph.requests:
        assert TOKEN not in str(request.url) and request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.method == "GET"


def test_business_accounts_walks_both_edges_and_every_page(mock_graph):
    owned_1 = page([{"id": "11", "name": "One", "currency": "USD", "timezone_id": "1"}], after="C1", next_url="n")
    owned_2 = page([{"id": "12", "name": "Two"}])
    client_1 = page([{"id": "12", "name": "Two (shared)"}, {"id": "21", "name": "Client"}])

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == f"/v24.0/{BUSINESS}/owned_whatsapp_business_accounts":
            return ok(owned_2 if request.url.params.get("after") == "C1" else owned_1)
        assert request.url.path == f"/v24.0/{BUSINESS}/client_whatsapp_business_accounts"
        return ok(client_1)

    graph = mock_graph(answer)
    accounts = graph.client.business_accounts(TOKEN, BUSINESS)
    assert [(a.id, a.name, a.ownership) for a in accounts] == [
        ("11", "One", "owned"),
        ("12", "Two", "owned"),
        ("21", "Client", "client"),
    ]
    assert accounts[0].currency == "USD" and accounts[0].timezone_id == "1"
    assert graph.client.calls == 3
    assert graph.requests[0].url.params["fields"] == "id,name,currency,timezone_id"
    assert graph.requests[0].url.params["limit"] == "100"


def test_phone_numbers_follow_cursors_across_pages_on_our_own_base_url(mock_graph):
    numbers = [number(i) for i in range(230)]
    pages = {None: (numbers[:100], "A1"), "A1": (numbers[100:200], "A2"), "A2": (numbers[200:], None)}

    def answer(request: httpx.Request) -> httpx.Response:
        rows, after = pages[request.url.params.get("after")]
        # `next` points elsewhere (as behind a proxy); the client must re-ask its own base URL with the cursor.
        return ok(page(rows, after=after or "last", next_url=after and f"https://elsewhere.example/next?after={after}"))

    graph = mock_graph(answer)
    result = graph.client.phone_numbers(TOKEN, WABA)
    assert [n.id for n in result] == [n["id"] for n in numbers]
    assert [r.url.params.get("after") for r in graph.requests] == [None, "A1", "A2"]
    assert all(
        r.url.host == "graph.facebook.com" and r.url.path == f"/v24.0/{WABA}/phone_numbers" for r in graph.requests
    )
    assert all(r.url.params["limit"] == "100" for r in graph.requests)
    assert graph.client.calls == 3


def test_page_size_is_sent_and_bounded(mock_graph):
    graph = mock_graph(lambda r: ok(page([number(1)])))
    graph.client.phone_numbers(TOKEN, WABA, page_size=25)
    assert graph.requests[0].url.params["limit"] == "25"
    for bad in (0, 101):
        with pytest.raises(ValueError, match="page_size must be 1 to 100"):
            graph.client.phone_numbers(TOKEN, WABA, page_size=bad)


def test_paging_next_without_cursor_is_unreadable(mock_graph):
    graph = mock_graph(lambda r: ok({"data": [number(1)], "paging": {"next": "https://x"}}), max_retries=0)
    with pytest.raises(UnreadableResponse):
        graph.client.phone_numbers(TOKEN, WABA)


def test_paging_that_loops_is_stopped(mock_graph):
    graph = mock_graph(lambda r: ok(page([number(1)], after="SAME", next_url="https://x")))
    with pytest.raises(UnreadableResponse, match="kept sending the same page"):
        graph.client.phone_numbers(TOKEN, WABA)
    assert graph.client.calls == 2


@pytest.mark.parametrize(
    ("version", "asked", "skipped"),
    [
        ("v24.0", "whatsapp_business_manager_messaging_limit", "messaging_limit_tier"),
        ("v25.0", "whatsapp_business_manager_messaging_limit", "messaging_limit_tier"),
        ("v23.0", "messaging_limit_tier", "whatsapp_business_manager_messaging_limit"),
    ],
)
def test_messaging_limit_field_is_version_gated(mock_graph, version, asked, skipped):
    row = number(1, quality_rating="RED", throughput={"level": "HIGH"}) | {asked: "TIER_250"}
    row.pop(skipped, None)
    graph = mock_graph(lambda r: ok(row), version=version)
    health = graph.client.phone_number(TOKEN, "3000000000000001")
    fields = graph.requests[0].url.params["fields"]
    assert fields == f"{HEALTH},{asked}" and skipped not in fields
    assert graph.requests[0].url.path == f"/{version}/3000000000000001"
    assert health.messaging_limit == "TIER_250"
    assert health.quality_rating is QualityRating.RED and health.throughput_level is ThroughputLevel.HIGH


def test_business_account_reads_one_waba(mock_graph):
    graph = mock_graph(lambda r: ok({"id": WABA, "name": "Jasper's Market", "currency": "USD"}))
    account = graph.client.business_account(TOKEN, WABA)
    assert (account.id, account.name, account.currency) == (WABA, "Jasper's Market", "USD")
    assert graph.requests[0].url.path == f"/v24.0/{WABA}"


# --- input checked before any call ------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["", "   ", "EAAG abc", "EAAGé", "EAAG" + "x" * 100_000])
def test_unusable_tokens_fail_before_any_call(mock_graph, token):
    graph = mock_graph(lambda r: ok({}))
    with pytest.raises(TokenInvalid):
        graph.client.phone_number(token, "3000000000000001")
    assert graph.client.calls == 0


def test_non_numeric_ids_fail_before_any_call_without_echoing_them(mock_graph):
    graph = mock_graph(lambda r: ok({}))
    with pytest.raises(BadParameter) as caught:
        graph.client.business_accounts(TOKEN, TOKEN)
    assert str(caught.value) == (
        "Business account ID must contain digits only; copy it from Meta Business Suite > Business settings > "
        "Business info."
    )
    for call in (graph.client.business_account, graph.client.phone_numbers, graph.client.phone_number):
        with pytest.raises(BadParameter):
            call(TOKEN, "../debug_token")
    assert graph.client.calls == 0


# --- errors carry the object of the call ------------------------------------------------------------------------


def test_errors_name_the_object_of_the_call(mock_graph):
    graph = mock_graph(lambda r: envelope(100, "Unsupported get request.", subcode=33))
    with pytest.raises(BadParameter, match="^Business account ID 1000000000000003 was not found"):
        graph.client.business_accounts(TOKEN, "1000000000000003")
    with pytest.raises(BadParameter, match=f"^WhatsApp Business Account ID {WABA} was not found"):
        graph.client.phone_numbers(TOKEN, WABA)
    with pytest.raises(BadParameter, match="^Phone number ID 3000000000000001 was not found.*WhatsApp Manager"):
        graph.client.phone_number(TOKEN, "3000000000000001")
    graph = mock_graph(lambda r: envelope(200, "(#200) Requires whatsapp_business_management permission", status=403))
    with pytest.raises(PermissionMissing, match=f"permission for WhatsApp Business Account ID {WABA};"):
        graph.client.business_account(TOKEN, WABA)


# --- retries --------------------------------------------------------------------------------------------------


def test_server_errors_are_retried_with_growing_backoff_then_succeed(mock_graph):
    answers = iter([envelope(2, status=503), html(502), ok(number(1))])
    graph = mock_graph(lambda r: next(answers))
    assert graph.client.phone_number(TOKEN, "3000000000000001").id == "3000000000000001"
    assert graph.client.calls == 3 and len(graph.sleeps) == 2
    assert 0.5 <= graph.sleeps[0] <= 0.75 and 1.0 <= graph.sleeps[1] <= 1.5


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_retries_stop_at_max_retries(mock_graph, max_retries):
    graph = mock_graph(lambda r: envelope(2, status=503, fbtrace_id="ABC123"), max_retries=max_retries)
    with pytest.raises(GraphServerError) as caught:
        graph.client.phone_number(TOKEN, "3000000000000001")
    assert str(caught.value) == (
        "Meta's Graph API had a server error (HTTP 503); try again in a few minutes (reference ABC123)."
    )
    assert graph.client.calls == max_retries + 1 and len(graph.sleeps) == max_retries
    assert graph.sleeps == sorted(graph.sleeps)


@pytest.mark.parametrize(
    "answer",
    [
        envelope(190, "Session has expired on Tuesday, 24-Nov-26 04:00:00 PST.", subcode=463, status=401),
        envelope(190, "logged out", subcode=467, status=401),
        envelope(10, "(#10) no permission", status=403),
        envelope(200, "(#200) Requires whatsapp_business_management permission", status=403),
        envelope(100, "Unsupported get request.", subcode=33),
        envelope(368, "(#368) Temporarily blocked", status=403),
        envelope(80007, "(#80007) Rate limit", headers=buc(5)),
    ],
)
def test_non_transient_errors_and_long_rate_limits_are_raised_at_once(mock_graph, answer):
    graph = mock_graph(lambda r: answer)
    with pytest.raises(GraphError):
        graph.client.phone_numbers(TOKEN, WABA)
    assert graph.client.calls == 1 and graph.sleeps == []


def test_long_rate_limit_says_when_to_retry(mock_graph):
    graph = mock_graph(lambda r: envelope(80007, "(#80007) Rate limit", headers=buc(5)))
    with pytest.raises(RateLimited) as caught:
        graph.client.phone_numbers(TOKEN, WABA)
    assert caught.value.retry_after_s == 300
    assert str(caught.value) == "Meta is limiting calls for this business right now; retry after 5 minutes."


def test_short_rate_limit_is_waited_out(mock_graph):
    answers = iter([envelope(80008, headers=buc(1)), ok(page([number(1)]))])
    graph = mock_graph(lambda r: next(answers))
    assert len(graph.client.phone_numbers(TOKEN, WABA)) == 1
    assert graph.client.calls == 2 and graph.sleeps[0] >= 60


def test_timeouts_are_retried_then_named(mock_graph):
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    graph = mock_graph(answer, max_retries=2, timeout=10.0)
    with pytest.raises(GraphTimeout) as caught:
        graph.client.phone_number(TOKEN, "3000000000000001")
    assert str(caught.value) == "Meta's Graph API did not answer within 10 seconds; try again in a minute."
    assert graph.client.calls == 3 and len(graph.sleeps) == 2


def test_connection_failure_is_retried_then_recovers(mock_graph):
    answers = iter([httpx.ConnectError("refused"), ok(number(1))])

    def answer(request: httpx.Request) -> httpx.Response:
        step = next(answers)
        if isinstance(step, Exception):
            raise step
        return step

    graph = mock_graph(answer)
    assert graph.client.phone_number(TOKEN, "3000000000000001").id == "3000000000000001"
    assert graph.client.calls == 2


def test_connection_failure_that_persists_is_named(mock_graph):
    graph = mock_graph(_raise(httpx.ConnectError("refused")), max_retries=1)
    with pytest.raises(GraphUnreachable) as caught:
        graph.client.phone_number(TOKEN, "3000000000000001")
    assert str(caught.value) == "Cannot reach the Graph API at graph.facebook.com; check the network or GRAPH_API_URL."
    assert graph.client.calls == 2 and len(graph.sleeps) == 1


def test_a_failed_page_is_retried_without_restarting_the_list(mock_graph):
    failed = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("after") == "A1" and not failed:
            failed.append(1)
            return envelope(131000, status=500)
        rows = [number(2)] if request.url.params.get("after") else [number(1)]
        after = None if request.url.params.get("after") else "A1"
        return ok(page(rows, after=after, next_url=after and "https://x"))

    graph = mock_graph(answer)
    assert [n.id for n in graph.client.phone_numbers(TOKEN, WABA)] == [number(1)["id"], number(2)["id"]]
    assert [r.url.params.get("after") for r in graph.requests] == [None, "A1", "A1"]


# --- the token stays secret -----------------------------------------------------------------------------------


def _raise(exc: Exception):
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc

    return answer


FAILURES = [
    lambda r: envelope(190, f"Invalid OAuth access token {TOKEN}"),
    lambda r: envelope(190, "Session has expired on Tuesday, 24-Nov-26 04:00:00 PST.", subcode=463),
    lambda r: envelope(200, f"(#200) Requires whatsapp_business_management permission ({TOKEN})", status=403),
    lambda r: envelope(100, f"Object {TOKEN} does not exist"),
    lambda r: envelope(4, "(#4) Application request limit reached", headers=buc(10)),
    lambda r: envelope(2, status=503),
    lambda r: httpx.Response(
        502, content=f"<html>bad gateway for {r.url}</html>".encode(), headers={"Content-Type": "text/html"}
    ),
    lambda r: httpx.Response(200, content=f'{{"echo": "{TOKEN}"'.encode()),
    lambda r: httpx.Response(307, headers={"Location": str(r.url)}),
    _raise(httpx.ConnectError(f"cannot connect for {TOKEN}")),
    _raise(httpx.ReadTimeout(f"timed out reading {TOKEN}")),
    lambda r: httpx.Response(200, json={"data": {"is_valid": False, "error": {"code": 190, "message": TOKEN}}}),
]


@pytest.mark.parametrize("failure", FAILURES)
def test_token_is_in_no_error_and_no_log_record(mock_graph, caplog, failure):
    caplog.set_level(logging.DEBUG)
    graph = mock_graph(failure)
    for call in (
        lambda: graph.client.debug_token(TOKEN),
        lambda: graph.client.phone_numbers(TOKEN, WABA),
        lambda: graph.client.business_accounts(TOKEN, BUSINESS),
    ):
        with pytest.raises(GraphError) as caught:
            call()
        error = caught.value
        assert TOKEN not in str(error) and TOKEN not in repr(error) and TOKEN not in (error.meta_message or "")
        assert "input_token" not in str(error)
        assert error.__cause__ is None
    assert caplog.records, "expected DEBUG records of the calls"
    for record in caplog.records:
        assert TOKEN not in record.getMessage()


def test_debug_log_names_path_and_status_and_httpx_log_is_redacted(mock_graph, caplog):
    caplog.set_level(logging.DEBUG)
    graph = mock_graph(lambda r: ok({"data": {"is_valid": True, "expires_at": 0, "scopes": []}}))
    graph.client.debug_token(TOKEN)
    messages = [r.getMessage() for r in caplog.records]
    assert "GET /v24.0/debug_token -> 200" in messages
    assert any(r.name == "httpx" and "input_token=[redacted]" in r.getMessage() for r in caplog.records)
    assert not any(TOKEN in m for m in messages)


def test_meta_message_is_kept_for_the_logs(mock_graph):
    graph = mock_graph(lambda r: envelope(100, "(#100) Tried accessing nonexisting field (foo) on node type (X)"))
    with pytest.raises(BadParameter) as caught:
        graph.client.phone_number(TOKEN, "3000000000000001")
    assert caught.value.meta_message == "(#100) Tried accessing nonexisting field (foo) on node type (X)"
    assert "Tried accessing" not in str(caught.value)


# --- threads ----------------------------------------------------------------------------------------------------


def test_calls_are_counted_exactly_across_threads(mock_graph):
    graph = mock_graph(lambda r: ok(number(1)))
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                graph.client.phone_number(TOKEN, "3000000000000001")
        except BaseException as exc:  # surfaced below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert graph.client.calls == 200 == len(graph.requests)
