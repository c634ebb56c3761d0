"""How long Meta asks us to wait: X-Business-Use-Case-Usage (minutes per business object) or Retry-After."""

from __future__ import annotations

import json
from collections.abc import Mapping

BUC_HEADER = "X-Business-Use-Case-Usage"


def _minutes(entries: object) -> list[float]:
    if not isinstance(entries, list):
        entries = [entries]
    found = []
    for entry in entries:
        if isinstance(entry, Mapping):
            value = entry.get("estimated_time_to_regain_access")
            if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
                found.append(float(value))
    return found


def regain_access_s(headers: Mapping[str, str]) -> float | None:
    """Seconds until Meta lets this business call again, from the usage header; None when it names no wait."""
    raw = headers.get(BUC_HEADER)
    if raw:
        try:
            usage = json.loads(raw)
        except ValueError:
            usage = None
        if isinstance(usage, Mapping):
            minutes = [m for entries in usage.values() for m in _minutes(entries)]
            if minutes and max(minutes) > 0:
                return max(minutes) * 60.0
    retry_after = (headers.get("Retry-After") or "").strip()
    if retry_after.isdigit() and int(retry_after) > 0:
        return float(retry_after)
    return None
