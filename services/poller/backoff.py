"""When the poller must leave a credential alone: Meta's rate-limit waits, kept in the store.

A wait is written into the poll run's errors (kind `rate_limited`, with `retry_at`), and every
later cycle reads the recent runs back. So the wait holds for whichever process polls next (the
poller after a restart or a lease takeover, a "Poll now" click in any app replica), not only for
the process that was told to wait. A skipped credential writes its wait again, which carries it
forward for as long as it lasts.

Waits come from Meta's errors (the client reads X-Business-Use-Case-Usage for their length) and,
before any error, from the same header on successful answers: when a WABA's usage nears its
quota the poller gives it one interval of rest.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlmodel import Session, col, select

from services.graph.usage import BUC_HEADER, regain_access_s
from services.store.models import PollRun

RATE_LIMITED = "rate_limited"
# Older runs are not read; a longer wait survives because each skipped cycle writes it again.
LOOKBACK = timedelta(hours=6)
# Meta throttles a business object at 100% of any of its usage figures; rest before reaching it.
USAGE_CEILING = 90


def waits(*, session: Session, now: datetime) -> dict[int, tuple[datetime, str]]:
    """Credential id -> (until when, Meta's sentence) for every rate-limit wait still running at `now`."""
    found: dict[int, tuple[datetime, str]] = {}
    # A run without errors is "ok"; reading only the others keeps this one small query per cycle.
    recent = (col(PollRun.started_at) >= now - LOOKBACK, col(PollRun.status) != "ok")
    runs = session.exec(select(PollRun.errors).where(*recent))
    for errors in runs:
        for error in errors:
            if error.get("kind") != RATE_LIMITED or not error.get("retry_at"):
                continue
            until = datetime.fromisoformat(error["retry_at"])
            credential_id = int(error["credential_id"])
            if until > now and (credential_id not in found or until > found[credential_id][0]):
                found[credential_id] = (until, str(error.get("sentence", "")))
    return found


def wait_entry(*, credential_id: int, waba_id: str | None, until: datetime, sentence: str) -> dict[str, Any]:
    """The poll-run error that makes later cycles skip the credential until `until`."""
    return {
        "credential_id": credential_id,
        "waba_id": waba_id,
        "kind": RATE_LIMITED,
        "sentence": sentence,
        "retry_at": until.isoformat(),
    }


def _busiest(raw: str) -> int:
    try:
        usage = json.loads(raw)
    except ValueError:
        return 0
    shares = [0]
    if isinstance(usage, Mapping):
        for entries in usage.values():
            for entry in entries if isinstance(entries, list) else [entries]:
                if isinstance(entry, Mapping):
                    for name in ("call_count", "total_cputime", "total_time"):
                        value = entry.get(name)
                        if isinstance(value, int | float) and not isinstance(value, bool):
                            shares.append(int(value))
    return max(shares)


class UsageWatch:
    """Notes, from each answer's usage header, which WABAs are near Meta's quota (the cycle client's response hook)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._crowded: dict[str, float] = {}  # WABA id -> seconds Meta says to stay away (0: none named)

    def note(self, response: httpx.Response) -> None:
        raw = response.headers.get(BUC_HEADER)
        if response.status_code == 200 and raw and _busiest(raw) >= USAGE_CEILING:
            parts = response.request.url.path.strip("/").split("/")
            waba_id = parts[1] if len(parts) >= 2 else ""
            with self._lock:
                self._crowded[waba_id] = regain_access_s(response.headers) or 0.0

    def crowded(self, waba_id: str) -> float | None:
        """Seconds to rest this WABA (0: one interval) if its last answer showed usage near the quota."""
        with self._lock:
            return self._crowded.get(waba_id)
