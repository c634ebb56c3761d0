"""Demo mode: the in-process simulator signs and posts its changes to the console's own webhook route.

Started once per store and callback URL, after the demo's history is written; it first sends the changes of the
last REPLAY (as if the console had been subscribed all along), then each new one as time passes. The console
stores each change once, however often a restart sends it again.
"""

from __future__ import annotations

import atexit
import threading
from datetime import timedelta

from services.runtime import Console
from services.simulator import Simulator
from services.simulator.webhook_feed import WebhookFeed, start_feed
from services.web.webhooks import WEBHOOK_PATH
from services.webhooks.secrets import webhook_secrets

REPLAY = timedelta(days=15)
# The replay waits until the first visitor's page has loaded: its deliveries would compete with it for the server.
FIRST_AFTER_S = 5.0
_feeds: dict[tuple[str, str], WebhookFeed] = {}
_lock = threading.Lock()


def start(console: Console, *, base_url: str) -> WebhookFeed | None:
    """Feed the demo simulator's webhooks to `base_url` + the webhook path; None outside demo mode."""
    simulator = console.simulator
    if not console.settings.demo or not isinstance(simulator, Simulator):
        return None
    app_secret, _ = webhook_secrets(console.settings)
    if not app_secret:
        return None
    url = base_url.rstrip("/") + WEBHOOK_PATH
    key = (console.settings.database_url, url)
    with _lock:
        if key in _feeds:
            return _feeds[key]
        since = console.clock() - REPLAY
        feed = start_feed(simulator, url=url, app_secret=app_secret, since=since, first_after_s=FIRST_AFTER_S)
        _feeds[key] = feed
    atexit.register(feed.close)
    return feed


def stop_all() -> None:
    with _lock:
        feeds = list(_feeds.values())
        _feeds.clear()
    for feed in feeds:
        feed.close()
