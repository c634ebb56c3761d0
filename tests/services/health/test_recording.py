"""The one write path of health history: changes, not repeats, with every poll accounted for and gaps kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from services.graph.types import BusinessAccount, PhoneNumberHealth, QualityRating, ThroughputLevel
from services.health import fleet
from services.health import recording as health
from services.store.models import HealthInterval, PhoneNumber

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
POLL_S = 300
WABA = "2000000000000011"


def reading(number_id: str, quality: str = "GREEN", throughput: str = "STANDARD") -> PhoneNumberHealth:
    return PhoneNumberHealth(
        id=number_id,
        display_phone_number=f"+1 631-555-{number_id[-4:]}",
        verified_name=f"Store {number_id}",
        quality_rating=QualityRating(quality),
        throughput_level=ThroughputLevel(throughput),
        messaging_limit="TIER_10K",
        status="CONNECTED",
    )


def add_waba(session: Session) -> None:
    fleet.upsert_business_account(
        session=session, account=BusinessAccount(WABA, "Jasper's Market"), business_id="1000000000000001", at=T0
    )
    session.commit()


def rows_of(session: Session, number_id: str) -> list[HealthInterval]:
    query = select(HealthInterval).where(HealthInterval.phone_number_id == number_id).order_by(col(HealthInterval.id))
    return list(session.exec(query))


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_week_of_five_minute_polls_with_three_changes_is_a_handful_of_rows(engine: Engine) -> None:
    polls = [T0 + timedelta(seconds=POLL_S * i) for i in range(7 * 24 * 12)]
    drop, recovery, upgrade = polls[600], polls[900], polls[1500]
    outage = polls[1100:1172]  # six hours of failed polls
    observed = [at for at in polls if at not in outage]

    def fleet_at(at: datetime) -> list[PhoneNumberHealth]:
        quality = "YELLOW" if drop <= at < recovery else "GREEN"
        throughput = "HIGH" if at >= upgrade else "STANDARD"
        return [reading("3000000000000101", quality, throughput), reading("3000000000000102")]

    with Session(engine) as session:
        add_waba(session)
        for at in observed:
            health.observe(session=session, waba_id=WABA, numbers=fleet_at(at), at=at, poll_interval_s=POLL_S)
        session.commit()

        changing = rows_of(session, "3000000000000101")
        steady = rows_of(session, "3000000000000102")
        assert len(changing) + len(steady) == 7  # 3 changes + 1 gap on one number, 1 gap on the other
        # Each change at the exact poll that first saw it; the gap where the polls failed.
        assert [(r.since, r.quality_rating, r.throughput_level, r.follows_gap) for r in changing] == [
            (polls[0], "GREEN", "STANDARD", True),
            (drop, "YELLOW", "STANDARD", False),
            (recovery, "GREEN", "STANDARD", False),
            (polls[1172], "GREEN", "STANDARD", True),
            (upgrade, "GREEN", "HIGH", False),
        ]
        assert [r.last_confirmed_at for r in changing] == [
            polls[599],
            polls[899],
            polls[1099],
            polls[1499],
            polls[-1],
        ]
        assert [(r.since, r.last_confirmed_at, r.follows_gap) for r in steady] == [
            (polls[0], polls[1099], True),
            (polls[1172], polls[-1], True),
        ]
        # Every successful poll is counted by exactly one row: no poll time is lost.
        assert sum(r.polls for r in changing) == sum(r.polls for r in steady) == len(observed)
        current = session.get(PhoneNumber, "3000000000000101")
        assert current is not None
        assert (current.quality_rating, current.throughput_level, current.last_polled_at) == (
            "GREEN",
            "HIGH",
            polls[-1],
        )


def test_one_failed_poll_is_a_gap_but_a_late_poll_is_not(session: Session) -> None:
    add_waba(session)
    number = [reading("3000000000000101")]
    at = [T0, T0 + timedelta(minutes=7), T0 + timedelta(minutes=17)]  # 7 min: late; 10 min: one poll missed
    for moment in at:
        health.observe(session=session, waba_id=WABA, numbers=number, at=moment, poll_interval_s=POLL_S)
    session.commit()
    rows = rows_of(session, "3000000000000101")
    assert [(r.since, r.last_confirmed_at, r.polls, r.follows_gap) for r in rows] == [
        (at[0], at[1], 2, True),
        (at[2], at[2], 1, True),
    ]


def test_a_new_number_is_stored_with_its_first_row(session: Session) -> None:
    add_waba(session)
    added = health.observe(
        session=session, waba_id=WABA, numbers=[reading("3000000000000105", "NA")], at=T0, poll_interval_s=POLL_S
    )
    session.commit()
    assert added == 1
    stored = session.get(PhoneNumber, "3000000000000105")
    assert stored is not None
    assert (stored.waba_id, stored.quality_rating, stored.first_seen_at, stored.last_polled_at) == (WABA, "NA", T0, T0)


def test_an_older_answer_arriving_late_changes_nothing(session: Session) -> None:
    add_waba(session)
    later = T0 + timedelta(minutes=5)
    health.observe(session=session, waba_id=WABA, numbers=[reading("3000000000000101")], at=later, poll_interval_s=300)
    added = health.observe(
        session=session, waba_id=WABA, numbers=[reading("3000000000000101", "RED")], at=T0, poll_interval_s=300
    )
    session.commit()
    assert added == 0
    stored = session.get(PhoneNumber, "3000000000000101")
    assert stored is not None
    assert (stored.quality_rating, stored.last_polled_at) == ("GREEN", later)
    assert [(r.since, r.quality_rating) for r in rows_of(session, "3000000000000101")] == [(later, "GREEN")]


def test_a_number_listed_twice_in_one_answer_counts_once(session: Session) -> None:
    add_waba(session)
    twice = [reading("3000000000000101"), reading("3000000000000101")]
    assert health.observe(session=session, waba_id=WABA, numbers=twice, at=T0, poll_interval_s=POLL_S) == 1
    session.commit()
    assert len(rows_of(session, "3000000000000101")) == 1


def test_a_poll_costs_the_same_few_statements_however_many_numbers(engine: Engine) -> None:
    with Session(engine) as session:
        add_waba(session)

    def poll(ids: range, at: datetime, quality: str = "GREEN") -> int:
        numbers = [reading(f"30000000000{i:05d}", quality if i % 2 else "GREEN") for i in ids]
        with Session(engine) as session, statements(engine) as seen:
            health.observe(session=session, waba_id=WABA, numbers=numbers, at=at, poll_interval_s=POLL_S)
            session.commit()
        return len(seen)

    small, large = range(5), range(100, 300)
    first = [poll(small, T0), poll(large, T0)]
    steady = [poll(small, T0 + timedelta(minutes=5)), poll(large, T0 + timedelta(minutes=5))]
    changed = [poll(small, T0 + timedelta(minutes=10), "RED"), poll(large, T0 + timedelta(minutes=10), "RED")]
    # The history lock, two bulk reads, then one statement per kind of write (new numbers and rows: one insert each).
    assert first == [5, 5]
    assert steady == [5, 5]  # lock, reads, last_polled_at for all, last_confirmed_at for all
    assert changed == [7, 7]  # plus the changed numbers (one executemany) and their new rows


def test_history_writers_take_turns_so_the_history_never_forks(store_engine: Engine) -> None:
    engine = store_engine
    with Session(engine) as session:
        add_waba(session)
        health.observe(session=session, waba_id=WABA, numbers=[reading("3000000000000101")], at=T0, poll_interval_s=300)
        session.commit()
    first_wrote = threading.Event()
    red = [reading("3000000000000101", "RED")]

    def first() -> None:  # e.g. the poller: writes, then takes a moment to commit
        with Session(engine) as session:
            at = T0 + timedelta(minutes=5)
            health.observe(session=session, waba_id=WABA, numbers=red, at=at, poll_interval_s=300)
            first_wrote.set()
            time.sleep(0.3)
            session.commit()

    def second() -> None:  # e.g. "Poll now" in the app, a moment later
        first_wrote.wait(5)
        with Session(engine) as session:
            health.observe(
                session=session, waba_id=WABA, numbers=red, at=T0 + timedelta(minutes=10), poll_interval_s=300
            )
            session.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    with Session(engine) as session:
        # Had the second writer read before the first committed, it would have opened a second RED row.
        assert [(r.quality_rating, r.since, r.polls) for r in rows_of(session, "3000000000000101")] == [
            ("GREEN", T0, 1),
            ("RED", T0 + timedelta(minutes=5), 2),
        ]


def test_rows_the_session_already_holds_read_fresh_after_a_poll(session: Session) -> None:
    add_waba(session)
    health.observe(session=session, waba_id=WABA, numbers=[reading("3000000000000101")], at=T0, poll_interval_s=300)
    session.commit()
    held = session.get(PhoneNumber, "3000000000000101")
    newest = health.latest_intervals(session=session, phone_number_ids=["3000000000000101"])["3000000000000101"]
    assert (held is not None, newest.quality_rating) == (True, "GREEN")
    later = T0 + timedelta(minutes=5)
    health.observe(session=session, waba_id=WABA, numbers=[reading("3000000000000101")], at=later, poll_interval_s=300)
    assert (newest.last_confirmed_at, newest.polls) == (later, 2)
    health.observe(
        session=session,
        waba_id=WABA,
        numbers=[reading("3000000000000101", "RED")],
        at=later + timedelta(minutes=5),
        poll_interval_s=300,
    )
    assert held is not None and held.quality_rating == "RED"
    latest = health.latest_intervals(session=session, phone_number_ids=["3000000000000101", "3000000000000999"])
    assert [(key, row.quality_rating, row.since) for key, row in latest.items()] == [
        ("3000000000000101", "RED", later + timedelta(minutes=5))
    ]
