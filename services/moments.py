"""The console's one time zone and its one date format: '2 Dec 2026' and '2 Dec 2026, 14:05 CET'.

The format is the reader's language's (services.language.formatting): '2026年12月2日 14:05 CET' in Chinese.

Every page shows times in the viewer's zone: the browser's, unless the setting `DISPLAY_TIMEZONE` pins one
(`UTC`, or any IANA name such as `Europe/Berlin`). Sentences the services store for later (check results)
are written in UTC and say so, in the same format.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.language import formatting

BROWSER = "browser"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The same format for Streamlit's DatetimeColumn (moment.js tokens), so tables read like sentences. These two are
# the English shapes; column_format() and plotly_format() give the reader's language's.
COLUMN_FORMAT = formatting.ENGLISH_SHAPES.column
# And for Plotly's hover text (d3 tokens); %-d is not portable there, so the day keeps its zero.
PLOTLY_FORMAT = formatting.ENGLISH_SHAPES.plotly


def column_format() -> str:
    """The DatetimeColumn format in the reader's language: 'D MMM YYYY, HH:mm', 'YYYY年M月D日 HH:mm'."""
    return formatting.column_format()


def plotly_format() -> str:
    """Plotly's hover format for dates in the reader's language."""
    return formatting.plotly_format()


def zone(name: str | None) -> tzinfo | None:
    """The zone called `name` (an IANA name or UTC), or None when there is no such zone."""
    if not name:
        return None
    if name.upper() in {"UTC", "Z", "GMT"}:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def display_zone(pinned: str, browser: str | None) -> tzinfo:
    """The zone every page shows: the pinned one, else the browser's, else UTC."""
    if pinned != BROWSER:
        return zone(pinned) or UTC
    return zone(browser) or UTC


def zone_name(tz: tzinfo) -> str:
    """'Europe/Berlin', 'UTC'."""
    return "UTC" if tz is UTC else getattr(tz, "key", None) or str(tz)


def day_words(day: date) -> str:
    """'2 Dec 2026' ('2026年12月2日' in Chinese), whatever the process locale."""
    return formatting.day_text(day)


def moment_words(at: datetime, tz: tzinfo = UTC, *, with_zone: bool = True) -> str:
    """'2 Dec 2026, 14:05 CET' in `tz`."""
    local = at.astimezone(tz)
    text = formatting.moment_text(local)
    return f"{text} {local.tzname()}" if with_zone else text


def local_day(at: datetime, tz: tzinfo = UTC) -> str:
    """The day of `at` in `tz`, as '2 Dec 2026'."""
    return day_words(at.astimezone(tz).date())
