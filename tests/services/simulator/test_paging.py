"""Cursor paging of the list edges: limit, after/before cursors and next links built from the request's host."""

from __future__ import annotations

import httpx
import pytest

from tests.services.simulator.conftest import Graph, error_of

BIG_WABA = "/v24.0/2000000000000031/phone_numbers"
BIG_TOKEN = {"Authorization": "Bearer EAADEMOBIGWABA"}


def test_230_numbers_take_three_pages_at_limit_100(graph: Graph) -> None:
    pages = [graph.http.get(BIG_WABA, params={"limit": 100, "fields": "id,status"}, headers=BIG_TOKEN).json()]
    while "next" in pages[-1]["paging"]:
        next_url = pages[-1]["paging"]["next"]
        assert next_url.startswith(str(graph.http.base_url).rstrip("/"))
        pages.append(graph.http.get(next_url, headers=BIG_TOKEN).json())
    assert [len(p["data"]) for p in pages] == [100, 100, 30]
    ids = [n["id"] for p in pages for n in p["data"]]
    assert len(set(ids)) == 230
    assert all(set(n) == {"id", "status"} for p in pages for n in p["data"])
    assert "previous" not in pages[0]["paging"] and "previous" in pages[1]["paging"]
    assert set(pages[2]["paging"]["cursors"]) == {"before", "after"}


def test_before_cursor_returns_the_previous_page(local: Graph) -> None:
    first = local.get(BIG_WABA, token="EAADEMOBIGWABA", limit=10).json()
    second = local.get(BIG_WABA, token="EAADEMOBIGWABA", limit=10, after=first["paging"]["cursors"]["after"]).json()
    back = local.get(BIG_WABA, token="EAADEMOBIGWABA", limit=10, before=second["paging"]["cursors"]["before"]).json()
    assert back["data"] == first["data"]
    assert second["data"][0]["id"] != first["data"][-1]["id"]


def test_default_limit_is_25(local: Graph) -> None:
    body = local.get(BIG_WABA, token="EAADEMOBIGWABA").json()
    assert len(body["data"]) == 25 and "next" in body["paging"]


def test_next_link_keeps_fields_and_limit(local: Graph) -> None:
    body = local.get(BIG_WABA, token="EAADEMOBIGWABA", limit=5, fields="quality_rating").json()
    url = httpx.URL(body["paging"]["next"])
    assert url.params["limit"] == "5" and url.params["fields"] == "quality_rating" and "after" in url.params
    assert url.host == "graph.simulator.invalid"


@pytest.mark.parametrize("limit", ["101", "0", "-3", "ten"])
def test_bad_limit_is_error_100(local: Graph, limit: str) -> None:
    response = local.get(BIG_WABA, token="EAADEMOBIGWABA", limit=limit)
    assert response.status_code == 400 and error_of(response)["code"] == 100


def test_foreign_cursor_is_error_100(local: Graph) -> None:
    jaspers = local.get("/v24.0/2000000000000011/phone_numbers", limit=1).json()
    response = local.get(BIG_WABA, token="EAADEMOBIGWABA", after=jaspers["paging"]["cursors"]["after"])
    assert response.status_code == 400 and "cursor" in error_of(response)["message"]
    assert local.get(BIG_WABA, token="EAADEMOBIGWABA", after="%%%").status_code == 400


def test_after_the_last_item_is_an_empty_page(local: Graph) -> None:
    last = local.get("/v24.0/2000000000000011/phone_numbers").json()["paging"]["cursors"]["after"]
    assert local.get("/v24.0/2000000000000011/phone_numbers", after=last).json() == {"data": []}
