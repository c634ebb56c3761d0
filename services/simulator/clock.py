"""A clock that only moves when told to: the simulator's (and the poller's) time in tests."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta


class ManualClock:
    """Call it for the current time; `advance()` and `set()` move it. Aware UTC only."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime (UTC).")
        self._now = now
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move forward by seconds (and/or timedelta keywords such as hours=2); returns the new time."""
        with self._lock:
            self._now += timedelta(seconds=seconds, **delta)
            return self._now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime (UTC).")
        with self._lock:
            self._now = now
