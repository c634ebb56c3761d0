"""Rate-limit usage headers: X-Business-Use-Case-Usage per WABA or business, and X-App-Usage."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

from services.simulator.errors import GraphFailure

# Meta publishes no quota numbers for the WhatsApp Business Management use case; these are ours.
CALLS_PER_HOUR_PER_OBJECT = 1800
CALLS_PER_HOUR_PER_APP = 20000
APP_THROTTLE_CODES = frozenset({4, 17, 32, 613})


def _percent(calls: int, quota: int) -> int:
    return min(99, calls * 100 // quota)


class UsageMeter:
    """Counts calls per object and per app in the current hour of simulated time; not locked (caller locks)."""

    def __init__(self) -> None:
        self._calls: Counter[tuple[str, datetime]] = Counter()

    def headers(self, key: str, now: datetime, failure: GraphFailure | None = None) -> dict[str, str]:
        """Count one call against `key` and return both usage headers."""
        hour = now.replace(minute=0, second=0, microsecond=0)
        if len(self._calls) > 10_000:
            self._calls = Counter({k: v for k, v in self._calls.items() if k[1] == hour})
        self._calls[(key, hour)] += 1
        self._calls[("", hour)] += 1
        wait = failure.retry_after_minutes if failure is not None else None
        object_share = 100 if wait is not None else _percent(self._calls[(key, hour)], CALLS_PER_HOUR_PER_OBJECT)
        app_share = _percent(self._calls[("", hour)], CALLS_PER_HOUR_PER_APP)
        if failure is not None and failure.code in APP_THROTTLE_CODES:
            app_share = 100
        usage = {
            "type": "whatsapp_business_management",
            "call_count": object_share,
            "total_cputime": object_share // 2,
            "total_time": object_share * 2 // 3,
            "estimated_time_to_regain_access": wait or 0,
        }
        app = {"call_count": app_share, "total_cputime": app_share // 2, "total_time": app_share * 2 // 3}
        return {"X-Business-Use-Case-Usage": json.dumps({key: [usage]}), "X-App-Usage": json.dumps(app)}

    def clear(self) -> None:
        self._calls.clear()
