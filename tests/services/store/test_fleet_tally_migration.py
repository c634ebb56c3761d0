"""Migration 0013 on a store that already holds numbers: the tally counted from them, each number's latest recovery
read from its history, and the triggers keeping the tally from then on (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from tests.services.store.revisions import add_account, migrate, store_at

T1, T2, T3 = "2025-11-20 12:00:00", "2025-11-21 12:00:00", "2025-11-22 12:00:00"
# id: (quality and status now, its history as (since, quality)); YELLOW needs attention, GREEN does not.
NUMBERS = {
    "301": (("GREEN", "CONNECTED"), [(T1, "YELLOW"), (T2, "GREEN")]),  # recovered at T2
    "302": (("GREEN", "CONNECTED"), [(T1, "GREEN")]),  # never needed attention
    "303": (("YELLOW", None), [(T1, "GREEN"), (T2, "YELLOW")]),  # needs attention now
    "304": (("YELLOW", "CONNECTED"), [(T1, "YELLOW"), (T2, "GREEN"), (T3, "YELLOW")]),  # recovered at T2, relapsed
}


@pytest.fixture
def at_0012(empty_store_url: str) -> Iterator[Engine]:
    with store_at(empty_store_url, "0012") as engine:
        yield engine


def _fill(engine: Engine) -> None:
    with engine.begin() as connection:
        add_account(connection, at=T1)
        for number_id, ((quality, status), history) in NUMBERS.items():
            connection.execute(
                text(
                    "INSERT INTO phone_number (id, waba_id, display_phone_number, verified_name, quality_rating, "
                    "throughput_level, messaging_limit, status, can_send, health_problems, first_seen_at, "
                    "last_polled_at, severity) VALUES (:id, '201', '+1 631-555-0101', 'Jasper', :quality, "
                    "'STANDARD', 'TIER_10K', :status, 'AVAILABLE', '[]', :at, :at, :severity)"
                ),
                {"id": number_id, "quality": quality, "status": status, "at": T1}
                | {"severity": 2 if quality == "YELLOW" else (3 if status is None else 4)},
            )
            for since, rated in history:
                connection.execute(
                    text(
                        "INSERT INTO phone_number_health (phone_number_id, since, last_confirmed_at, polls, "
                        "follows_gap, quality_rating, throughput_level, messaging_limit, status, verified_name, "
                        "can_send, health_problems, learned_by) VALUES (:id, :since, :since, 1, false, :quality, "
                        "'STANDARD', 'TIER_10K', 'CONNECTED', 'Jasper', 'AVAILABLE', '[]', 'poll')"
                    ),
                    {"id": number_id, "since": since, "quality": rated},
                )


def _tally(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        query = "SELECT messaging_limit, severity, status, numbers FROM fleet_tally WHERE numbers > 0 ORDER BY 2, 3"
        return [tuple(row) for row in connection.execute(text(query))]


def test_the_tally_is_counted_and_recoveries_read_from_history_on_upgrade(at_0012: Engine) -> None:
    _fill(at_0012)
    migrate(at_0012, "0013")
    assert _tally(at_0012) == [("TIER_10K", 2, "", 1), ("TIER_10K", 2, "CONNECTED", 1), ("TIER_10K", 4, "CONNECTED", 2)]
    with at_0012.connect() as connection:
        rows = connection.execute(text("SELECT id, recovered_at FROM phone_number ORDER BY id")).all()
    recovered = {number_id: moment for number_id, moment in rows if moment is not None}
    assert list(recovered) == ["301", "304"]  # 304's stays recorded; the overview skips a number needing attention
    moment = recovered["301"]
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    assert moment.replace(tzinfo=UTC) == datetime(2025, 11, 21, 12, tzinfo=UTC)

    with at_0012.begin() as connection:  # from now on the database keeps the tally
        connection.execute(text("UPDATE phone_number SET status = 'CONNECTED', severity = 4 WHERE id = '303'"))
    assert _tally(at_0012) == [("TIER_10K", 2, "CONNECTED", 1), ("TIER_10K", 4, "CONNECTED", 3)]
