"""A shared cycle's work rows: the tick, publishing once, claiming without overlap, lapsed claims, done once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.poller import work
from services.store.models import PollWork

NOW = datetime(2026, 11, 20, 12, 7, 30, tzinfo=UTC)
TICK = datetime(2026, 11, 20, 12, 5, tzinfo=UTC)
TTL = timedelta(seconds=60)
WABAS = [f"29{n:014d}" for n in range(30)]


def rows(engine: Engine) -> list[PollWork]:
    with Session(engine) as session:
        return list(session.exec(select(PollWork).order_by(col(PollWork.waba_id))))


def test_every_poller_computes_the_same_tick_from_the_interval_boundary() -> None:
    assert work.tick_of(NOW, 300) == TICK
    assert work.tick_of(TICK, 300) == TICK
    assert work.tick_of(TICK - timedelta(microseconds=1), 300) == TICK - timedelta(seconds=300)


def test_only_postgresql_shares_cycles(store_engine: Engine) -> None:
    assert work.shares_cycles(store_engine) is (store_engine.dialect.name == "postgresql")


def test_the_first_poller_of_a_tick_writes_its_work_and_a_second_writes_nothing(store_engine: Engine) -> None:
    assert work.publish(engine=store_engine, tick=TICK, waba_ids=WABAS) == len(WABAS)
    assert work.publish(engine=store_engine, tick=TICK, waba_ids=[*WABAS, "2900000000000999"]) == 1
    assert len(rows(store_engine)) == len(WABAS) + 1
    assert {row.cycle_at for row in rows(store_engine)} == {TICK}


def test_claims_never_overlap_and_a_lapsed_claim_is_free_for_another_poller(store_engine: Engine) -> None:
    work.publish(engine=store_engine, tick=TICK, waba_ids=WABAS)
    first = work.claim(engine=store_engine, tick=TICK, holder="a", limit=10, now=NOW, ttl=TTL)
    second = work.claim(engine=store_engine, tick=TICK, holder="b", limit=100, now=NOW, ttl=TTL)
    assert (len(first), len(second)) == (10, 20) and not set(first) & set(second)
    assert work.claim(engine=store_engine, tick=TICK, holder="c", limit=100, now=NOW, ttl=TTL) == []
    assert not work.claimable(engine=store_engine, tick=TICK, now=NOW)

    # "a" renews while it reads; "b" dies: only b's claims lapse.
    later = NOW + TTL - timedelta(seconds=1)
    assert work.renew(engine=store_engine, tick=TICK, holder="a", now=later, ttl=TTL) == 10
    lapsed = NOW + TTL + timedelta(seconds=1)
    assert work.claimable(engine=store_engine, tick=TICK, now=lapsed)
    taken = work.claim(engine=store_engine, tick=TICK, holder="c", limit=100, now=lapsed, ttl=TTL)
    assert taken == second
    assert {row.waba_id: row.attempts for row in rows(store_engine)} == {w: 2 if w in second else 1 for w in WABAS}


def test_only_the_holder_marks_its_work_done_and_only_once(store_engine: Engine) -> None:
    work.publish(engine=store_engine, tick=TICK, waba_ids=WABAS[:4])
    mine = work.claim(engine=store_engine, tick=TICK, holder="a", limit=4, now=NOW, ttl=TTL)
    lapsed = NOW + TTL + timedelta(seconds=1)
    taken = work.claim(engine=store_engine, tick=TICK, holder="b", limit=2, now=lapsed, ttl=TTL)
    with Session(store_engine) as session:
        done = work.finish(session=session, tick=TICK, holder="a", waba_ids=mine, at=lapsed)
        session.commit()
    assert done == set(mine) - set(taken)  # "a" records only what is still its own
    with Session(store_engine) as session:
        assert work.finish(session=session, tick=TICK, holder="a", waba_ids=mine, at=lapsed) == set()
        assert work.finish(session=session, tick=TICK, holder="b", waba_ids=taken, at=lapsed) == set(taken)
        session.commit()
    assert work.progress(engine=store_engine, tick=TICK) == (4, 4)


def test_a_poller_told_to_stop_hands_its_claims_back_at_once(store_engine: Engine) -> None:
    work.publish(engine=store_engine, tick=TICK, waba_ids=WABAS[:3])
    work.claim(engine=store_engine, tick=TICK, holder="a", limit=3, now=NOW, ttl=TTL)
    work.release(engine=store_engine, tick=TICK, holder="a")
    assert work.claim(engine=store_engine, tick=TICK, holder="b", limit=3, now=NOW, ttl=TTL) == WABAS[:3]


def test_old_work_rows_are_pruned(store_engine: Engine) -> None:
    work.publish(engine=store_engine, tick=TICK - timedelta(days=2), waba_ids=WABAS[:2])
    work.publish(engine=store_engine, tick=TICK, waba_ids=WABAS[:2])
    assert work.prune(engine=store_engine, now=NOW) == 2
    assert {row.cycle_at for row in rows(store_engine)} == {TICK}


@pytest.mark.postgres
def test_pollers_claiming_at_once_on_postgresql_take_every_row_exactly_once(postgres_databases: object) -> None:
    from services.store.engine import create_store_engine

    url = postgres_databases.migrated()  # type: ignore[attr-defined]
    engine = create_store_engine(url)
    try:
        work.publish(engine=engine, tick=TICK, waba_ids=[f"29{n:014d}" for n in range(400)])
        claimed: dict[str, list[str]] = {name: [] for name in "abcdef"}
        start = threading.Barrier(len(claimed))

        def take(name: str) -> None:
            start.wait()
            while ids := work.claim(engine=engine, tick=TICK, holder=name, limit=7, now=NOW, ttl=TTL):
                claimed[name] += ids

        threads = [threading.Thread(target=take, args=(name,)) for name in claimed]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        every = [waba for ids in claimed.values() for waba in ids]
        assert len(every) == len(set(every)) == 400
        assert sum(1 for ids in claimed.values() if ids) > 1  # they really ran side by side
    finally:
        engine.dispose()
        postgres_databases.drop(url)  # type: ignore[attr-defined]
