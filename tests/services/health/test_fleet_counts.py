"""The fleet counted by SQL aggregates: by severity, status, business portfolio and WABA, and portfolio limits."""

from datetime import timedelta

from sqlalchemy import event, text
from sqlmodel import Session

from services.health import fleet_counts
from services.health.fleet_counts import (
    Group,
    Portfolio,
    by_business,
    by_severity,
    by_status,
    by_waba,
    portfolio_limits,
)
from services.health.model import Severity
from services.store.models import PhoneNumber
from tests.health_history import T0, WABA_ID, number, record
from tests.services.health.big_fleet import build_fleet, number_id, waba_id


def test_an_empty_fleet_counts_zero_at_every_severity(store_session: Session) -> None:
    assert by_severity(session=store_session) == dict.fromkeys(Severity, 0)
    assert by_business(session=store_session) == [] and portfolio_limits(session=store_session) == []


def test_counts_by_severity_status_business_and_waba(store_session: Session) -> None:
    build_fleet(store_session, wabas=4, per_waba=30, banned=(2,))
    assert by_severity(session=store_session) == {
        Severity.BLOCKED: 30,
        Severity.AT_RISK: 0,
        Severity.WATCH: 1,
        Severity.UNKNOWN: 0,
        Severity.OK: 89,
    }
    assert by_status(session=store_session) == {"CONNECTED": 120}
    assert by_business(session=store_session) == [
        Group("900000", "Acme Retail", 60, 30),
        Group("900001", "Bright Foods", 60, 1),
    ]
    wabas = by_waba(session=store_session)
    assert [(g.name, g.numbers, g.needing_attention) for g in wabas] == [
        ("Brand 00", 30, 0),
        ("Brand 01", 30, 1),
        ("Brand 02", 30, 30),
        ("Brand 03", 30, 0),
    ]


def test_a_waba_in_no_known_portfolio_counts_as_its_own(store_session: Session) -> None:
    record(store_session, [(T0, [number("301", status=None), number("302")])])
    assert by_business(session=store_session) == [Group("waba:2000000000000011", "Jasper's Market", 2, 0)]
    assert by_status(session=store_session) == {None: 1, "CONNECTED": 1}


def test_portfolio_limits_come_from_the_newest_poll_with_a_count_of_numbers(store_session: Session) -> None:
    build_fleet(store_session, wabas=4, per_waba=10)
    raised = T0.replace(hour=13)
    record(store_session, [(raised, [number("301", limit="TIER_100K")])])
    assert portfolio_limits(session=store_session) == [
        Portfolio("900000", "Acme Retail", "10,000 customers a day", 20),
        Portfolio("900001", "Bright Foods", "10,000 customers a day", 20),
        Portfolio("waba:2000000000000011", "Jasper's Market", "100,000 customers a day", 1),
    ]


def _live_counts(session: Session) -> list[tuple[object, ...]]:
    """The fleet counted from the numbers themselves, the way the tally keys it."""
    query = text(
        "SELECT waba_id, COALESCE(messaging_limit, ''), severity, COALESCE(status, ''), COUNT(*) FROM phone_number "
        "GROUP BY waba_id, COALESCE(messaging_limit, ''), severity, COALESCE(status, '') ORDER BY 1, 2, 3, 4"
    )
    return [tuple(row) for row in session.execute(query)]


def _tally(session: Session) -> list[tuple[object, ...]]:
    query = text(
        "SELECT waba_id, messaging_limit, severity, status, numbers FROM fleet_tally WHERE numbers > 0 "
        "ORDER BY 1, 2, 3, 4"
    )
    return [tuple(row) for row in session.execute(query)]


def test_the_tally_follows_every_write_of_a_number(store_session: Session) -> None:
    """Polls, a webhook's ORM write, a raw update and a delete: the database keeps the tally equal to a count."""
    build_fleet(store_session, wabas=3, per_waba=5)
    assert _tally(store_session) == _live_counts(store_session) and sum(r[-1] for r in _tally(store_session)) == 15
    record(
        store_session,
        [(T0 + timedelta(hours=1), [number("301", "RED", limit="TIER_100K"), number("302", status=None)])],
    )
    polled = T0 + timedelta(hours=2)  # the same health again: only the poll time moves
    record(store_session, [(polled, [number("301", "RED", limit="TIER_100K"), number("302", status=None)])])
    newest = "SELECT MAX(newest_poll) FROM fleet_tally WHERE waba_id = :w"
    assert fleet_counts._aware(store_session.execute(text(newest), {"w": WABA_ID}).scalar()) == polled
    changed = store_session.get(PhoneNumber, number_id(1, 0))
    assert changed is not None
    changed.status, changed.severity = "PENDING", int(Severity.AT_RISK)
    store_session.add(changed)
    store_session.commit()
    store_session.execute(text("UPDATE phone_number SET messaging_limit = NULL WHERE waba_id = :w"), {"w": waba_id(2)})
    for table, column in (("phone_number_health", "phone_number_id"), ("phone_number", "id")):
        store_session.execute(text(f"DELETE FROM {table} WHERE {column} = :n"), {"n": number_id(0, 4)})
    store_session.commit()
    assert _tally(store_session) == _live_counts(store_session)
    assert sum(by_severity(session=store_session).values()) == 16
    assert by_status(session=store_session) == {"CONNECTED": 14, "PENDING": 1, None: 1}
    assert sum(g.numbers for g in by_waba(session=store_session)) == 16


def test_the_counts_read_the_tally_not_the_numbers(store_session: Session) -> None:
    """What keeps the overview's cost flat: no count reads `phone_number`, whose rows grow with the fleet."""
    from services.health.fleet_counts import businesses_and_limits

    build_fleet(store_session, wabas=3, per_waba=20)
    seen: list[str] = []

    def statement(conn: object, cursor: object, sql: str, *args: object) -> None:
        seen.append(sql)

    engine = store_session.get_bind()
    event.listen(engine, "before_cursor_execute", statement)
    try:
        by_severity(session=store_session)
        by_status(session=store_session)
        businesses_and_limits(session=store_session)
    finally:
        event.remove(engine, "before_cursor_execute", statement)
    assert seen and not [sql for sql in seen if "phone_number" in sql], seen


def test_the_overview_reads_businesses_and_limits_from_one_count(store_session: Session) -> None:
    from services.health.fleet_counts import businesses_and_limits

    build_fleet(store_session, wabas=3, per_waba=4)
    assert businesses_and_limits(session=store_session) == (
        by_business(session=store_session),
        portfolio_limits(session=store_session),
    )
