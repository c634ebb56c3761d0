from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event
from sqlmodel import Session, select

from services.graph.types import PhoneNumberHealth
from services.health.fleet_table import FleetQuery, fleet_page
from services.health.model import Severity
from services.health.overview import ATTENTION_READ, SAMPLES_PER_WABA, fleet_health, number_label
from services.store.models import Credential, PhoneNumber
from tests.health_history import T0, WABA_ID, number, record, spam_limit, waba_payment_problem
from tests.services.health.big_fleet import build_fleet, number_id

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
NOW = T0


def _between(at: datetime, start_days: float, end_days: float) -> bool:
    return NOW + timedelta(days=start_days) <= at < NOW + timedelta(days=end_days)


def _poll(at: datetime) -> list[PhoneNumberHealth]:
    """Ten days of seven numbers, each with its own story (offsets in days before NOW)."""
    return [
        number("301", "YELLOW" if at >= NOW - 2 * DAY else "GREEN"),  # dropped 2 days ago
        number("302", "RED" if at >= NOW - 3 * DAY else "GREEN"),  # dropped to RED 3 days ago
        number("303", "YELLOW", status="FLAGGED"),  # Meta's retired state: something to watch, nothing more
        number(
            "304",
            "GREEN",
            status="BANNED" if at >= NOW - DAY else "CONNECTED",
            can_send="BLOCKED" if at >= NOW - DAY else "AVAILABLE",
        ),
        number(
            "305",
            can_send="LIMITED" if _between(at, -5, -4) else "AVAILABLE",
            problems=(spam_limit("305"),) if _between(at, -5, -4) else (),
        ),  # limited, recovered 4 days ago
        number("306", "NA", status="PENDING"),
        number("307", "GREEN", status="SOMETHING_NEW"),  # a value Meta adds later: unknown, never healthy
    ]


def _ten_days(session: Session) -> None:
    polls = []
    at = NOW - 10 * DAY
    while at <= NOW:
        polls.append((at, _poll(at)))
        at += HOUR
    record(session, polls, poll_interval_s=3600)


def _credential(number_id: str, name: str, last4: str, **token: object) -> Credential:
    fingerprint = f"{name}-fingerprint"
    return Credential(
        name=name,
        business_id="1000000000000001",
        waba_id=WABA_ID,
        phone_number_id=number_id,
        token_ciphertext="not a real ciphertext",
        token_last4=last4,
        token_fingerprint=fingerprint,
        **token,  # type: ignore[arg-type]
    )


def test_the_fleet_is_listed_worst_first_by_severity(store_session: Session) -> None:
    _ten_days(store_session)
    page = fleet_page(session=store_session, query=FleetQuery(), now=NOW, tz=UTC)
    order = [(row.number.id, row.severity) for row in page.rows]
    assert order == [
        ("304", Severity.BLOCKED),
        ("302", Severity.AT_RISK),
        ("306", Severity.AT_RISK),
        ("301", Severity.WATCH),
        ("303", Severity.WATCH),
        ("307", Severity.UNKNOWN),
        ("305", Severity.OK),
    ]
    assert page.rows[0].business_account == "Jasper's Market"
    assert fleet_health(session=store_session, now=NOW, tz=UTC).unknown == 1


def test_each_number_has_a_fourteen_day_strip_of_its_worst_severity_per_day(store_session: Session) -> None:
    _ten_days(store_session)
    page = fleet_page(session=store_session, query=FleetQuery(), now=NOW, tz=UTC)
    assert len(page.days) == 14 and page.days[-1] == NOW.date()
    strips = {row.number.id: row.daily_worst for row in page.rows}
    ok, watch, risk = Severity.OK, Severity.WATCH, Severity.AT_RISK
    assert strips["301"] == [None] * 3 + [ok] * 8 + [watch] * 3
    # 305 was limited from 15 Nov 12:00 to 16 Nov 12:00: both days show it.
    assert strips["305"] == [None] * 3 + [ok] * 5 + [risk, risk] + [ok] * 4
    assert strips["304"][-2:] == [Severity.BLOCKED] * 2


def test_needs_attention_has_one_entry_per_number_worst_first_with_since_and_advice(store_session: Session) -> None:
    session = store_session
    _ten_days(session)
    session.add(_credential("301", "Main", "ABCD", token_expires_at=NOW + 3 * DAY))
    session.add(_credential("302", "Old", "WXYZ", token_state="invalid", token_problem="Meta revoked the session."))
    session.add(_credential("304", "Later", "LATE", token_expires_at=NOW + 10 * DAY))
    session.commit()
    labels = {n.id: number_label(n) for n in session.exec(select(PhoneNumber))}

    attention = fleet_health(session=session, now=NOW, tz=UTC).attention

    subjects = [(item.severity, item.subject) for item in attention]
    assert subjects == [
        (Severity.BLOCKED, labels["304"]),
        (Severity.BLOCKED, "The token of API credential “Old” (••••WXYZ)"),
        (Severity.AT_RISK, labels["302"]),
        (Severity.AT_RISK, labels["306"]),
        (Severity.AT_RISK, "The token of API credential “Main” (••••ABCD)"),
        (Severity.WATCH, labels["301"]),
        (Severity.WATCH, labels["303"]),
    ]
    banned = attention[0]
    assert banned.sentence == "cannot send messages" and banned.since == NOW - DAY
    assert "is banned from WhatsApp" in banned.also
    red = attention[2]
    assert red.sentence.startswith("has low quality (red)") and red.since == NOW - 3 * DAY and red.advice
    assert attention[3].sentence == "is pending: it is not registered for sending yet"
    flagged = attention[6]
    assert "may drop" not in flagged.sentence + flagged.advice and "no longer lowers" in flagged.advice
    assert labels["301"] == "Jasper's Market +1 631-555-0101"


def test_a_problem_that_recovered_is_listed_as_recovered_not_as_attention(store_session: Session) -> None:
    session = store_session
    _ten_days(session)
    health = fleet_health(session=session, now=NOW, tz=UTC)
    assert all(item.phone_number_id != "305" for item in health.attention)
    assert [(r.phone_number_id, r.recovered_at) for r in health.recovered] == [("305", NOW - 4 * DAY)]
    assert health.recovered[0].sentence.startswith("can send only with limits")


def test_a_waba_problem_is_one_entry_naming_its_numbers(store_session: Session) -> None:
    blocked = [number(n, can_send="BLOCKED", problems=(waba_payment_problem(),)) for n in ("301", "302")]
    record(store_session, [(NOW - HOUR, blocked), (NOW, blocked)], poll_interval_s=3600)
    attention = fleet_health(session=store_session, now=NOW, tz=UTC).attention
    assert len(attention) == 1
    (item,) = attention
    assert item.subject == "WhatsApp Business Account Jasper's Market"
    assert item.sentence == "cannot send messages: none of its 2 numbers can send freely (Meta error 141006)"
    assert item.numbers == ("Jasper's Ice Cream +1 631-555-0102", "Jasper's Market +1 631-555-0101")
    assert item.held == 2
    assert item.meta_says.startswith("There is an error with the payment method") and item.since == NOW - HOUR


def test_a_banned_waba_among_fifty_is_one_entry_with_a_count_and_a_few_labels(store_session: Session) -> None:
    build_fleet(store_session, wabas=50, per_waba=100, banned=(7,))
    health = fleet_health(session=store_session, now=T0, tz=UTC)
    assert health.total == 5000 and health.counts[Severity.BLOCKED] == 100
    banned, *watched = health.attention
    assert banned.subject == "WhatsApp Business Account Brand 07" and banned.held == 100
    assert banned.sentence == "cannot send messages: none of its 100 numbers can send freely (Meta error 141006)"
    assert len(banned.numbers) == 3
    # The medium-quality number of WABAs 1, 11, 21, 31 and 41: each its own entry, not crowded out by the ban.
    assert [item.phone_number_id for item in watched] == [number_id(w, 0) for w in (1, 11, 21, 31, 41)]
    assert health.more_numbers == 0


def _red(w: int, per_waba: int, banned: bool) -> list[PhoneNumberHealth]:
    """Every number of every WABA at low quality: thousands of separate problems."""
    return [number(number_id(w, n), "RED") for n in range(per_waba)]


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    engine = session.get_bind()
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_needs_attention_reads_a_bounded_number_of_numbers_and_says_how_many_more(store_session: Session) -> None:
    build_fleet(store_session, wabas=2, per_waba=50, numbers_of=_red)
    store_session.expunge_all()
    with _statements(store_session) as small_statements:
        small = fleet_health(session=store_session, now=T0, tz=UTC)
    build_fleet(store_session, wabas=50, per_waba=100, numbers_of=_red, at=T0 + HOUR)
    store_session.expunge_all()
    with _statements(store_session) as large_statements:
        large = fleet_health(session=store_session, now=T0 + HOUR, tz=UTC)
    assert len(small.attention) == 2 * SAMPLES_PER_WABA and small.more_numbers == 100 - 2 * SAMPLES_PER_WABA
    assert len(large.attention) == ATTENTION_READ  # the worst first, a few of each WABA
    assert large.more_numbers == 5000 - ATTENTION_READ and large.total == 5000
    # The sample walks the worst-first index a batch at a time, each batch filling a WABA: bounded, whatever the fleet.
    assert len(large_statements) <= len(small_statements) + ATTENTION_READ // SAMPLES_PER_WABA
    loaded = [row for row in store_session.identity_map.values() if isinstance(row, PhoneNumber)]
    assert len(loaded) <= ATTENTION_READ


def test_an_empty_store_has_an_empty_fleet(store_session: Session) -> None:
    health = fleet_health(session=store_session, now=NOW, tz=UTC)
    assert health.total == 0 and health.attention == [] and health.recovered == []
    page = fleet_page(session=store_session, query=FleetQuery(), now=NOW, tz=UTC)
    assert page.rows == [] and page.total == 0 and page.pages == 1


def test_a_recovery_shows_however_many_numbers_changed_after_it(store_session: Session) -> None:
    """Walking the newest changes for recoveries stopped after 500 numbers: 600 later changes hid this one."""
    many = [number(f"9{n:04d}") for n in range(600)]
    record(
        store_session,
        [
            (NOW - 2 * DAY, [number("305", can_send="LIMITED", problems=(spam_limit("305"),)), *many]),
            (NOW - DAY, [number("305"), *many]),
            (NOW - HOUR, [number("305"), *[number(n.id, throughput="HIGH") for n in many]]),
        ],
        poll_interval_s=DAY.total_seconds(),
    )
    health = fleet_health(session=store_session, now=NOW, tz=UTC)
    assert [(r.phone_number_id, r.recovered_at) for r in health.recovered] == [("305", NOW - DAY)]
    stored = store_session.get(PhoneNumber, "305")
    assert stored is not None and stored.recovered_at == NOW - DAY
