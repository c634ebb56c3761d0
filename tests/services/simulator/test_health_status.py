"""health_status as Meta serves it: per entity, with errors, on the number and on its WABA; nested expansion."""

from __future__ import annotations

from datetime import timedelta

from tests.services.simulator.conftest import ANCHOR, Graph, error_of

LUCKY_SHRUB_WABA = "2000000000000012"
BLOCKED_NUMBER = "3000000000000104"


def test_a_green_connected_number_can_be_blocked_by_its_waba(graph: Graph) -> None:
    body = graph.get(f"/v24.0/{BLOCKED_NUMBER}", fields="quality_rating,status,health_status").json()
    assert (body["status"], body["quality_rating"]) == ("CONNECTED", "RED")
    health = body["health_status"]
    assert health["can_send_message"] == "BLOCKED"
    entities = {entity["entity_type"]: entity for entity in health["entities"]}
    assert list(entities) == ["PHONE_NUMBER", "WABA", "BUSINESS", "APP"]
    assert entities["PHONE_NUMBER"] == {
        "entity_type": "PHONE_NUMBER",
        "id": BLOCKED_NUMBER,
        "can_send_message": "AVAILABLE",
    }
    waba = entities["WABA"]
    assert waba["id"] == LUCKY_SHRUB_WABA and waba["can_send_message"] == "BLOCKED"
    assert waba["errors"][0]["error_code"] == 141006
    assert {"error_description", "possible_solution"} <= set(waba["errors"][0])


def test_a_limited_entity_carries_additional_info(local: Graph) -> None:
    health = local.get("/v24.0/3000000000000107", fields="health_status").json()["health_status"]
    number = health["entities"][0]
    assert health["can_send_message"] == number["can_send_message"] == "LIMITED"
    assert number["errors"][0]["error_code"] == 131048 and number["additional_info"]


def test_the_health_status_of_a_number_that_recovered(local: Graph) -> None:
    before = local.get("/v24.0/3000000000000101", fields="health_status").json()["health_status"]
    assert before["can_send_message"] == "AVAILABLE"
    local.clock.set(ANCHOR - timedelta(days=3, hours=12))
    during = local.get("/v24.0/3000000000000101", fields="health_status").json()["health_status"]
    assert during["can_send_message"] == "LIMITED"


def test_the_waba_node_has_health_status_without_the_number_entity(graph: Graph) -> None:
    body = graph.get(f"/v24.0/{LUCKY_SHRUB_WABA}", fields="id,health_status").json()
    assert body["health_status"]["can_send_message"] == "BLOCKED"
    assert [e["entity_type"] for e in body["health_status"]["entities"]] == ["WABA", "BUSINESS", "APP"]


def test_nested_phone_numbers_expansion_pages_through_the_edge(graph: Graph) -> None:
    fields = "id,account_review_status,health_status,phone_numbers.limit(100){id,status,health_status}"
    body = graph.get("/v24.0/2000000000000031", token="EAADEMOBIGWABA", fields=fields).json()
    numbers = body["phone_numbers"]
    assert len(numbers["data"]) == 100 and body["account_review_status"] == "APPROVED"
    assert set(numbers["data"][0]) == {"id", "status", "health_status"}
    seen = [row["id"] for row in numbers["data"]]
    following = numbers["paging"]["next"]
    while following:
        page = graph.http.get(following, headers={"Authorization": "Bearer EAADEMOBIGWABA"}).json()
        seen += [row["id"] for row in page["data"]]
        following = page.get("paging", {}).get("next")
    assert len(seen) == len(set(seen)) == 230


def test_a_malformed_expansion_is_error_100(local: Graph) -> None:
    response = local.get(f"/v24.0/{LUCKY_SHRUB_WABA}", fields="phone_numbers{id,status")
    assert response.status_code == 400 and error_of(response)["code"] == 100
    unknown = local.get(f"/v24.0/{LUCKY_SHRUB_WABA}", fields="phone_numbers{id,no_such_field}")
    assert unknown.status_code == 400 and "no_such_field" in error_of(unknown)["message"]


def test_a_number_is_listed_only_from_its_onboarding_on(local: Graph) -> None:
    # Lucky Shrub Garden Center was onboarded 3 days before the anchor.
    local.clock.set(ANCHOR - timedelta(days=4))
    listed = local.get(f"/v24.0/{LUCKY_SHRUB_WABA}/phone_numbers").json()["data"]
    assert [row["id"] for row in listed] == [BLOCKED_NUMBER]
    assert local.get("/v24.0/3000000000000105").status_code == 400
    local.clock.set(ANCHOR)
    assert len(local.get(f"/v24.0/{LUCKY_SHRUB_WABA}/phone_numbers").json()["data"]) == 2
