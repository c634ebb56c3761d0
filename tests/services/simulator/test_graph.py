"""Routing, field selection, version-gated fields, access rules and usage headers of the Graph endpoints."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.services.simulator.conftest import ANCHOR, Graph, error_of

UNSUPPORTED = (
    "Unsupported get request. Object with ID '{}' does not exist, cannot be loaded due to missing permissions, "
    "or does not support this operation."
)


def test_phone_number_default_fields(graph: Graph) -> None:
    response = graph.get("/v24.0/3000000000000101")
    assert response.status_code == 200
    assert response.json() == {
        "verified_name": "Jasper's Market",
        "display_phone_number": "+1 631-555-0101",
        "id": "3000000000000101",
        "quality_rating": "GREEN",
    }


def test_fields_are_exactly_the_asked_ones_plus_id(graph: Graph) -> None:
    body = graph.get("/v24.0/3000000000000101", fields="status,throughput").json()
    assert list(body) == ["status", "throughput", "id"]
    assert body == {"status": "CONNECTED", "throughput": {"level": "HIGH"}, "id": "3000000000000101"}


def test_every_documented_phone_field_is_served(local: Graph) -> None:
    names = (
        "id,display_phone_number,verified_name,quality_rating,throughput,status,name_status,code_verification_status,"
        "platform_type,account_mode,is_official_business_account,last_onboarded_time,"
        "whatsapp_business_manager_messaging_limit"
    )
    body = local.get("/v24.0/3000000000000105", fields=names).json()
    assert list(body) == names.split(",")
    assert body["quality_rating"] == "NA" and body["status"] == "PENDING" and body["name_status"] == "PENDING_REVIEW"
    assert body["last_onboarded_time"] == "2026-10-29T00:00:00+0000"  # 3 days before the anchor
    assert body["is_official_business_account"] is False and body["platform_type"] == "CLOUD_API"


@pytest.mark.parametrize(
    ("version", "served", "refused"),
    [
        ("v24.0", "whatsapp_business_manager_messaging_limit", "messaging_limit_tier"),
        ("v30.0", "whatsapp_business_manager_messaging_limit", "messaging_limit_tier"),
        ("v23.0", "messaging_limit_tier", "whatsapp_business_manager_messaging_limit"),
        ("v17.0", "messaging_limit_tier", "whatsapp_business_manager_messaging_limit"),
    ],
)
def test_messaging_limit_field_follows_the_version(local: Graph, version: str, served: str, refused: str) -> None:
    assert local.get(f"/{version}/3000000000000104", fields=served).json() == {
        served: "TIER_250",
        "id": "3000000000000104",
    }
    response = local.get(f"/{version}/3000000000000104", fields=refused)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == 100
    assert (
        error["message"]
        == f"(#100) Tried accessing nonexisting field ({refused}) on node type (WhatsAppBusinessPhoneNumber)"
    )


def test_unknown_field_on_a_waba(graph: Graph) -> None:
    response = graph.get("/v24.0/2000000000000011", fields="name,colour")
    assert response.status_code == 400
    assert (
        error_of(response)["message"]
        == "(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessAccount)"
    )


def test_waba_node_and_business_edges(graph: Graph) -> None:
    waba = graph.get("/v24.0/2000000000000011").json()
    assert list(waba) == ["id", "name", "currency", "timezone_id", "message_template_namespace"]
    assert waba["name"] == "Jasper's Market" and waba["currency"] == "USD"
    owned = graph.get("/v24.0/1000000000000001/owned_whatsapp_business_accounts").json()
    clients = graph.get("/v24.0/1000000000000001/client_whatsapp_business_accounts").json()
    assert [w["id"] for w in owned["data"]] == ["2000000000000011"]
    assert owned["data"][0] == waba
    assert [w["id"] for w in clients["data"]] == ["2000000000000012"]
    aurora = graph.get("/v24.0/1000000000000002/owned_whatsapp_business_accounts", fields="name").json()
    assert aurora["data"] == [{"name": "Aurora Coffee", "id": "2000000000000021"}]
    assert graph.get("/v24.0/1000000000000002/client_whatsapp_business_accounts").json() == {"data": []}


def test_phone_numbers_of_a_waba_newest_first(graph: Graph) -> None:
    body = graph.get("/v24.0/2000000000000011/phone_numbers").json()
    assert [n["id"] for n in body["data"]] == ["3000000000000103", "3000000000000102", "3000000000000101"]
    assert set(body["data"][0]) == {"verified_name", "display_phone_number", "id", "quality_rating"}
    assert "next" not in body["paging"]


def test_the_demo_token_reaches_eight_numbers(local: Graph) -> None:
    wabas = []
    for business in ("1000000000000001", "1000000000000002"):
        for edge in ("owned_whatsapp_business_accounts", "client_whatsapp_business_accounts"):
            wabas += [w["id"] for w in local.get(f"/v24.0/{business}/{edge}").json()["data"]]
    numbers = [n for waba in wabas for n in local.get(f"/v24.0/{waba}/phone_numbers").json()["data"]]
    assert len(wabas) == 3 and len(numbers) == 8
    assert {n["quality_rating"] for n in numbers} == {"GREEN", "YELLOW", "RED", "NA"}


@pytest.mark.parametrize(
    "path", ["/v24.0/999", "/v24.0/999/phone_numbers", "/v24.0/3000000000031000", "/v24.0/1000000000000003"]
)
def test_unknown_or_unreached_object_is_error_100_33(graph: Graph, path: str) -> None:
    response = graph.get(path)
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["error_subcode"], error["type"]) == (100, 33, "GraphMethodException")
    assert error["message"].startswith(UNSUPPORTED.format(path.split("/")[2]))


def test_unreached_business_edges_are_error_100_33(local: Graph) -> None:
    response = local.get("/v24.0/1000000000000001/owned_whatsapp_business_accounts", token="EAADEMOBIGWABA")
    assert response.status_code == 400 and error_of(response)["error_subcode"] == 33


def test_a_waba_the_token_does_not_manage_is_error_200(local: Graph) -> None:
    response = local.get("/v24.0/2000000000000011/phone_numbers", token="EAADEMOBIGWABA")
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == 200
    assert error["message"] == "(#200) Requires whatsapp_business_management permission to manage the object"


def test_missing_token(graph: Graph) -> None:
    response = graph.get("/v24.0/3000000000000101", token=None)
    assert response.status_code == 401
    error = error_of(response)
    assert (error["code"], error["type"]) == (190, "OAuthException")
    assert error["message"] == "An active access token must be used to query information about the current user."
    assert "error_subcode" not in error


def test_token_as_query_parameter(graph: Graph) -> None:
    response = graph.get("/v24.0/3000000000000101", token=None, access_token="EAADEMOTOKEN")
    assert response.status_code == 200 and response.json()["id"] == "3000000000000101"


def test_unknown_token(graph: Graph) -> None:
    response = graph.get("/v24.0/3000000000000101", token="EAAnotatoken")
    assert response.status_code == 401
    error = error_of(response)
    assert error["message"] == "Invalid OAuth access token - Cannot parse access token"
    assert "error_subcode" not in error


def test_revoked_token(graph: Graph) -> None:
    error = error_of(graph.get("/v24.0/2000000000000011", token="EAADEMOREVOKED"))
    assert (error["code"], error["error_subcode"]) == (190, 467)
    assert error["message"] == "Error validating access token: The session is invalid because the user logged out."


def test_expired_token_names_the_expiry_and_now_in_pacific_time(graph: Graph) -> None:
    graph.clock.set(ANCHOR + timedelta(hours=11, minutes=53))
    response = graph.get("/v24.0/2000000000000011", token="EAADEMOEXPIRED")
    assert response.status_code == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]
    error = error_of(response)
    assert (error["code"], error["error_subcode"]) == (190, 463)
    assert error["message"] == (
        "Error validating access token: Session has expired on Friday, 30-Oct-26 17:00:00 PDT. "
        "The current time is Sunday, 01-Nov-26 03:53:00 PST."
    )


def test_the_valid_demo_token_expires_45_days_after_the_anchor(graph: Graph) -> None:
    graph.clock.set(ANCHOR + timedelta(days=45))
    error = error_of(graph.get("/v24.0/2000000000000011"))
    assert error["error_subcode"] == 463
    assert "Session has expired on Tuesday, 15-Dec-26 16:00:00 PST" in error["message"]


def test_token_without_management_permission(graph: Graph) -> None:
    for path in (
        "/v24.0/2000000000000011",
        "/v24.0/3000000000000101",
        "/v24.0/1000000000000001/owned_whatsapp_business_accounts",
    ):
        response = graph.get(path, token="EAADEMONOPERM")
        assert response.status_code == 403 and error_of(response)["code"] == 200
    data = graph.get("/v24.0/debug_token", token="EAADEMONOPERM", input_token="EAADEMONOPERM").json()["data"]
    assert data["is_valid"] is True
    assert "whatsapp_business_management" not in data["scopes"] and "whatsapp_business_messaging" in data["scopes"]
    assert [s["scope"] for s in data["granular_scopes"]] == ["whatsapp_business_messaging"]


def test_debug_token_of_the_demo_token(graph: Graph) -> None:
    data = graph.get("/v24.0/debug_token", input_token="EAADEMOTOKEN").json()["data"]
    assert data["is_valid"] is True and data["type"] == "SYSTEM_USER"
    assert data["expires_at"] == int((ANCHOR + timedelta(days=45)).timestamp())
    assert data["issued_at"] < int(ANCHOR.timestamp()) < data["data_access_expires_at"]
    assert {"app_id", "application", "user_id"} <= set(data)
    assert "whatsapp_business_management" in data["scopes"]
    management = next(s for s in data["granular_scopes"] if s["scope"] == "whatsapp_business_management")
    # newest WABA first: Lucky Shrub (400 days old), Aurora (600), Jasper's (900)
    assert management["target_ids"] == ["2000000000000012", "2000000000000021", "2000000000000011"]


def test_debug_token_of_a_token_that_never_expires(local: Graph) -> None:
    data = local.get("/v24.0/debug_token", input_token="EAADEMOBIGWABA").json()["data"]
    assert data["expires_at"] == 0 and data["granular_scopes"][0]["target_ids"] == ["2000000000000031"]


def test_debug_token_of_an_expired_input_token(graph: Graph) -> None:
    data = graph.get("/v24.0/debug_token", input_token="EAADEMOEXPIRED").json()["data"]
    assert data["is_valid"] is False
    assert data["expires_at"] == int((ANCHOR - timedelta(days=1)).timestamp())
    assert (data["error"]["code"], data["error"]["subcode"]) == (190, 463)
    assert data["error"]["message"].startswith("Error validating access token: Session has expired on Friday")


@pytest.mark.parametrize(("token", "subcode"), [("EAADEMOEXPIRED", 463), ("EAADEMOREVOKED", 467)])
def test_a_dead_token_inspecting_itself_answers_200_is_valid_false(local: Graph, token: str, subcode: int) -> None:
    # Meta answers debug_token with 200 and data.is_valid false, not 401, when the bearer is the token inspected.
    response = local.get("/v24.0/debug_token", token=token, input_token=token)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["is_valid"] is False and (data["error"]["code"], data["error"]["subcode"]) == (190, subcode)
    other = local.get("/v24.0/debug_token", token=token, input_token="EAADEMOTOKEN")
    assert other.status_code == 401 and error_of(other)["error_subcode"] == subcode


def test_debug_token_of_revoked_and_unknown_input_tokens(local: Graph) -> None:
    revoked = local.get("/v24.0/debug_token", input_token="EAADEMOREVOKED").json()["data"]
    assert revoked["is_valid"] is False and revoked["error"]["subcode"] == 467
    unknown = local.get("/v24.0/debug_token", input_token="EAAgarbage").json()["data"]
    assert unknown == {
        "error": {"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"},
        "is_valid": False,
        "scopes": [],
    }
    missing = local.get("/v24.0/debug_token")
    assert missing.status_code == 400 and error_of(missing)["code"] == 100


def test_versions_and_paths(local: Graph) -> None:
    assert local.get("/3000000000000101").json()["id"] == "3000000000000101"  # unversioned: default version
    old = local.get("/v16.0/3000000000000101")
    assert old.status_code == 400 and "v16.0" in error_of(old)["message"]
    assert error_of(local.get("/v24.0/2000000000000011/message_campaigns"))["message"] == (
        "(#100) Tried accessing nonexisting field (message_campaigns) on node type (WhatsAppBusinessAccount)"
    )
    assert error_of(local.get("/v24.0/2000000000000011/phone_numbers/x"))["code"] == 2500


def test_writes_are_unsupported_requests(graph: Graph) -> None:
    response = graph.http.post("/v24.0/2000000000000011", headers={"Authorization": "Bearer EAADEMOTOKEN"})
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["error_subcode"]) == (100, 33)
    assert error["message"].startswith("Unsupported post request. Object with ID '2000000000000011'")


def test_usage_headers_on_every_answer(graph: Graph) -> None:
    for path, key in [
        ("/v24.0/3000000000000101", "2000000000000011"),
        ("/v24.0/2000000000000021/phone_numbers", "2000000000000021"),
        ("/v24.0/1000000000000001/owned_whatsapp_business_accounts", "1000000000000001"),
        ("/v24.0/2000000000000011/colour", "2000000000000011"),
    ]:
        response = graph.get(path)
        usage = json.loads(response.headers["X-Business-Use-Case-Usage"])
        assert list(usage) == [key]
        assert set(usage[key][0]) == {
            "type",
            "call_count",
            "total_cputime",
            "total_time",
            "estimated_time_to_regain_access",
        }
        assert usage[key][0]["type"] == "whatsapp_business_management"
        assert set(json.loads(response.headers["X-App-Usage"])) == {"call_count", "total_cputime", "total_time"}
    assert "X-Business-Use-Case-Usage" in graph.get("/v24.0/999", token=None).headers


def test_health_moves_with_the_simulated_clock(graph: Graph) -> None:
    assert graph.get("/v24.0/3000000000000103").json()["quality_rating"] == "GREEN"
    graph.clock.advance(hours=3, minutes=30)
    assert graph.get("/v24.0/3000000000000103").json()["quality_rating"] == "YELLOW"
    graph.simulator.advance(2 * 3600)
    assert graph.get("/v24.0/3000000000000103").json()["quality_rating"] == "GREEN"
