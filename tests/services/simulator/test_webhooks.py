"""The simulator sends webhooks like Meta: signed, in Meta's envelope, retried with backoff; over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.simulator import ManualClock, Simulator, serve
from services.simulator.webhook_feed import scheduled_envelopes, start_feed
from services.simulator.webhooks import WebhookSender
from tests.e2e.servers import free_port
from tests.fixtures.simulator import SIMULATOR_ANCHOR
from tests.webhook_receiver import Receiver, receiving, signed_with

SECRET = "test-app-secret"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as found:
        yield found


def test_a_control_posted_event_arrives_signed_in_metas_envelope(receiver: Receiver) -> None:
    simulator = Simulator(clock=ManualClock(SIMULATOR_ANCHOR), anchor=SIMULATOR_ANCHOR)
    feed = start_feed(simulator, url=receiver.url, app_secret=SECRET)
    ban = {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "DISABLE", "waba_ban_date": "2026-11-02"}}
    with serve(simulator) as running:
        answer = httpx.post(
            f"{running.url}/_simulator/webhooks",
            json={"field": "account_update", "value": ban, "waba_id": "2000000000000021"},
        )
        assert answer.status_code == 202 and answer.json()["queued"] == [1]
        (post,) = receiver.wait_for(1)
        assert simulator.webhooks is not None and simulator.webhooks.wait_idle(5)
        deliveries = httpx.get(f"{running.url}/_simulator/webhooks").json()["deliveries"]
    feed.close()
    assert signed_with(post, SECRET) and not signed_with(post, "another-secret")
    assert post.headers["content-type"] == "application/json"
    assert json.loads(post.body) == {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "2000000000000021",
                "time": int(SIMULATOR_ANCHOR.timestamp()),
                "changes": [{"value": ban, "field": "account_update"}],
            }
        ],
    }
    assert deliveries == [
        {"sequence": 1, "fields": ["account_update"], "attempts": 1, "delivered": True, "last_answer": "200"}
    ]


def test_metas_own_envelope_is_sent_as_given_and_bad_bodies_are_400(receiver: Receiver) -> None:
    simulator = Simulator(clock=ManualClock(SIMULATOR_ANCHOR), anchor=SIMULATOR_ANCHOR)
    given = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "2000000000000011", "time": 1795000000, "changes": [{"field": "x_new", "value": {"a": 1}}]}],
    }
    with serve(simulator) as running:
        not_sending = httpx.post(f"{running.url}/_simulator/webhooks", json=given)
        assert not_sending.status_code == 400 and "--webhook-url" in not_sending.json()["error"]["message"]
        feed = start_feed(simulator, url=receiver.url, app_secret=SECRET)
        assert httpx.post(f"{running.url}/_simulator/webhooks", json=[given]).status_code == 202
        assert httpx.post(f"{running.url}/_simulator/webhooks", json={"field": "x"}).status_code == 400
        assert httpx.post(f"{running.url}/_simulator/webhooks", json={"object": "page", "entry": []}).status_code == 400
        (post,) = receiver.wait_for(1)
    feed.close()
    assert json.loads(post.body) == given and signed_with(post, SECRET)


def test_a_500_is_retried_with_doubling_backoff_until_a_200(receiver: Receiver) -> None:
    receiver.answers = [500, 500, 503]
    sender = WebhookSender(receiver.url, SECRET, attempts=5, first_retry_s=0.1).start()
    sender.send({"object": "whatsapp_business_account", "entry": []})
    posts = receiver.wait_for(4)
    assert sender.wait_idle(5)
    sender.close()
    assert len({post.body for post in posts}) == 1 and all(signed_with(post, SECRET) for post in posts)
    gaps = [later.at - earlier.at for earlier, later in zip(posts, posts[1:], strict=False)]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2 and gaps[2] >= 0.4, gaps
    (outcome,) = sender.outcomes()
    assert (outcome.attempts, outcome.delivered, outcome.last_answer) == (4, True, "200")
    time.sleep(0.3)
    assert len(receiver.posts) == 4, "a delivered webhook is not sent again"


def test_attempts_are_bounded_and_an_unreachable_callback_is_given_up(receiver: Receiver) -> None:
    receiver.answers = [500] * 10
    sender = WebhookSender(receiver.url, SECRET, attempts=3, first_retry_s=0.01).start()
    sender.send({"object": "whatsapp_business_account", "entry": []})
    assert sender.wait_idle(5)
    assert len(receiver.posts) == 3
    nowhere = WebhookSender("http://127.0.0.1:9/webhooks/whatsapp", SECRET, attempts=2, first_retry_s=0.01).start()
    nowhere.send({"object": "whatsapp_business_account", "entry": []})
    assert nowhere.wait_idle(5)
    sender.close()
    nowhere.close()
    assert [(o.attempts, o.delivered, o.last_answer) for o in sender.outcomes()] == [(3, False, "500")]
    assert [(o.attempts, o.delivered, o.last_answer) for o in nowhere.outcomes()] == [(2, False, "ConnectError")]


def test_the_schedules_changes_are_sent_as_the_clock_passes_them(receiver: Receiver) -> None:
    clock = ManualClock(SIMULATOR_ANCHOR - timedelta(days=15))
    simulator = Simulator(clock=clock, anchor=SIMULATOR_ANCHOR)
    feed = start_feed(simulator, url=receiver.url, app_secret=SECRET)
    clock.advance(days=1, hours=1)  # past day -14: Jasper's portfolio limit becomes unlimited
    receiver.wait_for(1)
    clock.advance(days=14)  # past -12 (throughput HIGH), -8 (Aurora's limit) and -2 (a number restricted)
    # Templates' changes go out too (tests/services/simulator/test_templates.py); here the numbers' are checked.
    posts = receiver.wait_for(len(scheduled_envelopes(simulator, SIMULATOR_ANCHOR - timedelta(days=15), clock())))
    feed.close()
    assert all(signed_with(post, SECRET) for post in posts)
    sent = [
        (e["entry"][0]["id"], e["entry"][0]["time"], numbers)
        for e in receiver.envelopes()
        if (numbers := [c for c in e["entry"][0]["changes"] if not c["field"].startswith("message_template")])
    ]
    day = 86400
    anchor = int(SIMULATOR_ANCHOR.timestamp())
    assert sent == [
        (
            "2000000000000011",
            anchor - 14 * day,
            [
                {
                    "field": "business_capability_update",
                    "value": {"max_daily_conversations_per_business": "TIER_UNLIMITED"},
                }
            ],
        ),
        (
            "2000000000000011",
            anchor - 12 * day,
            [
                {
                    "field": "phone_number_quality_update",
                    "value": {
                        "display_phone_number": "16315550101",
                        "event": "THROUGHPUT_UPGRADE",
                        "max_daily_conversations_per_business": "TIER_UNLIMITED",
                    },
                }
            ],
        ),
        (
            "2000000000000021",
            anchor - 8 * day,
            [{"field": "business_capability_update", "value": {"max_daily_conversations_per_business": "TIER_10K"}}],
        ),
        (
            "2000000000000021",
            anchor - 2 * day,
            [
                {
                    "field": "account_update",
                    "value": {
                        "phone_number": "12125550107",
                        "event": "ACCOUNT_RESTRICTION",
                        "restriction_info": [
                            {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": anchor + 5 * day}
                        ],
                    },
                }
            ],
        ),
    ]


def test_python_m_services_simulator_sends_webhooks(receiver: Receiver, tmp_path: Path) -> None:
    """The command line: --webhook-url and --app-secret, the schedule replayed and a control-posted event."""
    port = free_port()
    args = [sys.executable, "-m", "services.simulator", "--port", str(port), "--webhook-url", receiver.url]
    args += ["--app-secret", SECRET, "--replay-days", "3"]
    log = (tmp_path / "simulator.log").open("wb")
    process = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        # In the last 3 days: number 107 restricted, and a template's quality dropped.
        replayed = receiver.wait_for(2, timeout_s=30)
        events = [json.loads(p.body)["entry"][0]["changes"][0]["value"].get("event") for p in replayed]
        assert "ACCOUNT_RESTRICTION" in events
        _post_when_up(f"http://127.0.0.1:{port}/_simulator/webhooks", {"field": "account_alerts", "value": {}})
        posts = receiver.wait_for(3)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
    assert all(signed_with(post, SECRET) for post in posts)
    assert json.loads(posts[2].body)["entry"][0]["changes"] == [{"value": {}, "field": "account_alerts"}]
    assert SECRET not in (tmp_path / "simulator.log").read_text()
    assert datetime.fromtimestamp(json.loads(posts[2].body)["entry"][0]["time"], UTC) <= datetime.now(UTC)


def _post_when_up(url: str, body: dict) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            assert httpx.post(url, json=body, timeout=5).status_code == 202
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_feed_told_to_wait_sends_its_replay_only_after_that_wait(receiver: Receiver) -> None:
    simulator = Simulator(clock=ManualClock(SIMULATOR_ANCHOR), anchor=SIMULATOR_ANCHOR)
    since = SIMULATOR_ANCHOR - timedelta(days=15)
    replay = scheduled_envelopes(simulator, since, SIMULATOR_ANCHOR)
    started = time.monotonic()
    feed = start_feed(simulator, url=receiver.url, app_secret=SECRET, since=since, first_after_s=1.0)
    time.sleep(0.5)
    assert receiver.posts == [], "the replay went out before the wait was over"
    posts = receiver.wait_for(len(replay))
    feed.close()
    assert posts[0].at - started >= 1.0
    assert receiver.envelopes() == replay
