"""Fault injection: each kind, its matching (path, token, times) and its effect on the answer."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from services.simulator import Fault
from tests.services.simulator.conftest import Graph, error_of

BIG_WABA = "/v24.0/2000000000000031/phone_numbers"


@pytest.mark.parametrize(("code", "minutes"), [(4, 2), (80007, 3), (80008, 1), (130429, 5)])
def test_rate_limit_error_carries_the_wait_in_the_buc_header(graph: Graph, code: int, minutes: int) -> None:
    graph.simulator.faults.add(Fault(code=code, retry_after_minutes=minutes, times=1))
    response = graph.get("/v24.0/2000000000000011")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == code and error["is_transient"] is True
    usage = json.loads(response.headers["X-Business-Use-Case-Usage"])["2000000000000011"][0]
    assert usage["estimated_time_to_regain_access"] == minutes and usage["call_count"] == 100
    assert graph.get("/v24.0/2000000000000011").status_code == 200  # times=1: spent


def test_rate_limit_wait_defaults_to_one_minute(local: Graph) -> None:
    local.simulator.faults.add(Fault(code=80007))
    response = local.get("/v24.0/3000000000000101")
    usage = json.loads(response.headers["X-Business-Use-Case-Usage"])["2000000000000011"][0]
    assert usage["estimated_time_to_regain_access"] == 1


@pytest.mark.parametrize(("code", "status"), [(1, 500), (2, 503), (131000, 500)])
def test_server_errors(graph: Graph, code: int, status: int) -> None:
    graph.simulator.faults.add(Fault(code=code))
    response = graph.get("/v24.0/3000000000000101")
    assert response.status_code == status and error_of(response)["code"] == code


def test_error_with_custom_status_subcode_and_message(local: Graph) -> None:
    local.simulator.faults.add(Fault(code=368, subcode=1390008, http_status=403, message="(#368) Temporarily blocked"))
    response = local.get("/v24.0/3000000000000101")
    assert response.status_code == 403
    assert error_of(response) | {"fbtrace_id": "x"} == {
        "message": "(#368) Temporarily blocked",
        "type": "OAuthException",
        "code": 368,
        "error_subcode": 1390008,
        "fbtrace_id": "x",
    }


def test_faults_match_path_and_token(local: Graph) -> None:
    local.simulator.faults.add(Fault(path=r"/phone_numbers$", token="EAADEMOTOKEN", code=131000))
    assert local.get("/v24.0/2000000000000011/phone_numbers").status_code == 500
    assert local.get("/v24.0/2000000000000011").status_code == 200
    assert local.get(BIG_WABA, token="EAADEMOBIGWABA").status_code == 200


def test_times_counts_matching_requests_only(local: Graph) -> None:
    local.simulator.faults.add(Fault(path="3000000000000101", code=2, times=2))
    assert local.get("/v24.0/3000000000000102").status_code == 200
    assert [local.get("/v24.0/3000000000000101").status_code for _ in range(3)] == [503, 503, 200]
    assert len(local.simulator.faults) == 0


def test_slow_answers_late_then_normally(graph: Graph) -> None:
    graph.simulator.faults.add(Fault(kind="slow", seconds=0.3, times=1))
    started = time.monotonic()
    response = graph.get("/v24.0/3000000000000101")
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200 and response.json()["id"] == "3000000000000101"


def test_slow_over_http_trips_a_client_timeout(graph_simulator_url: str) -> None:
    with httpx.Client(base_url=graph_simulator_url) as http:
        http.post("/_simulator/faults", json={"kind": "slow", "seconds": 0.5, "times": 1})
        with pytest.raises(httpx.ReadTimeout):
            http.get("/v24.0/3000000000000101", headers={"Authorization": "Bearer EAADEMOTOKEN"}, timeout=0.1)


def test_malformed_is_a_200_with_truncated_json(graph: Graph) -> None:
    graph.simulator.faults.add(Fault(kind="malformed"))
    response = graph.get("/v24.0/2000000000000011/phone_numbers")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    assert response.text.startswith('{"data": [')
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_html_is_a_502_page(graph: Graph) -> None:
    graph.simulator.faults.add(Fault(kind="html"))
    response = graph.get("/v24.0/3000000000000101")
    assert response.status_code == 502 and response.headers["Content-Type"].startswith("text/html")
    assert "<html>" in response.text


def test_fail_on_page_fails_only_that_page(graph: Graph) -> None:
    graph.simulator.faults.add(Fault(kind="fail_on_page", page=2, code=131000, times=1))
    headers = {"Authorization": "Bearer EAADEMOBIGWABA"}
    first = graph.http.get(BIG_WABA, params={"limit": 100}, headers=headers)
    assert first.status_code == 200
    second = graph.http.get(first.json()["paging"]["next"], headers=headers)
    assert second.status_code == 500 and error_of(second)["code"] == 131000
    retried = graph.http.get(first.json()["paging"]["next"], headers=headers)
    assert retried.status_code == 200 and len(retried.json()["data"]) == 100


def test_fail_on_page_leaves_nodes_alone(local: Graph) -> None:
    local.simulator.faults.add(Fault(kind="fail_on_page", page=1))
    assert local.get("/v24.0/2000000000000011").status_code == 200
    assert local.get("/v24.0/2000000000000011/phone_numbers").status_code == 503


def test_control_paths_are_never_faulted(graph_simulator_url: str) -> None:
    with httpx.Client(base_url=graph_simulator_url) as http:
        http.post("/_simulator/faults", json={"kind": "html"})
        assert http.get("/_simulator/health").json()["ok"] is True


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ({"kind": "explode"}, "kind must be one of"),
        ({"colour": "red"}, "Unknown fault field(s): colour"),
        ({"path": "("}, "not a valid regular expression"),
        ({"times": 0}, "times must be 1 or more"),
        ({"seconds": "long"}, "seconds must be a non-negative number"),
        ([1], "must be a JSON object"),
    ],
)
def test_bad_fault_is_a_clear_sentence(fault: object, words: str) -> None:
    items = fault if isinstance(fault, list) else [fault]
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        for item in items:
            Fault.from_json(item)
