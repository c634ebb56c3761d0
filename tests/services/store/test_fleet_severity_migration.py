"""Migration 0007 on a store that already holds numbers: each gets the health model's verdict, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from services.health.model import Severity
from tests.services.store.revisions import add_account, migrate, store_at

PROBLEM = '[{"entity_type": "WABA", "entity_id": "201", "can_send": "BLOCKED", "error_code": 141006}]'
NUMBERS = {
    # id: (quality, status, can send, problems) -> the verdict expected
    "301": (("GREEN", "CONNECTED", "AVAILABLE", "[]"), Severity.OK),
    "302": (("RED", "CONNECTED", "AVAILABLE", "[]"), Severity.AT_RISK),
    "303": (("GREEN", "CONNECTED", "BLOCKED", PROBLEM), Severity.BLOCKED),
    "304": (("GREEN", None, "AVAILABLE", "[]"), Severity.UNKNOWN),
    "305": (("YELLOW", "CONNECTED", "AVAILABLE", "[]"), Severity.WATCH),
}


@pytest.fixture
def at_0006(empty_store_url: str) -> Iterator[Engine]:
    with store_at(empty_store_url, "0006") as engine:
        yield engine


def test_numbers_stored_before_get_their_verdict_and_the_fleet_order_index(at_0006: Engine) -> None:
    with at_0006.begin() as connection:
        add_account(connection, at="2025-11-20 12:00:00")
        for number_id, ((quality, status, can_send, problems), _) in NUMBERS.items():
            connection.execute(
                text(
                    "INSERT INTO phone_number (id, waba_id, display_phone_number, verified_name, quality_rating, "
                    "throughput_level, status, can_send, health_problems, first_seen_at) VALUES (:id, '201', "
                    "'+1 631-555-0101', 'Jasper', :quality, 'STANDARD', :status, :can_send, :problems, :at)"
                ),
                {"id": number_id, "quality": quality, "status": status, "can_send": can_send, "problems": problems}
                | {"at": "2025-11-20 12:00:00"},
            )
    migrate(at_0006, "0007")
    with at_0006.connect() as connection:
        stored = dict(connection.execute(text("SELECT id, severity FROM phone_number")).all())
        ordered = [row[0] for row in connection.execute(text("SELECT id FROM phone_number ORDER BY severity, id"))]
    assert stored == {number_id: int(verdict) for number_id, (_, verdict) in NUMBERS.items()}
    assert ordered == ["303", "302", "305", "304", "301"]
