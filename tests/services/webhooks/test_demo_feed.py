"""Demo mode: the in-process simulator posts its recent changes, signed with the demo's app secret, to the console."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from services.runtime import Console
from services.settings import DEMO, Settings
from services.simulator import ManualClock, Simulator
from services.webhooks import demo_feed
from services.webhooks.secrets import demo_webhook_secrets
from tests.fixtures.simulator import SIMULATOR_ANCHOR
from tests.webhook_receiver import Posted, Receiver, receiving, signed_with


def _console(tmp_path: Path, *, graph_api_url: str = DEMO) -> Console:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'console.sqlite'}",
        graph_api_url=graph_api_url,
        graph_api_version="v24.0",
        secret_key=None,
        poll_interval_seconds=300,
        data_dir=tmp_path / "data",
    )
    clock = ManualClock(SIMULATOR_ANCHOR + timedelta(minutes=10))
    simulator = Simulator(clock=clock, anchor=SIMULATOR_ANCHOR)
    return Console(settings=settings, engine=None, graph=None, vault=None, clock=clock, simulator=simulator)  # type: ignore[arg-type]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as found:
        yield found
    demo_feed.stop_all()


def test_the_demo_posts_the_last_15_days_to_its_own_route_signed_with_its_secret(
    tmp_path: Path, receiver: Receiver
) -> None:
    console = _console(tmp_path)
    base_url = receiver.url.removesuffix("/webhooks/whatsapp")
    feed = demo_feed.start(console, base_url=base_url + "/")
    assert feed is not None and demo_feed.start(console, base_url=base_url) is feed  # once per store and URL
    template_fields = {"message_template_status_update", "message_template_quality_update"}

    def fields_of(posts: list[Posted]) -> list[str]:
        return [json.loads(p.body)["entry"][0]["changes"][0]["field"] for p in posts]

    with receiver.arrived:
        assert receiver.arrived.wait_for(
            lambda: len([f for f in fields_of(receiver.posts) if f not in template_fields]) >= 4, timeout=10.0
        ), receiver.posts
        posts = list(receiver.posts)
    app_secret, _ = demo_webhook_secrets(console.settings)
    assert all(signed_with(post, app_secret) for post in posts)
    fields = fields_of(posts)
    assert [f for f in fields if f not in template_fields] == [
        "business_capability_update",
        "phone_number_quality_update",
    ] + [
        "business_capability_update",
        "account_update",
    ]
    # The demo's templates are paused, rejected and disabled within those days, and say so by webhook too.
    assert "message_template_status_update" in fields
    assert console.simulator.webhooks is feed.sender  # type: ignore[union-attr]  # control-posted events go there too


def test_outside_demo_mode_nothing_is_sent(tmp_path: Path, receiver: Receiver) -> None:
    console = _console(tmp_path, graph_api_url="https://graph.facebook.com")
    assert demo_feed.start(console, base_url=receiver.url) is None
    demo = _console(tmp_path)
    assert demo_feed.start(replace(demo, simulator=None), base_url=receiver.url) is None
    assert receiver.posts == []
