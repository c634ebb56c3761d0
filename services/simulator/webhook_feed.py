"""The schedule's changes as the webhooks Meta sends for them, fed to a sender as simulated time passes.

Meta sends a webhook for only some of what the schedule changes, and so do we:
- a portfolio messaging limit -> `business_capability_update` (`max_daily_conversations_per_business`);
- throughput raised to HIGH -> `phone_number_quality_update` with event THROUGHPUT_UPGRADE;
- a number restricted -> `account_update` with event ACCOUNT_RESTRICTION and its `restriction_info`.
Quality ratings and `health_status` problems have no webhook of their own: the console learns them by polling.
Templates' scripted changes go out as Meta sends them (`templates.scheduled_events`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from services.simulator.app import Simulator
from services.simulator.portfolio import Number
from services.simulator.schedule import Health
from services.simulator.templates import scheduled_events
from services.simulator.webhooks import WebhookSender, envelope

RESTRICTION = "RESTRICTED_BIZ_INITIATED_MESSAGING"
RESTRICTION_DAYS = 7
TICK_S = 1.0
log = logging.getLogger(__name__)
Change = tuple[str, dict[str, Any]]


def _digits(number: Number) -> str:
    return "".join(ch for ch in number.display_phone_number if ch.isdigit())


def _changes(number: Number, before: Health, after: Health, at: datetime) -> Iterator[Change]:
    if after.limit != before.limit:
        yield "business_capability_update", {"max_daily_conversations_per_business": after.limit}
    if after.throughput == "HIGH" != before.throughput:
        value = {"display_phone_number": _digits(number), "event": "THROUGHPUT_UPGRADE"}
        yield "phone_number_quality_update", value | {"max_daily_conversations_per_business": after.limit}
    if after.status == "RESTRICTED" != before.status:
        expiration = int((at + timedelta(days=RESTRICTION_DAYS)).timestamp())
        restriction = [{"restriction_type": RESTRICTION, "expiration": expiration}]
        yield (
            "account_update",
            {
                "phone_number": _digits(number),
                "event": "ACCOUNT_RESTRICTION",
                "restriction_info": restriction,
            },
        )


def scheduled_envelopes(simulator: Simulator, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The envelopes Meta would send for the schedule's changes in (start, end], oldest first, one per WABA and time."""
    grouped: dict[tuple[datetime, str], list[Change]] = {}
    for number in simulator.portfolio.numbers.values():
        steps = simulator.history(number.id, start, end)
        for (_, before), (at, after) in zip(steps, steps[1:], strict=False):
            found = grouped.setdefault((at, number.waba_id), [])
            # Numbers of one portfolio share its limit: the WABA hears of a new limit once.
            found += [change for change in _changes(number, before, after, at) if change not in found]
    for at, waba_id, event in scheduled_events(simulator.templates, simulator.anchor, start, end):
        grouped.setdefault((at, waba_id), []).append(event)
    return [envelope(waba, changes, at) for (at, waba), changes in sorted(grouped.items()) if changes]


class WebhookFeed:
    """A thread that hands the sender each scheduled change once the simulated clock has passed it."""

    def __init__(
        self, simulator: Simulator, sender: WebhookSender, *, since: datetime | None = None, first_after_s: float = 0.0
    ) -> None:
        self.simulator = simulator
        self._first_after_s = first_after_s
        self.sender = sender
        self._since = since or simulator.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="simulator-webhook-feed", daemon=True)

    def start(self) -> WebhookFeed:
        self.sender.start()
        self._thread.start()
        return self

    def feed_until(self, now: datetime) -> int:
        """Send what changed since the last call (a clock moved back sends nothing); how many envelopes."""
        since, self._since = self._since, now
        if now <= since:
            return 0
        envelopes = scheduled_envelopes(self.simulator, since, now)
        for payload in envelopes:
            self.sender.send(payload)
        return len(envelopes)

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        self.sender.close()

    def _run(self) -> None:
        if self._stop.wait(self._first_after_s):
            return
        while True:
            try:
                self.feed_until(self.simulator.now())
            except Exception:  # a bad tick must not end the feed
                log.exception("the webhook feed could not read the schedule")
            if self._stop.wait(TICK_S):
                return


def start_feed(
    simulator: Simulator,
    *,
    url: str,
    app_secret: str,
    since: datetime | None = None,
    first_after_s: float = 0.0,
    **sender: Any,
) -> WebhookFeed:
    """Sign and post the schedule's changes after `since` (default: now), and control-posted events, to `url`;
    the schedule's first changes go `first_after_s` after the start."""
    feed = WebhookFeed(simulator, WebhookSender(url, app_secret, **sender), since=since, first_after_s=first_after_s)
    simulator.webhooks = feed.sender
    return feed.start()
