"""Meta's wording of a token's expiry (`Session has expired on Tuesday, 24-Nov-26 04:00:00 PST.`), and ours."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from services.moments import MONTHS, moment_words

# Meta words expiries in Pacific time; the abbreviation says which offset was in force.
ZONES = {"PST": -8, "PDT": -7, "UTC": 0, "GMT": 0}
_EXPIRED_ON = re.compile(
    r"expired on (?:[A-Za-z]+,\s*)?(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})\s+([A-Z]{3})"
)


def parse_expiry(message: str | None) -> datetime | None:
    """The aware UTC moment in Meta's "Session has expired on ..." message, or None if it names none."""
    match = _EXPIRED_ON.search(message or "")
    if match is None:
        return None
    day, month, year, hour, minute, second, zone = match.groups()
    if month.title() not in MONTHS or zone not in ZONES:
        return None
    full_year = int(year) + 2000 if len(year) == 2 else int(year)
    try:
        local = datetime(
            full_year,
            MONTHS.index(month.title()) + 1,
            int(day),
            int(hour),
            int(minute),
            int(second),
            tzinfo=timezone(timedelta(hours=ZONES[zone])),
        )
    except ValueError:
        return None
    return local.astimezone(UTC)


def spoken(moment: datetime) -> str:
    """`24 Nov 2026, 12:00 UTC`: sentences the services write, later read in any zone, say UTC."""
    return moment_words(moment, UTC)
