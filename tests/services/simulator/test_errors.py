"""Meta's error envelope, status codes and Pacific-time wording."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.simulator.errors import GraphFailure, expired_message, http_status_for, pacific


@pytest.mark.parametrize(
    ("code", "status"),
    [(190, 401), (10, 403), (200, 403), (299, 403), (100, 400), (4, 400), (80007, 400), (80008, 400)]
    + [(130429, 400), (1, 500), (2, 503), (131000, 500)],
)
def test_http_status_per_code(code: int, status: int) -> None:
    assert http_status_for(code) == status


def test_pacific_time_in_winter_and_summer() -> None:
    assert pacific(datetime(2026, 11, 24, 12, 0, tzinfo=UTC)) == "Tuesday, 24-Nov-26 04:00:00 PST"
    assert pacific(datetime(2026, 7, 4, 19, 30, 5, tzinfo=UTC)) == "Saturday, 04-Jul-26 12:30:05 PDT"


def test_expired_message_in_metas_form() -> None:
    message = expired_message(datetime(2026, 11, 24, 12, 0, tzinfo=UTC), datetime(2026, 11, 25, 12, 53, tzinfo=UTC))
    assert message == (
        "Error validating access token: Session has expired on Tuesday, 24-Nov-26 04:00:00 PST. "
        "The current time is Wednesday, 25-Nov-26 04:53:00 PST."
    )


def test_envelope_keys() -> None:
    body = GraphFailure(80007, subcode=2494055).body("AbC123")
    assert body == {
        "error": {
            "message": "(#80007) There have been too many calls to this WhatsApp Business account. "
            "Wait a bit and try again.",
            "type": "OAuthException",
            "code": 80007,
            "error_subcode": 2494055,
            "is_transient": True,
            "fbtrace_id": "AbC123",
        }
    }
    assert "is_transient" not in GraphFailure(100, "(#100) x").body("t")["error"]
