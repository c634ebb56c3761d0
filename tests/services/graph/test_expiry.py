from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.graph.expiry import parse_expiry, spoken


def test_pst_expiry_is_eight_hours_behind_utc():
    moment = parse_expiry("Error validating access token: Session has expired on Tuesday, 24-Nov-26 04:00:00 PST.")
    assert moment == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(0)


def test_pdt_expiry_is_seven_hours_behind_utc():
    message = (
        "Session has expired on Friday, 30-Oct-26 17:00:00 PDT. The current time is Saturday, 31-Oct-26 17:00:00 PDT."
    )
    assert parse_expiry(message) == datetime(2026, 10, 31, 0, 0, tzinfo=UTC)


def test_four_digit_year_without_weekday():
    assert parse_expiry("Session has expired on 05-Mar-2027 23:30:15 PST") == datetime(
        2027, 3, 6, 7, 30, 15, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "message",
    [
        None,
        "",
        "Error validating access token: The session is invalid because the user logged out.",
        "Session has expired on Tuesday, 24-Nov-26 04:00:00 CET.",
        "Session has expired on Tuesday, 31-Feb-26 04:00:00 PST.",
        "Session has expired on Tuesday, 24-Foo-26 04:00:00 PST.",
    ],
)
def test_no_moment_when_the_message_names_none(message):
    assert parse_expiry(message) is None


def test_spoken_is_english_utc_with_an_unpadded_day():
    assert spoken(datetime(2026, 11, 24, 12, 0, tzinfo=UTC)) == "24 Nov 2026, 12:00 UTC"
    pacific = timezone(timedelta(hours=-8))
    assert spoken(datetime(2026, 3, 4, 20, 5, tzinfo=pacific)) == "5 Mar 2026, 04:05 UTC"
