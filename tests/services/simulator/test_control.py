"""The /_simulator/ control endpoints over real HTTP: faults, request log, reset, clock and tokens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from tests.fixtures.simulator import SIMULATOR_ANCHOR, ServedSimulator

AUTH = {"Authorization": "Bearer EAADEMOTOKEN"}


@pytest.fixture
def http(graph_simulator: ServedSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=graph_simulator.url, timeout=10) as client:
        yield client


def test_faults_are_added_listed_and_cleared_over_http(http: httpx.Client) -> None:
    added = http.post("/_simulator/faults", json=[{"code": 80007, "retry_after_minutes": 4}, {"kind": "html"}])
    assert added.status_code == 201 and added.json() == {"faults": 2}
    listed = http.get("/_simulator/faults").json()["faults"]
    assert [(f["kind"], f["code"]) for f in listed] == [("error", 80007), ("html", 2)]
    assert http.get("/v24.0/3000000000000101", headers=AUTH).json()["error"]["code"] == 80007
    assert http.delete("/_simulator/faults").json() == {"faults": 0}
    assert http.get("/v24.0/3000000000000101", headers=AUTH).status_code == 200


def test_bad_fault_over_http_is_a_400_sentence(http: httpx.Client) -> None:
    response = http.post("/_simulator/faults", json={"kind": "explode"})
    assert response.status_code == 400 and "kind must be one of" in response.json()["error"]["message"]
    assert http.post("/_simulator/faults", content=b"{not json").status_code == 400


def test_request_log_counts_graph_calls_and_redacts_tokens(http: httpx.Client) -> None:
    http.get("/v24.0/3000000000000101", params={"access_token": "EAADEMOTOKEN", "fields": "status"})
    http.get("/v24.0/debug_token", params={"input_token": "EAADEMOEXPIRED"}, headers=AUTH)
    log = http.get("/_simulator/requests").json()
    assert log["count"] == 2
    assert [entry["path"] for entry in log["requests"]] == ["/v24.0/3000000000000101", "/v24.0/debug_token"]
    assert log["requests"][0]["status"] == 200
    text = str(log)
    assert "EAADEMO" not in text and "[redacted]" in text


def test_reset_restores_the_seeded_state(graph_simulator: ServedSimulator, http: httpx.Client) -> None:
    http.post("/_simulator/faults", json={"code": 2})
    http.post("/_simulator/tokens", json={"token": "EAATEMP", "state": "valid", "business_ids": ["1000000000000001"]})
    http.post("/_simulator/clock", json={"advance_seconds": 3600})
    http.get("/v24.0/3000000000000101", headers=AUTH)
    assert http.post("/_simulator/reset").status_code == 200
    assert http.get("/_simulator/requests").json() == {"count": 0, "requests": []}
    assert http.get("/_simulator/faults").json() == {"faults": []}
    assert http.get("/_simulator/clock").json()["now"] == SIMULATOR_ANCHOR.isoformat()
    assert http.get("/v24.0/2000000000000011", headers={"Authorization": "Bearer EAATEMP"}).status_code == 401
    assert graph_simulator.simulator.request_count == 1


def test_clock_moves_over_http(graph_simulator: ServedSimulator, http: httpx.Client) -> None:
    later = SIMULATOR_ANCHOR + timedelta(hours=3, minutes=30)
    assert http.post("/_simulator/clock", json={"now": later.isoformat()}).json() == {"now": later.isoformat()}
    assert http.get("/v24.0/3000000000000103", headers=AUTH).json()["quality_rating"] == "YELLOW"
    moved = http.post("/_simulator/clock", json={"advance_seconds": 7200}).json()["now"]
    assert moved == (later + timedelta(hours=2)).isoformat() == graph_simulator.simulator.now().isoformat()
    assert http.post("/_simulator/clock", json={"now": "2026-11-01T00:00:00"}).status_code == 400
    assert http.post("/_simulator/clock", json={"later": 1}).status_code == 400


def test_registered_tokens(http: httpx.Client) -> None:
    tokens = [
        {"token": "EAAFLEET1", "state": "valid", "business_ids": ["1000000000000002"]},
        {"token": "EAAFLEET2", "state": "invalid"},
        {"token": "EAAFLEET3", "state": "expired", "expires_at": "2026-10-15T12:00:00+00:00"},
        {"token": "EAAFLEET4", "state": "no_permission", "business_ids": ["1000000000000002"]},
    ]
    for body in tokens:
        created = http.post("/_simulator/tokens", json=body)
        assert created.status_code == 201 and "EAAFLEET" not in created.text
    aurora = "/v24.0/2000000000000021"

    def get(path: str, token: str) -> httpx.Response:
        return http.get(path, headers={"Authorization": f"Bearer {token}"})

    assert get(aurora, "EAAFLEET1").status_code == 200
    assert get("/v24.0/2000000000000011", "EAAFLEET1").json()["error"]["code"] == 200
    assert get(aurora, "EAAFLEET2").json()["error"]["error_subcode"] == 467
    expired = get(aurora, "EAAFLEET3").json()["error"]
    assert expired["error_subcode"] == 463 and "Thursday, 15-Oct-26 05:00:00 PDT" in expired["message"]
    assert get(aurora, "EAAFLEET4").json()["error"]["code"] == 200


@pytest.mark.parametrize(
    "body", [{}, {"token": "EAAX", "state": "sleepy"}, {"token": "EAAX", "business_ids": "1000000000000001"}]
)
def test_bad_token_registration_is_a_400_sentence(http: httpx.Client, body: dict[str, object]) -> None:
    response = http.post("/_simulator/tokens", json=body)
    assert response.status_code == 400 and response.json()["error"]["message"].endswith(".")


def test_unknown_control_endpoint(http: httpx.Client) -> None:
    assert http.get("/_simulator/teleport").status_code == 404
