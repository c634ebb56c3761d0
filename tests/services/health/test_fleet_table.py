"""The fleet table a page at a time: order, totals, search and filters in SQL, and a cost that follows the page."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, timedelta

from sqlalchemy import event
from sqlmodel import Session

from services.health.fleet_table import NO_STATUS, FleetQuery, fleet_page, parse_query
from services.health.model import Severity
from tests.health_history import T0, number, record
from tests.services.health.big_fleet import build_fleet, number_id

NOW = T0 + timedelta(minutes=5)


def _page(session: Session, **query: object) -> list[str]:
    return [row.number.id for row in fleet_page(session=session, query=FleetQuery(**query), now=NOW, tz=UTC).rows]  # type: ignore[arg-type]


def test_pages_are_worst_first_with_the_total_and_the_page_count(store_session: Session) -> None:
    build_fleet(store_session, wabas=4, per_waba=30, banned=(2,))
    first = fleet_page(session=store_session, query=FleetQuery(page_size=50), now=NOW, tz=UTC)
    assert (first.total, first.pages, len(first.rows)) == (120, 3, 50)
    assert [row.number.id for row in first.rows[:30]] == [number_id(2, n) for n in range(30)]
    assert {row.severity for row in first.rows[:30]} == {Severity.BLOCKED}
    assert first.rows[30].number.id == number_id(1, 0) and first.rows[30].severity is Severity.WATCH
    assert first.rows[30].business_account == "Brand 01"
    last = fleet_page(session=store_session, query=FleetQuery(page=3), now=NOW, tz=UTC)
    assert len(last.rows) == 20 and last.query.page == 3
    past = fleet_page(session=store_session, query=FleetQuery(page=99), now=NOW, tz=UTC)
    assert past.query.page == 3 and [r.number.id for r in past.rows] == [r.number.id for r in last.rows]
    every = _page(store_session, page=1) + _page(store_session, page=2) + _page(store_session, page=3)
    assert len(set(every)) == 120


def test_search_and_filters_narrow_the_total(store_session: Session) -> None:
    build_fleet(store_session, wabas=4, per_waba=30, banned=(2,))
    assert fleet_page(session=store_session, query=FleetQuery(search="brand 03"), now=NOW, tz=UTC).total == 30
    assert fleet_page(session=store_session, query=FleetQuery(search="bright foods"), now=NOW, tz=UTC).total == 60
    blocked = FleetQuery(severities=(Severity.BLOCKED, Severity.WATCH))
    assert fleet_page(session=store_session, query=blocked, now=NOW, tz=UTC).total == 31
    assert _page(store_session, severities=(Severity.WATCH,)) == [number_id(1, 0)]
    assert _page(store_session, business="900001", severities=(Severity.BLOCKED,)) == []
    assert len(_page(store_session, business="900000", severities=(Severity.BLOCKED,))) == 30
    assert len(_page(store_session, waba="200000000003")) == 30
    assert len(_page(store_session, statuses=("CONNECTED",), page_size=200)) == 120
    assert _page(store_session, statuses=(NO_STATUS,)) == []


def test_a_number_without_a_status_is_found_by_the_none_filter(store_session: Session) -> None:
    record(store_session, [(T0, [number("301", status=None), number("302")])])
    assert _page(store_session, statuses=(NO_STATUS,)) == ["301"]
    assert _page(store_session, statuses=(NO_STATUS, "CONNECTED")) == ["301", "302"]


def test_strips_are_read_for_the_page_shown(store_session: Session) -> None:
    build_fleet(store_session, wabas=2, per_waba=3, at=T0 - timedelta(days=1))
    build_fleet(store_session, wabas=2, per_waba=3, at=T0)
    page = fleet_page(session=store_session, query=FleetQuery(), now=NOW, tz=UTC)
    assert page.days[-1] == NOW.date() and len(page.days) == 14
    assert page.rows[0].daily_worst[-2:] == [Severity.WATCH, Severity.WATCH]
    assert page.rows[-1].daily_worst[:12] == [None] * 12


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    """Every SQL statement the session's engine runs inside the block."""
    engine = session.get_bind()
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _cost(session: Session) -> tuple[int, int]:
    session.expunge_all()
    with _statements(session) as seen:
        page = fleet_page(session=session, query=FleetQuery(search="store"), now=NOW, tz=UTC)
    return len(seen), len(page.rows) + len(session.identity_map)


def test_the_cost_of_a_page_follows_the_page_not_the_fleet(store_session: Session) -> None:
    build_fleet(store_session, wabas=2, per_waba=50)
    small = _cost(store_session)
    build_fleet(store_session, wabas=50, per_waba=100, at=T0 + timedelta(minutes=1))
    large = _cost(store_session)
    assert small == large  # the same statements, and the same 50 rows loaded, for 100 numbers and 5,000


def test_a_link_is_read_into_a_query_and_back(store_session: Session) -> None:
    query, notices = parse_query({"q": ["  lucky   shrub "], "severity": ["blocked,watch"], "page": ["3"]})
    assert notices == []
    assert query == FleetQuery(search="lucky shrub", severities=(Severity.BLOCKED, Severity.WATCH), page=3)
    assert query.query_params() == {"q": "lucky shrub", "severity": "blocked,watch", "page": "3"}
    assert parse_query({})[0] == FleetQuery()
    odd, notices = parse_query({"severity": ["red"], "page": ["-2"]})
    assert odd == FleetQuery() and notices == [
        "Unknown health “red” in the link, left out.",
        "“-2” is not a page number; showing the first page.",
    ]
