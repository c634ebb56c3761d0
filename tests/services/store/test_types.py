"""UTCDateTime: aware UTC in, aware UTC out, naive refused, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func
from sqlalchemy.exc import StatementError
from sqlmodel import Session, select

from services.store.models import PollRun
from services.store.types import utcnow

NOON_PLUS_2 = datetime(2025, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))


def test_a_datetime_with_an_offset_comes_back_as_the_same_instant_in_utc(store_session: Session) -> None:
    store_session.add(PollRun(started_at=NOON_PLUS_2))
    store_session.commit()
    store_session.expire_all()
    started = store_session.exec(select(PollRun.started_at)).one()
    assert started.tzinfo is not None
    assert started.utcoffset() == timedelta(0)
    assert (started.hour, started) == (10, NOON_PLUS_2)


def test_time_range_queries_compare_instants_not_wall_clocks(store_session: Session) -> None:
    store_session.add(PollRun(started_at=NOON_PLUS_2))
    store_session.commit()
    count = func.count(PollRun.id)
    before = datetime(2025, 6, 1, 11, 30, tzinfo=timezone(timedelta(hours=2)))  # 09:30 UTC
    after = datetime(2025, 6, 1, 10, 30, tzinfo=UTC)
    assert store_session.exec(select(count).where(PollRun.started_at >= before)).one() == 1
    assert store_session.exec(select(count).where(PollRun.started_at >= after)).one() == 0


def test_the_connection_time_zone_does_not_change_what_is_read(store_engine: Engine) -> None:
    with Session(store_engine) as session:
        session.add(PollRun(started_at=NOON_PLUS_2))
        session.commit()
    with store_engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # PostgreSQL hands timestamptz back in the session's zone; the column must still read as UTC.
            connection.exec_driver_sql("SET TIME ZONE 'Asia/Tokyo'")
        started = connection.execute(select(PollRun.started_at)).scalar_one()
    assert (started, started.utcoffset()) == (NOON_PLUS_2, timedelta(0))


def test_a_naive_datetime_is_refused(store_session: Session) -> None:
    store_session.add(PollRun(started_at=datetime(2025, 6, 1, 12, 0)))
    with pytest.raises(StatementError, match="naive datetime") as raised:
        store_session.commit()
    assert isinstance(raised.value.orig, ValueError)


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
