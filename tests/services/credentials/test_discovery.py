import socket
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.credentials.discovery import (
    BusinessNotReachable,
    CredentialInputError,
    check_input,
    check_token,
    discover,
    discover_numbers,
    field_of,
    token_refusal,
)
from services.graph.client import GraphClient
from services.graph.connection import build_graph_client
from services.graph.envelope import invalid_token
from services.graph.errors import (
    BadParameter,
    GraphUnreachable,
    PermissionMissing,
    RateLimited,
    TokenExpired,
    TokenInvalid,
)
from services.graph.types import TokenInfo
from services.simulator import Fault
from tests.fixtures.simulator import ServedSimulator

JASPERS, NORTHWIND = "1000000000000001", "1000000000000003"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("token", "business_id", "field", "words"),
    [
        ("", JASPERS, "token", "Paste the API token"),
        ("   ", JASPERS, "token", "Paste the API token"),
        ("EAA DEMO", JASPERS, "token", "no spaces"),
        ("EAADEMOTOKEN", "", "business_id", "Enter the business account ID"),
        ("EAADEMOTOKEN", "10000-0001", "business_id", "digits only"),
        ("EAADEMOTOKEN", "1" * 33, "business_id", "digits only"),
    ],
)
def test_local_checks_refuse_bad_input_before_any_graph_call(
    graph: GraphClient, token: str, business_id: str, field: str, words: str
) -> None:
    with pytest.raises(CredentialInputError) as raised:
        discover(graph=graph, token=token, business_id=business_id, at=NOW)
    assert raised.value.field == field
    assert words in str(raised.value)
    assert graph.calls == 0


def test_a_token_pasted_into_the_business_id_field_is_not_echoed() -> None:
    with pytest.raises(CredentialInputError) as raised:
        check_input(token="EAADEMOTOKEN", business_id="EAASECRETPASTEDHERE")
    assert "EAASECRETPASTEDHERE" not in str(raised.value)


def test_blanks_around_the_input_are_dropped() -> None:
    assert check_input(token="  EAADEMOTOKEN\n", business_id=f" {JASPERS} ") == ("EAADEMOTOKEN", JASPERS)


def test_a_valid_token_finds_the_owned_and_client_accounts_of_the_business(graph: GraphClient) -> None:
    discovery = discover(graph=graph, token="EAADEMOTOKEN", business_id=JASPERS, at=NOW)
    assert [(a.id, a.name, a.ownership) for a in discovery.accounts] == [
        ("2000000000000011", "Jasper's Market", "owned"),
        ("2000000000000012", "Lucky Shrub", "client"),
    ]
    assert discovery.token.expires_at == NOW + timedelta(days=45)
    # debug_token's targets (both businesses) joined with the business's own and client WABAs
    assert set(discovery.reach) == {"2000000000000011", "2000000000000012", "2000000000000021"}
    assert discovery.account("2000000000000012") is not None and discovery.account("2000000000000021") is None


def test_an_expired_token_says_when_it_expired(graph: GraphClient) -> None:
    with pytest.raises(TokenExpired) as raised:
        discover(graph=graph, token="EAADEMOEXPIRED", business_id=JASPERS, at=NOW)
    assert str(raised.value).startswith("The API token expired on 31 Oct 2026")
    assert raised.value.expired_at == NOW - timedelta(days=1)


def test_a_revoked_token_and_a_mistyped_one_get_different_sentences(graph: GraphClient) -> None:
    with pytest.raises(TokenInvalid) as revoked:  # Meta: 190, subcode 467
        discover(graph=graph, token="EAADEMOREVOKED", business_id=JASPERS, at=NOW)
    with pytest.raises(TokenInvalid) as mistyped:  # Meta: 190, "Cannot parse access token"
        discover(graph=graph, token="EAANOBODYKNOWSTHIS", business_id=JASPERS, at=NOW)
    assert str(revoked.value) == (
        "Meta no longer accepts this API token: it was revoked (or its user logged out), so it will not work "
        "again; create a new one in Meta Business Suite (Business settings > System users > Generate new token) "
        "and paste it here."
    )
    assert str(mistyped.value) == (
        "Meta cannot read this API token: it looks mistyped or cut short. Copy the whole token again from Meta "
        "Business Suite (it starts with EAA and has no spaces) and paste it here."
    )
    assert (revoked.value.code, revoked.value.subcode, mistyped.value.subcode) == (190, 467, None)
    assert field_of(revoked.value) == field_of(mistyped.value) == "token"


@pytest.mark.parametrize(
    ("subcode", "message", "reason"),
    [
        (
            460,
            "Error validating access token: The session has been invalidated because the user changed their password",
            "its user changed their password",
        ),
        (
            458,
            "Error validating access token: The user has not authorized application",
            "the app it was made for was removed",
        ),
        (None, "Malformed access token EAAx", "Meta cannot read this API token"),
        (
            None,
            "Error validating access token",
            "Meta does not accept this API token (it was revoked, or it is mistyped)",
        ),
    ],
    ids=["password-changed", "app-removed", "malformed", "unknown"],
)
def test_each_kind_of_refused_token_says_what_happened(subcode: int | None, message: str, reason: str) -> None:
    refused = token_refusal(invalid_token(code=190, subcode=subcode, meta_message=message))
    assert reason in str(refused)
    assert isinstance(refused, TokenInvalid) and refused.subcode == subcode


def test_each_refusal_names_the_field_it_is_about() -> None:
    assert field_of(CredentialInputError("business_id", "x")) == "business_id"
    assert field_of(BusinessNotReachable("x")) == "business_id"
    assert field_of(TokenExpired("x")) == field_of(PermissionMissing("x")) == "token"
    assert field_of(RateLimited("x")) == field_of(GraphUnreachable("x")) == ""


def test_a_token_without_the_management_permission_names_it(graph: GraphClient) -> None:
    with pytest.raises(PermissionMissing) as raised:
        discover(graph=graph, token="EAADEMONOPERM", business_id=JASPERS, at=NOW)
    assert raised.value.permission == "whatsapp_business_management"
    assert "lacks the whatsapp_business_management permission" in str(raised.value)


@pytest.mark.parametrize("business_id", [NORTHWIND, "999999"])
def test_a_business_the_token_cannot_reach_is_named(graph: GraphClient, business_id: str) -> None:
    with pytest.raises(BusinessNotReachable) as raised:
        discover(graph=graph, token="EAADEMOTOKEN", business_id=business_id, at=NOW)
    assert str(raised.value).startswith(f"Business account ID {business_id} was not found, or this token cannot")


def test_a_business_without_reachable_accounts_is_refused() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/debug_token"):
            data = {"is_valid": True, "expires_at": 0, "scopes": ["whatsapp_business_management"], "type": "USER"}
            return httpx.Response(200, json={"data": data})
        return httpx.Response(200, json={"data": []})  # both WABA edges: nothing owned, no clients

    graph = build_graph_client("http://graph.test", version="v24.0", transport=httpx.MockTransport(answer))
    with pytest.raises(BusinessNotReachable, match="has no WhatsApp Business Account this token can reach"):
        discover(graph=graph, token="EAADEMOTOKEN", business_id=JASPERS, at=NOW)


def test_rate_limiting_says_how_long_to_wait(graph: GraphClient, graph_simulator: ServedSimulator) -> None:
    graph_simulator.simulator.faults.add(Fault(code=80007, path="owned_whatsapp", retry_after_minutes=5))
    with pytest.raises(RateLimited, match="retry after 5 minutes"):
        discover(graph=graph, token="EAADEMOTOKEN", business_id=JASPERS, at=NOW)


def test_meta_unreachable_is_a_sentence() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    graph = build_graph_client(f"http://127.0.0.1:{port}", version="v24.0", sleep=lambda _s: None)
    with pytest.raises(GraphUnreachable, match="Cannot reach the Graph API at 127.0.0.1"):
        discover(graph=graph, token="EAADEMOTOKEN", business_id=JASPERS, at=NOW)


def test_check_token_trusts_meta_on_validity_and_dates_an_expiry() -> None:
    scopes = ("whatsapp_business_management",)
    check_token(TokenInfo(is_valid=True, expires_at=NOW - timedelta(days=1), scopes=scopes, waba_ids=()), at=NOW)
    with pytest.raises(TokenExpired, match="expired on 31 Oct 2026"):
        check_token(TokenInfo(is_valid=False, expires_at=NOW - timedelta(days=1), scopes=scopes, waba_ids=()), at=NOW)
    with pytest.raises(TokenInvalid):
        check_token(TokenInfo(is_valid=False, expires_at=None, scopes=scopes, waba_ids=()), at=NOW)


def test_numbers_come_from_every_page_sorted_by_name(graph: GraphClient) -> None:
    numbers = discover_numbers(graph=graph, token="EAADEMOBIGWABA", waba_id="2000000000000031")
    assert len(numbers) == 230 and len({n.id for n in numbers}) == 230
    assert numbers[0].verified_name == "Northwind Store #001" and numbers[-1].verified_name == "Northwind Store #230"


def test_a_page_failing_midway_is_an_error_not_a_short_list(
    graph: GraphClient, graph_simulator: ServedSimulator
) -> None:
    graph_simulator.simulator.faults.add(Fault(kind="fail_on_page", page=3, code=100, path="phone_numbers"))
    with pytest.raises(BadParameter) as raised:
        discover_numbers(graph=graph, token="EAADEMOBIGWABA", waba_id="2000000000000031")
    assert "WhatsApp Business Account ID 2000000000000031" in str(raised.value)
