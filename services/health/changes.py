"""Changes in a number's health, in words.

'quality dropped from Green · high to Yellow · medium on 20 Nov 2026, 14:05 UTC'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

import pandas as pd

from services.graph.types import QualityRating, ThroughputLevel
from services.health.vocabulary import field_words
from services.language.translate import _, lazy
from services.moments import moment_words
from services.store.models import HealthInterval

# Every messaging limit Meta has used, lowest first (2025 dropped the 1K tier and added 2K).
LIMIT_LADDER = ("TIER_50", "TIER_250", "TIER_1K", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED")
FIELDS = (
    ("quality", "quality_rating"),
    ("throughput", "throughput_level"),
    ("messaging limit", "messaging_limit"),
    ("status", "status"),
    ("verified name", "verified_name"),
    ("can send", "can_send"),
)
_CAN_SEND_RANK = {"BLOCKED": 0, "LIMITED": 1, "AVAILABLE": 2}
# The fields as a change sentence names them (FIELDS' names are the keys).
FIELD_NAMES = {
    "quality": lazy("quality"),
    "throughput": lazy("throughput"),
    "messaging limit": lazy("messaging limit"),
    "status": lazy("status"),
    "verified name": lazy("verified name"),
    "can send": lazy("can send"),
}


def _direction(what: str, before: str | None, after: str | None) -> str:
    if what == "quality":
        low, high = QualityRating.parse(before).rank, QualityRating.parse(after).rank
        if max(low, high) > 2:
            return "changed"  # to or from "not yet rated": neither better nor worse
    elif what == "throughput":
        low = ThroughputLevel.parse(before).messages_per_second or 0
        high = ThroughputLevel.parse(after).messages_per_second or 0
    elif what == "messaging limit" and before in LIMIT_LADDER and after in LIMIT_LADDER:
        low, high = LIMIT_LADDER.index(before), LIMIT_LADDER.index(after)
    elif what == "can send" and before in _CAN_SEND_RANK and after in _CAN_SEND_RANK:
        low, high = _CAN_SEND_RANK[before], _CAN_SEND_RANK[after]
    else:
        return "changed"
    return "rose" if high > low else "dropped" if high < low else "changed"


@dataclass(frozen=True)
class Change:
    """One field of a number's health changing; `unwatched_since` is set when it changed while nobody watched."""

    phone_number_id: str
    at: datetime
    what: str  # quality | throughput | messaging limit | status | verified name | can send
    before: str | None
    after: str | None
    unwatched_since: datetime | None = None

    @property
    def direction(self) -> str:
        """rose | dropped | changed."""
        return _direction(self.what, self.before, self.after)

    def describe(self, tz: tzinfo) -> str:
        """'quality dropped from Green · high to Yellow · medium on 20 Nov 2026, 14:05 UTC'."""
        words = {
            "what": str(FIELD_NAMES.get(self.what, self.what)),
            "before": field_words(self.what, self.before),
            "after": field_words(self.what, self.after),
            "moment": moment_words(self.at, tz),
        }
        direction = self.direction
        if self.unwatched_since is not None:
            start = moment_words(self.unwatched_since, tz, with_zone=False)
            if direction == "rose":
                return _(
                    "{what} rose from {before} to {after} between {start} and {moment} (not monitored)",
                    start=start,
                    **words,
                )
            if direction == "dropped":
                return _(
                    "{what} dropped from {before} to {after} between {start} and {moment} (not monitored)",
                    start=start,
                    **words,
                )
            return _(
                "{what} changed from {before} to {after} between {start} and {moment} (not monitored)",
                start=start,
                **words,
            )
        if direction == "rose":
            return _("{what} rose from {before} to {after} on {moment}", **words)
        if direction == "dropped":
            return _("{what} dropped from {before} to {after} on {moment}", **words)
        return _("{what} changed from {before} to {after} on {moment}", **words)


def changes(rows: Sequence[HealthInterval], *, start: datetime, end: datetime) -> list[Change]:
    """Every field change inside [start, end] between consecutive rows (in `history.read` order), oldest first."""
    found: list[Change] = []
    for before, after in zip(rows, rows[1:], strict=False):
        if before.phone_number_id != after.phone_number_id or not start <= after.since <= end:
            continue
        unwatched = before.last_confirmed_at if after.follows_gap else None
        for what, attribute in FIELDS:
            old, new = getattr(before, attribute), getattr(after, attribute)
            if old != new:
                found.append(Change(after.phone_number_id, after.since, what, old, new, unwatched))
    return sorted(found, key=lambda change: (change.at, change.phone_number_id))


def changes_table(found: Sequence[Change], *, labels: Mapping[str, str], tz: tzinfo) -> pd.DataFrame:
    """The changes newest first, one sentence each, times in the viewer's time zone."""
    newest_first = list(reversed(found))
    return pd.DataFrame(
        {
            _("When"): pd.to_datetime([c.at for c in newest_first], utc=True).tz_convert(tz),
            _("Number"): [labels.get(c.phone_number_id, c.phone_number_id) for c in newest_first],
            _("Change"): [c.describe(tz) for c in newest_first],
        }
    )
