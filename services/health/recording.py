"""Phone number health history: changes, not repeats.

Each row is an unchanged stretch of a number's health, observed first at `since` and last at
`last_confirmed_at`; `polls` counts the polls that confirmed it. A poll that finds the same
health as the number's latest row, soon enough after it, only moves `last_confirmed_at`.
A row that starts after a stretch we did not observe has `follows_gap` set, so charts never
draw a line through time nobody looked at.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, text, update
from sqlmodel import Session, col, select

from services.graph.types import AccountHealth, PhoneNumberHealth
from services.health.model import Severity, severity_of_state
from services.store.models import HealthInterval, PhoneNumber, WhatsAppBusinessAccount

# More than one and a half poll intervals without an observation is a gap: one failed poll already
# shows (its next success comes two intervals after the last one), while a poll that runs a little
# late, as every poll does, does not.
GAP_FACTOR = 1.5
# Any constant works, as long as every process that records history uses the same one.
HISTORY_LOCK_KEY = 0x5741_4848

State = tuple[str, str, str | None, str | None, str, str | None, str, list[dict[str, Any]]]
_STATE_COLUMNS = (
    "quality_rating",
    "throughput_level",
    "messaging_limit",
    "status",
    "verified_name",
    "name_status",
    "can_send",
    "health_problems",
)


@dataclass(frozen=True)
class _Latest:
    id: int
    last_confirmed_at: datetime
    state: State


def gap_after(poll_interval_s: float) -> timedelta:
    """How long without an observation makes a gap in the history, at this poll interval."""
    return timedelta(seconds=poll_interval_s * GAP_FACTOR)


def _state(number: PhoneNumberHealth) -> State:
    return (
        number.quality_rating.value,
        number.throughput_level.value,
        number.messaging_limit,
        number.status,
        number.verified_name,
        number.name_status,
        number.can_send.value,
        [problem.as_json() for problem in number.problems],
    )


def latest_intervals(*, session: Session, phone_number_ids: Sequence[str]) -> dict[str, HealthInterval]:
    """The newest history row of each given number."""
    if not phone_number_ids:
        return {}
    newest = _newest_ids.params(ids=list(phone_number_ids))
    rows = session.exec(select(HealthInterval).where(col(HealthInterval.id).in_(newest)))
    return {row.phone_number_id: row for row in rows}


# Built once: observe() runs for every WABA of every poll, and building statements costs more than running them.
_NUMBERS, _ROWS = PhoneNumber.__table__.c, HealthInterval.__table__.c  # type: ignore[attr-defined]
_IDS = bindparam("ids", expanding=True)
_AT = bindparam("at")
# A fleet of 100,000 numbers is read and extended in slices of this many ids.
IN_LIST_SIZE = 20_000
# Rows are only ever appended in time order, so the highest id is a number's newest row.
_newest_ids = select(func.max(_ROWS.id)).where(_ROWS.phone_number_id.in_(_IDS)).group_by(_ROWS.phone_number_id)
_SELECT_LATEST = select(
    _ROWS.phone_number_id, _ROWS.id, _ROWS.last_confirmed_at, *[_ROWS[name] for name in _STATE_COLUMNS]
).where(_ROWS.id.in_(_newest_ids))
_SELECT_CURRENT = select(
    _NUMBERS.id,
    _NUMBERS.last_polled_at,
    _NUMBERS.waba_id,
    _NUMBERS.display_phone_number,
    *[_NUMBERS[name] for name in _STATE_COLUMNS],
    _NUMBERS.severity,
).where(_NUMBERS.id.in_(_IDS))
_INSERT_NUMBERS = insert(PhoneNumber.__table__)
_UPDATE_NUMBER = update(PhoneNumber.__table__).where(_NUMBERS.id == bindparam("number_id"))
_TOUCH_NUMBERS = update(PhoneNumber.__table__).where(_NUMBERS.id.in_(_IDS)).values(last_polled_at=_AT)
_MARK_RECOVERED = update(PhoneNumber.__table__).where(_NUMBERS.id.in_(_IDS)).values(recovered_at=_AT)
_EXTEND_ROWS = (
    update(HealthInterval.__table__).where(_ROWS.id.in_(_IDS)).values(last_confirmed_at=_AT, polls=_ROWS.polls + 1)
)
_INSERT_ROWS = insert(HealthInterval.__table__)


def _chunks(ids: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """`ids` in slices one IN list can hold: PostgreSQL takes at most 65,535 parameters per statement."""
    for start in range(0, len(ids), IN_LIST_SIZE):
        yield ids[start : start + IN_LIST_SIZE]


def _number_values(number: PhoneNumberHealth, waba_id: str, at: datetime) -> dict[str, Any]:
    values: dict[str, Any] = dict(zip(_STATE_COLUMNS, _state(number), strict=True))
    values.update(waba_id=waba_id, display_phone_number=number.display_phone_number, last_polled_at=at)
    values["severity"] = int(severity_of_state(values))
    return values


def recovers(before: int, after: int) -> bool:
    """Whether a number whose stored severity goes from `before` to `after` recovers: it needed attention, and no
    longer does (`PhoneNumber.recovered_at`)."""
    return Severity(before).needs_attention and not Severity(after).needs_attention


def _forget(session: Session, model: type, keys: Sequence[object]) -> None:
    """Expire rows this session had loaded, since the bulk statements bypassed them."""
    if not session.identity_map:
        return
    for key in keys:
        loaded = session.identity_map.get(session.identity_key(model, key))
        if loaded is not None:
            session.expire(loaded)


def observe(
    *,
    session: Session,
    waba_id: str,
    numbers: Sequence[PhoneNumberHealth],
    at: datetime,
    poll_interval_s: float,
) -> int:
    """Record one poll of a WABA's numbers at `at`; returns the history rows added (no commit; locks until it)."""
    return observe_many(session=session, polls=[(waba_id, numbers)], at=at, poll_interval_s=poll_interval_s)


def observe_many(
    *,
    session: Session,
    polls: Sequence[tuple[str, Sequence[PhoneNumberHealth]]],
    at: datetime,
    poll_interval_s: float,
) -> int:
    """Record one poll of several WABAs' numbers, all at `at`, in a handful of statements (no commit)."""
    # A number listed twice (paging shifted) counts once.
    seen = {number.id: (number, waba_id) for waba_id, numbers in polls for number in numbers}
    if not seen:
        return 0
    session.flush()  # the caller's pending rows (a new WABA) must exist before ours refer to them
    _lock_history(session)
    ids = list(seen)
    current = {
        row[0]: tuple(row[1:]) for chunk in _chunks(ids) for row in session.execute(_SELECT_CURRENT, {"ids": chunk})
    }
    latest = {
        row[0]: _Latest(id=row[1], last_confirmed_at=row[2], state=tuple(row[3:]))  # type: ignore[arg-type]
        for chunk in _chunks(ids)
        for row in session.execute(_SELECT_LATEST, {"ids": chunk})
    }
    max_gap = gap_after(poll_interval_s)
    new_numbers: list[dict[str, Any]] = []
    changed_numbers: list[dict[str, Any]] = []
    polled_only: list[str] = []
    recovered: list[str] = []
    extended: list[int] = []
    opened: list[dict[str, Any]] = []
    for number, waba_id in seen.values():
        known = current.get(number.id)
        if known is None:
            new_numbers.append({**_number_values(number, waba_id, at), "id": number.id, "first_seen_at": at})
        elif known[0] is not None and at <= known[0]:
            continue  # an older answer arriving late changes nothing we know
        elif known[1:-1] != (waba_id, number.display_phone_number, *_state(number)):
            values = _number_values(number, waba_id, at)
            changed_numbers.append({**values, "number_id": number.id})
            if recovers(known[-1], values["severity"]):
                recovered.append(number.id)
        else:
            polled_only.append(number.id)

        last = latest.get(number.id)
        if last is not None and at <= last.last_confirmed_at:
            continue
        contiguous = last is not None and at - last.last_confirmed_at <= max_gap
        if last is not None and contiguous and last.state == _state(number):
            extended.append(last.id)
            continue
        state = dict(zip(_STATE_COLUMNS, _state(number), strict=True))
        opened.append(
            {
                "phone_number_id": number.id,
                "since": at,
                "last_confirmed_at": at,
                "polls": 1,
                "follows_gap": not contiguous,
            }
            | state
        )

    if new_numbers:
        session.execute(_INSERT_NUMBERS, new_numbers)
    if changed_numbers:
        session.execute(_UPDATE_NUMBER, changed_numbers)
    if polled_only:
        for chunk in _chunks(polled_only):
            session.execute(_TOUCH_NUMBERS, {"ids": chunk, "at": at})
    for chunk in _chunks(recovered):
        session.execute(_MARK_RECOVERED, {"ids": chunk, "at": at})
    if extended:
        for chunk in _chunks(extended):
            session.execute(_EXTEND_ROWS, {"ids": chunk, "at": at})
    if opened:
        session.execute(_INSERT_ROWS, opened)
    _forget(session, PhoneNumber, ids)
    _forget(session, HealthInterval, [last.id for last in latest.values()])
    return len(opened)


_ACCOUNTS = WhatsAppBusinessAccount.__table__.c  # type: ignore[attr-defined]
_UPDATE_ACCOUNT = update(WhatsAppBusinessAccount.__table__).where(_ACCOUNTS.id == bindparam("account_id"))


def observe_accounts(*, session: Session, accounts: Sequence[AccountHealth], at: datetime) -> None:
    """Record each WABA's own health (review state, can-send verdict and Meta's reasons) as last polled."""
    if not accounts:
        return
    rows = [
        {
            "account_id": account.id,
            "review_status": account.review_status,
            "portfolio_id": account.portfolio_id,
            "portfolio_name": account.portfolio_name,
            "can_send": account.can_send.value,
            "health_problems": [problem.as_json() for problem in account.problems],
            "health_polled_at": at,
        }
        for account in sorted(accounts, key=lambda a: a.id)  # one lock order for every writer
    ]
    session.execute(_UPDATE_ACCOUNT, rows)
    _forget(session, WhatsAppBusinessAccount, [account.id for account in accounts])


def _lock_history(session: Session) -> None:
    """Hold the history write lock until the session's transaction ends.

    observe() reads each number's latest row and then writes after it; two writers at once (the
    poller, a "Poll now" click, a credential being stored) must not both read the same latest row,
    or the history forks.
    """
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": HISTORY_LOCK_KEY})
    elif dialect == "sqlite" and not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        # The sqlite3 driver opens a transaction only at the first write, so none open means no write lock yet:
        # take it now, before reading. An open one already holds it.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
