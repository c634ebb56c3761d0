"""The fleet counted by SQL aggregates: by severity, status, business portfolio and WABA, and portfolio limits."""

from sqlmodel import Session

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
from tests.health_history import T0, number, record
from tests.services.health.big_fleet import build_fleet


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


def test_the_counts_by_waba_and_status_read_indexes_only(session: Session) -> None:
    """What keeps the overview's cost flat: neither count reads the numbers' rows (SQLite's plan for the queries)."""
    from sqlalchemy import text
    from sqlalchemy.dialects import sqlite

    from services.health.fleet_counts import status_count_query, waba_count_query

    build_fleet(session, wabas=3, per_waba=20)
    for query in (waba_count_query(), status_count_query()):
        sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        assert "COVERING INDEX" in plan and "TEMP B-TREE" not in plan, f"{sql}: {plan}"


def test_the_overview_reads_businesses_and_limits_from_one_count(store_session: Session) -> None:
    from services.health.fleet_counts import businesses_and_limits

    build_fleet(store_session, wabas=3, per_waba=4)
    assert businesses_and_limits(session=store_session) == (
        by_business(session=store_session),
        portfolio_limits(session=store_session),
    )
