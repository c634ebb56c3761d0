from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from services.moments import display_zone, local_day, moment_words, zone_name


def test_one_format_for_days_and_moments_whatever_the_zone() -> None:
    at = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert moment_words(at) == "2 Dec 2026, 23:30 UTC"
    assert moment_words(at, ZoneInfo("Europe/Berlin")) == "3 Dec 2026, 00:30 CET"
    assert moment_words(at, ZoneInfo("America/New_York"), with_zone=False) == "2 Dec 2026, 18:30"
    assert local_day(at, ZoneInfo("Asia/Shanghai")) == "3 Dec 2026"
    assert local_day(datetime(2027, 1, 9, tzinfo=UTC)) == "9 Jan 2027"  # no zero before the day


@pytest.mark.parametrize(
    ("pinned", "browser", "expected"),
    [
        ("browser", "Europe/Berlin", "Europe/Berlin"),
        ("browser", None, "UTC"),
        ("browser", "Not/AZone", "UTC"),
        ("UTC", "Europe/Berlin", "UTC"),
        ("Asia/Shanghai", "Europe/Berlin", "Asia/Shanghai"),
    ],
)
def test_the_viewers_zone_is_the_browsers_unless_pinned(pinned: str, browser: str | None, expected: str) -> None:
    assert zone_name(display_zone(pinned, browser)) == expected
