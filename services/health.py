"""Phone number health history: changes, not repeats.

Each row is an unchanged stretch of a number's health, observed first at `since` and last at
`last_confirmed_at`; `polls` counts the polls that confirmed it. A poll that finds the same
health as the number's latest row, soon enough after it, only moves `last_confirmed_at`.
A row that starts after a stretch we did not observe has `follows_gap` set, so charts never
draw a line through time nobody looked at.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.graph.types import PhoneNumberHealth
from services.store.models import HealthInterval, PhoneNumber

# Two missed polls in a row (plus slack for jitter) make a gap.
GAP_FACTOR = 2.5


def _state(number: PhoneNumberHealth) -> tuple[str, str, str | None, str | None, str]:
    return (
        number.quality_rating.value,
        number.throughput_level.value,
        number.messaging_limit,
        number.status,
        number.verified_name,
    )


def _row_state(row: HealthInterval) -> tuple[str, str, str | None, str | None, str]:
    return (row.quality_rating, row.throughput_level, row.messaging_limit, row.status, row.verified_name)


def latest_intervals(*, session: Session, phone_number_ids: Sequence[str]) -> dict[str, HealthInterval]:
    """The newest history row of each given number."""
    if not phone_number_ids:
        return {}
    newest = (
        select(func.max(HealthInterval.id))
        .where(col(HealthInterval.phone_number_id).in_(phone_number_ids))
        .group_by(col(HealthInterval.phone_number_id))
    )
    rows = session.exec(select(HealthInterval).where(col(HealthInterval.id).in_(newest)))
    return {row.phone_number_id: row for row in rows}


def observe(
    *,
    session: Session,
    waba_id: str,
    numbers: Sequence[PhoneNumberHealth],
    at: datetime,
    poll_interval_s: float,
) -> int:
    """Record one poll of a WABA's numbers at `at`; returns how many history rows it added (no commit)."""
    ids = [n.id for n in numbers]
    current = {p.id: p for p in session.exec(select(PhoneNumber).where(col(PhoneNumber.id).in_(ids)))} if ids else {}
    latest = latest_intervals(session=session, phone_number_ids=ids)
    max_gap = timedelta(seconds=poll_interval_s * GAP_FACTOR)
    added = 0
    for number in numbers:
        row = current.get(number.id) or PhoneNumber(
            id=number.id, waba_id=waba_id, display_phone_number=number.display_phone_number, first_seen_at=at
        )
        row.waba_id = waba_id
        row.display_phone_number = number.display_phone_number
        row.verified_name = number.verified_name
        row.quality_rating = number.quality_rating.value
        row.throughput_level = number.throughput_level.value
        row.messaging_limit = number.messaging_limit
        row.status = number.status
        row.last_polled_at = at
        session.add(row)

        last = latest.get(number.id)
        if last is not None and at <= last.last_confirmed_at:
            continue  # an older answer arriving late changes nothing we know
        contiguous = last is not None and at - last.last_confirmed_at <= max_gap
        if last is not None and contiguous and _row_state(last) == _state(number):
            last.last_confirmed_at = at
            last.polls += 1
            session.add(last)
            continue
        quality, throughput, limit, status, name = _state(number)
        session.add(
            HealthInterval(
                phone_number_id=number.id,
                since=at,
                last_confirmed_at=at,
                polls=1,
                follows_gap=not contiguous,
                quality_rating=quality,
                throughput_level=throughput,
                messaging_limit=limit,
                status=status,
                verified_name=name,
            )
        )
        added += 1
    return added
