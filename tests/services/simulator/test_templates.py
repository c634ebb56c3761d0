"""Message templates as Meta serves them: the edge with its paging and filters, the demo's scripted changes, the
control API that changes a template now, and the signed webhooks Meta sends for each change (over real HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.simulator import ManualClock, Simulator, serve
from services.simulator.webhook_feed import scheduled_envelopes, start_feed
from tests.fixtures.simulator import SIMULATOR_ANCHOR
from tests.services.simulator.conftest import Graph, error_of
from tests.webhook_receiver import Receiver, receiving, signed_with

JASPERS = "2000000000000011"
LUCKY_SHRUB = "2000000000000012"
AURORA = "2000000000000021"
BIG = "2000000000000031"
FIELDS = "name,language,status,category,quality_score,rejected_reason"
SECRET = "test-app-secret"
DAY = timedelta(days=1)


def _templates(graph: Graph, waba: str, token: str = "EAADEMOTOKEN", **params: Any) -> dict[str, Any]:
    answer = graph.get(f"/v24.0/{waba}/message_templates", token=token, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _by_name(graph: Graph, waba: str, name: str, language: str) -> dict[str, Any]:
    rows = _templates(graph, waba, fields=FIELDS, limit=100)["data"]
    (row,) = [r for r in rows if (r["name"], r["language"]) == (name, language)]
    return row


def test_260_templates_of_the_big_waba_take_three_pages_at_limit_100(graph: Graph) -> None:
    pages = [_templates(graph, BIG, token="EAADEMOBIGWABA", limit=100, fields="name,status")]
    while "next" in pages[-1]["paging"]:
        next_url = pages[-1]["paging"]["next"]
        assert next_url.startswith(str(graph.http.base_url).rstrip("/")) and "after=" in next_url
        pages.append(graph.http.get(next_url, headers={"Authorization": "Bearer EAADEMOBIGWABA"}).json())
    assert [len(p["data"]) for p in pages] == [100, 100, 60]
    ids = [t["id"] for p in pages for t in p["data"]]
    assert len(set(ids)) == 260
    assert all(set(t) == {"name", "status", "id"} for p in pages for t in p["data"])
    assert set(pages[1]["paging"]["cursors"]) == {"before", "after"} and "previous" in pages[1]["paging"]
    # Meta's default page is 25 templates.
    assert len(_templates(graph, BIG, token="EAADEMOBIGWABA")["data"]) == 25


def test_a_template_has_metas_fields_and_shapes(local: Graph) -> None:
    row = _by_name(local, JASPERS, "order_confirmation", "es")
    assert set(row) == {"name", "language", "status", "category", "quality_score", "rejected_reason", "id"}
    assert (row["status"], row["category"], row["rejected_reason"]) == ("APPROVED", "UTILITY", "NONE")
    assert row["quality_score"]["score"] == "GREEN" and isinstance(row["quality_score"]["date"], int)
    assert row["id"].isdigit() and len(row["id"]) >= 15
    default = _templates(local, JASPERS, limit=1)["data"][0]
    assert list(default) == ["name", "components", "language", "status", "category", "id"]
    assert default["name"] == "hello_world" and default["components"][0]["type"] == "BODY"
    wrong = local.get(f"/v24.0/{JASPERS}/message_templates", fields="name,secret_sauce")
    assert error_of(wrong)["message"] == (
        "(#100) Tried accessing nonexisting field (secret_sauce) on node type (WhatsAppBusinessHSM)"
    )
    nested = local.get(f"/v24.0/{JASPERS}", fields="id,message_templates.limit(3){name,status}").json()
    assert [t["name"] for t in nested["message_templates"]["data"]] == [
        "hello_world",
        "order_confirmation",
        "order_confirmation",
    ]
    assert "next" in nested["message_templates"]["paging"]


def test_the_demo_wabas_hold_a_realistic_mix(local: Graph) -> None:
    rows = [
        r for waba in (JASPERS, LUCKY_SHRUB, AURORA) for r in _templates(local, waba, limit=100, fields=FIELDS)["data"]
    ]
    assert 30 <= len(rows) <= 40
    assert {r["category"] for r in rows} == {"MARKETING", "UTILITY", "AUTHENTICATION"}
    assert {"zh_CN", "en_US", "es", "pt_BR"} <= {r["language"] for r in rows}
    # At the anchor: one disabled, one rejected, one red, the rest sendable.
    states = {(r["name"], r["language"]): (r["status"], r["quality_score"]["score"]) for r in rows}
    assert states[("garden_flash_sale", "zh_CN")] == ("DISABLED", "RED")
    assert states[("bakery_weekly_menu", "pt_BR")] == ("REJECTED", "UNKNOWN")
    assert states[("coffee_club_offer", "es")] == ("APPROVED", "RED")
    assert states[("spring_sale", "en_US")] == ("APPROVED", "GREEN")
    rejected = _by_name(local, JASPERS, "bakery_weekly_menu", "pt_BR")
    assert rejected["rejected_reason"] == "INVALID_FORMAT"


def test_filters_by_status_category_language_and_part_of_the_name(local: Graph) -> None:
    marketing = _templates(local, AURORA, category="MARKETING", fields="name,category", limit=100)["data"]
    assert marketing and all(t["category"] == "MARKETING" for t in marketing)
    chinese = _templates(local, AURORA, language="zh_CN", fields="language", limit=100)["data"]
    assert chinese and all(t["language"] == "zh_CN" for t in chinese)
    assert [t["name"] for t in _templates(local, LUCKY_SHRUB, status="DISABLED", fields="name")["data"]] == [
        "garden_flash_sale"
    ]
    assert {t["name"] for t in _templates(local, JASPERS, name="ORDER", fields="name")["data"]} == {
        "order_confirmation",
        "order_shipped",
    }


def test_spring_sale_is_paused_for_three_hours_ten_days_before_the_anchor(local: Graph) -> None:
    paused_at = SIMULATOR_ANCHOR - 10 * DAY
    local.clock.set(paused_at - timedelta(minutes=1))
    assert _by_name(local, JASPERS, "spring_sale", "en_US")["status"] == "APPROVED"
    local.clock.set(paused_at + timedelta(hours=2, minutes=59))
    during = _by_name(local, JASPERS, "spring_sale", "en_US")
    assert (during["status"], during["quality_score"]["score"]) == ("PAUSED", "YELLOW")
    local.clock.set(paused_at + timedelta(hours=3))
    assert _by_name(local, JASPERS, "spring_sale", "en_US")["status"] == "APPROVED"
    local.clock.set(SIMULATOR_ANCHOR - 8 * DAY)
    names = {t["name"] for t in _templates(local, JASPERS, fields="name", limit=100)["data"]}
    assert "bakery_weekly_menu" not in names  # listed from its submission on, 7 days before the anchor


def test_the_scripted_changes_become_metas_template_webhooks() -> None:
    simulator = Simulator(clock=ManualClock(SIMULATOR_ANCHOR), anchor=SIMULATOR_ANCHOR)
    envelopes = scheduled_envelopes(simulator, SIMULATOR_ANCHOR - 35 * DAY, SIMULATOR_ANCHOR)
    changes = [
        (datetime.fromtimestamp(e["entry"][0]["time"], UTC), c["field"], c["value"])
        for e in envelopes
        for c in e["entry"][0]["changes"]
        if c["field"].startswith("message_template")
    ]
    spring = [(at, value) for at, _, value in changes if value["message_template_name"] == "spring_sale"]
    pause_at = SIMULATOR_ANCHOR - 10 * DAY
    assert [(at, v.get("event"), v.get("new_quality_score")) for at, v in spring] == [
        (SIMULATOR_ANCHOR - 12 * DAY, None, "YELLOW"),
        (pause_at, "PAUSED", None),
        (pause_at + timedelta(hours=3), "REINSTATED", None),
        (SIMULATOR_ANCHOR - 4 * DAY, None, "GREEN"),
    ]
    paused = spring[1][1]
    assert paused["other_info"]["title"] == "FIRST_PAUSE" and "3 hours" in paused["other_info"]["description"]
    assert paused["message_template_category"] == "MARKETING" and isinstance(paused["message_template_id"], int)
    assert spring[2][1]["other_info"]["title"] == "UNPAUSE"
    garden = [v for _, _, v in changes if v["message_template_name"] == "garden_flash_sale" and "event" in v]
    assert [(v["event"], v.get("other_info", {}).get("title")) for v in garden] == [
        ("PAUSED", "FIRST_PAUSE"),
        ("REINSTATED", "UNPAUSE"),
        ("PAUSED", "SECOND_PAUSE"),
        ("REINSTATED", "UNPAUSE"),
        ("DISABLED", "DISABLED"),
    ]
    assert garden[-1]["disable_info"] == {"disable_date": int((SIMULATOR_ANCHOR - 3 * DAY).timestamp())}
    (rejected,) = [v for _, _, v in changes if v.get("event") == "REJECTED"]
    assert rejected["reason"] == "INVALID_FORMAT" and rejected["rejection_info"]["reason"] == "INVALID_FORMAT"
    quality = [v for _, f, v in changes if f == "message_template_quality_update"]
    assert {"previous_quality_score", "new_quality_score", "message_template_language"} <= set(quality[0])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as found:
        yield found


def test_the_control_api_pauses_a_template_now_and_meta_s_webhook_is_sent_signed(receiver: Receiver) -> None:
    clock = ManualClock(SIMULATOR_ANCHOR)
    simulator = Simulator(clock=clock, anchor=SIMULATOR_ANCHOR)
    feed = start_feed(simulator, url=receiver.url, app_secret=SECRET)
    token = {"Authorization": "Bearer EAADEMOTOKEN"}
    try:
        with serve(simulator) as running:
            listing = httpx.get(f"{running.url}/_simulator/templates", params={"waba_id": AURORA}).json()["templates"]
            (offer,) = [t for t in listing if (t["name"], t["language"]) == ("coffee_club_offer", "en_US")]
            body = {"template_id": offer["id"], "status": "PAUSED", "title": "FIRST_PAUSE", "quality": "RED"}
            answer = httpx.post(f"{running.url}/_simulator/templates", json=body)
            assert answer.status_code == 200, answer.text
            assert answer.json()["status"] == "PAUSED" and answer.json()["queued"] == [1]
            edge = httpx.get(
                f"{running.url}/v24.0/{AURORA}/message_templates",
                params={"fields": FIELDS, "limit": 100},
                headers=token,
            ).json()["data"]
            (served,) = [t for t in edge if t["id"] == offer["id"]]
            assert (served["status"], served["quality_score"]["score"]) == ("PAUSED", "RED")
            (post,) = receiver.wait_for(1)
            assert signed_with(post, SECRET)
            changes = json.loads(post.body)["entry"][0]["changes"]
            assert [c["field"] for c in changes] == [
                "message_template_quality_update",
                "message_template_status_update",
            ]
            status = changes[1]["value"]
            assert (status["event"], status["message_template_id"], status["other_info"]["title"]) == (
                "PAUSED",
                int(offer["id"]),
                "FIRST_PAUSE",
            )
            assert changes[0]["value"]["previous_quality_score"] == "GREEN"
            # By name and language too; a bad body says what to send.
            back = {"name": "coffee_club_offer", "language": "en_US", "status": "APPROVED", "title": "UNPAUSE"}
            assert httpx.post(f"{running.url}/_simulator/templates", json=back).json()["status"] == "APPROVED"
            (_, again) = receiver.wait_for(2)
            assert json.loads(again.body)["entry"][0]["changes"][0]["value"]["event"] == "REINSTATED"
            unknown = httpx.post(f"{running.url}/_simulator/templates", json={"template_id": "1", "status": "PAUSED"})
            assert unknown.status_code == 400 and "No template has the ID" in unknown.json()["error"]["message"]
            empty = httpx.post(f"{running.url}/_simulator/templates", json={"template_id": offer["id"]})
            assert empty.status_code == 400 and "template_id" in empty.json()["error"]["message"]
            # A reset forgets control changes.
            httpx.post(f"{running.url}/_simulator/reset")
            listing = httpx.get(f"{running.url}/_simulator/templates", params={"waba_id": AURORA}).json()["templates"]
            assert [t["status"] for t in listing if t["id"] == offer["id"]] == ["APPROVED"]
    finally:
        feed.close()
