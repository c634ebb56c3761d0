"""The poller lease: one holder per database, taken over after it expires; atomic on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from services.poller import lease as poller_lease
from services.simulator import ManualClock
from services.store.engine import create_store_engine

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
TTL = timedelta(minutes=10)


def test_only_one_poller_holds_the_lease_until_it_expires(store_engine: Engine) -> None:
    assert poller_lease.acquire(engine=store_engine, holder="a", ttl=TTL, now=NOW)
    assert not poller_lease.acquire(engine=store_engine, holder="b", ttl=TTL, now=NOW + timedelta(minutes=1))
    assert poller_lease.renew(engine=store_engine, holder="a", ttl=TTL, now=NOW + timedelta(minutes=5))
    # Renewed at 12:05, so still a's at 12:14; b takes it over once it has lapsed.
    assert not poller_lease.acquire(engine=store_engine, holder="b", ttl=TTL, now=NOW + timedelta(minutes=14))
    assert poller_lease.acquire(engine=store_engine, holder="b", ttl=TTL, now=NOW + timedelta(minutes=16))
    assert not poller_lease.renew(engine=store_engine, holder="a", ttl=TTL, now=NOW + timedelta(minutes=17))

    lease = poller_lease.current(engine=store_engine, now=NOW + timedelta(minutes=17))
    assert lease is not None
    assert (lease.holder, lease.acquired_at, lease.expires_at) == (
        "b",
        NOW + timedelta(minutes=16),
        NOW + timedelta(minutes=26),
    )


def test_renewing_keeps_when_the_lease_was_first_taken(store_engine: Engine) -> None:
    poller_lease.acquire(engine=store_engine, holder="a", ttl=TTL, now=NOW)
    poller_lease.renew(engine=store_engine, holder="a", ttl=TTL, now=NOW + timedelta(minutes=5))
    lease = poller_lease.current(engine=store_engine, now=NOW + timedelta(minutes=6))
    assert lease is not None
    assert (lease.acquired_at, lease.expires_at) == (NOW, NOW + timedelta(minutes=15))


def test_a_released_lease_is_free_at_once_but_only_its_holder_can_release_it(store_engine: Engine) -> None:
    poller_lease.acquire(engine=store_engine, holder="a", ttl=TTL, now=NOW)
    poller_lease.release(engine=store_engine, holder="b")
    assert not poller_lease.acquire(engine=store_engine, holder="b", ttl=TTL, now=NOW)
    poller_lease.release(engine=store_engine, holder="a")
    assert poller_lease.current(engine=store_engine, now=NOW) is None
    assert poller_lease.acquire(engine=store_engine, holder="b", ttl=TTL, now=NOW)


def test_renewing_a_released_lease_does_not_take_it_back(store_engine: Engine) -> None:
    poller_lease.acquire(engine=store_engine, holder="a", ttl=TTL, now=NOW)
    poller_lease.release(engine=store_engine, holder="a")
    assert not poller_lease.renew(engine=store_engine, holder="a", ttl=TTL, now=NOW)
    assert poller_lease.current(engine=store_engine, now=NOW) is None


def _eventually(condition: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_heartbeat_renews_the_lease_from_its_own_thread_until_stopped(store_engine: Engine) -> None:
    clock, ttl = ManualClock(NOW), poller_lease.LEASE_TTL
    assert poller_lease.acquire(engine=store_engine, holder="a", ttl=ttl, now=NOW)

    def expires_at() -> datetime | None:
        lease = poller_lease.current(engine=store_engine, now=NOW)
        return lease.expires_at if lease else None

    with poller_lease.Heartbeat(engine=store_engine, holder="a", clock=clock, ttl=ttl, every_s=0.01) as heartbeat:
        for minutes in (1, 2, 3):  # three minutes against a one-minute lease
            clock.set(NOW + timedelta(minutes=minutes))
            assert _eventually(lambda: expires_at() == clock() + ttl)  # noqa: B023
            assert not poller_lease.acquire(engine=store_engine, holder="b", ttl=ttl, now=clock())
    assert not heartbeat.beating
    clock.set(NOW + timedelta(minutes=10))
    time.sleep(0.05)
    assert expires_at() == NOW + timedelta(minutes=3) + ttl  # no beat after stop()


def test_a_heartbeat_whose_lease_another_holder_took_stops_and_says_so(store_engine: Engine) -> None:
    clock = ManualClock(NOW)
    poller_lease.acquire(engine=store_engine, holder="a", ttl=TTL, now=NOW)
    heartbeat = poller_lease.Heartbeat(engine=store_engine, holder="a", clock=clock, ttl=TTL, every_s=0.01)
    with heartbeat:
        poller_lease.release(engine=store_engine, holder="a")
        assert poller_lease.acquire(engine=store_engine, holder="b", ttl=TTL, now=NOW)
        assert heartbeat.lost.wait(10)
        assert not heartbeat.beating
    lease = poller_lease.current(engine=store_engine, now=NOW)
    assert lease is not None and lease.holder == "b"


def test_leases_of_different_names_do_not_block_each_other(store_engine: Engine) -> None:
    assert poller_lease.acquire(engine=store_engine, holder="a", ttl=TTL, now=NOW)
    assert poller_lease.acquire(engine=store_engine, holder="b", ttl=TTL, now=NOW, name="demo-bootstrap")
    assert not poller_lease.acquire(engine=store_engine, holder="c", ttl=TTL, now=NOW, name="demo-bootstrap")


def test_processes_racing_for_a_new_lease_get_exactly_one_winner(store_url: str) -> None:
    # One engine per contender, as separate processes (app replicas) would have; all start together.
    engines = [create_store_engine(store_url) for _ in range(6)]
    start, won = threading.Barrier(len(engines)), []

    def contend(index: int, engine: Engine) -> None:
        start.wait()
        if poller_lease.acquire(engine=engine, holder=f"replica-{index}", ttl=TTL, now=NOW):
            won.append(index)

    threads = [threading.Thread(target=contend, args=(i, e)) for i, e in enumerate(engines)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(won) == 1
        lease = poller_lease.current(engine=engines[0], now=NOW)
        assert lease is not None and lease.holder == f"replica-{won[0]}"
    finally:
        for engine in engines:
            engine.dispose()


def test_processes_racing_for_an_expired_lease_get_exactly_one_winner(store_url: str) -> None:
    engines = [create_store_engine(store_url) for _ in range(6)]
    poller_lease.acquire(engine=engines[0], holder="gone", ttl=TTL, now=NOW)
    later = NOW + TTL + timedelta(seconds=1)
    start, won = threading.Barrier(len(engines)), []

    def contend(index: int, engine: Engine) -> None:
        start.wait()
        if poller_lease.acquire(engine=engine, holder=f"replica-{index}", ttl=TTL, now=later):
            won.append(index)

    threads = [threading.Thread(target=contend, args=(i, e)) for i, e in enumerate(engines)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(won) == 1
    finally:
        for engine in engines:
            engine.dispose()


def test_a_holder_id_names_the_host_and_process_and_fits_the_column() -> None:
    first, second = poller_lease.holder_id(), poller_lease.holder_id("demo-poller")
    assert first.startswith("poller@") and second.startswith("demo-poller@")
    assert first != poller_lease.holder_id()
    assert len(first) <= 64 and len(second) <= 64
