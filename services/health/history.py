"""Reading health history: stretches clipped to a window, the gaps between them, daily lowest ratings, the table.

`services.health.recording` writes the history (one row per unchanged stretch); `services.health.changes`
puts it in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, TypeVar

from sqlmodel import Session, col, func, select

from services.store.models import HealthInterval

T = TypeVar("T")


@dataclass(frozen=True)
class Stretch:
    """A number's unchanged health from `start` to `end`; `gap_after`: nobody watched right after `end`."""

    phone_number_id: str
    start: datetime
    end: datetime
    gap_after: bool
    quality_rating: str
    throughput_level: str
    messaging_limit: str | None
    status: str | None
    verified_name: str
    name_status: str | None = None
    can_send: str = "UNKNOWN"
    health_problems: tuple[dict[str, object], ...] = ()


def read(*, session: Session, phone_number_ids: Sequence[str], start: datetime, end: datetime) -> list[HealthInterval]:
    """The numbers' history rows that overlap [start, end], by number then time (one indexed query)."""
    if not phone_number_ids:
        return []
    query = (
        select(HealthInterval)
        .where(
            col(HealthInterval.phone_number_id).in_(list(phone_number_ids)),
            col(HealthInterval.since) <= end,
            col(HealthInterval.last_confirmed_at) >= start,
        )
        .order_by(col(HealthInterval.phone_number_id), col(HealthInterval.since))
    )
    return list(session.exec(query))


def began(*, session: Session, phone_number_ids: Sequence[str]) -> dict[str, datetime]:
    """When each number's history began: its first observation ever (numbers never observed are left out)."""
    if not phone_number_ids:
        return {}
    query = (
        select(HealthInterval.phone_number_id, func.min(HealthInterval.since))
        .where(col(HealthInterval.phone_number_id).in_(list(phone_number_ids)))
        .group_by(col(HealthInterval.phone_number_id))
    )
    return {number: first for number, first in session.exec(query) if first is not None}


def _successor(rows: Sequence[HealthInterval], i: int) -> HealthInterval | None:
    if i + 1 < len(rows) and rows[i + 1].phone_number_id == rows[i].phone_number_id:
        return rows[i + 1]
    return None


def stretches(rows: Sequence[HealthInterval], *, start: datetime, end: datetime) -> list[Stretch]:
    """Each row (in `read` order) as the stretch it covers, clipped to [start, end].

    A value holds until the next row begins, unless the next row follows a gap: then only until it was last seen.
    """
    found: list[Stretch] = []
    for i, row in enumerate(rows):
        following = _successor(rows, i)
        continued = following is not None and not following.follows_gap
        until = following.since if continued and following is not None else row.last_confirmed_at
        clipped_start, clipped_end = max(row.since, start), min(until, end)
        if clipped_start > clipped_end:
            continue
        found.append(
            Stretch(
                phone_number_id=row.phone_number_id,
                start=clipped_start,
                end=clipped_end,
                gap_after=not continued and clipped_end < end,
                quality_rating=row.quality_rating,
                throughput_level=row.throughput_level,
                messaging_limit=row.messaging_limit,
                status=row.status,
                verified_name=row.verified_name,
                name_status=row.name_status,
                can_send=row.can_send,
                health_problems=tuple(row.health_problems or ()),
            )
        )
    return found


def by_number(found: Sequence[Stretch]) -> dict[str, list[Stretch]]:
    """Stretches grouped per phone number id, in time order."""
    grouped: dict[str, list[Stretch]] = {}
    for stretch in found:
        grouped.setdefault(stretch.phone_number_id, []).append(stretch)
    return grouped


def step_points(
    number_stretches: Sequence[Stretch], value: Callable[[Stretch], T]
) -> tuple[list[datetime], list[T | None]]:
    """x and y of one number's step line ("hv"): a point where each value begins, one where it was last seen
    before a gap or the end, and a None after a gap so the line breaks there."""
    xs: list[datetime] = []
    ys: list[T | None] = []
    for i, stretch in enumerate(number_stretches):
        xs.append(stretch.start)
        ys.append(value(stretch))
        last = i == len(number_stretches) - 1
        if not (stretch.gap_after or last):
            continue  # the next stretch's first point closes this step
        if stretch.end > stretch.start:
            xs.append(stretch.end)
            ys.append(value(stretch))
        if not last:
            xs.append(stretch.end)
            ys.append(None)
    return xs, ys


def daily_worst(
    found: Sequence[Stretch],
    *,
    days: Sequence[date],
    tz: tzinfo,
    value: Callable[[Stretch], T],
    key: Callable[[T], Any] = lambda v: v,
) -> dict[str, list[T | None]]:
    """Per number, the worst `value` (lowest `key`) seen on each of `days` (the viewer's days); None: not watched."""
    index = {day: i for i, day in enumerate(days)}
    worst: dict[str, list[T | None]] = {}
    for stretch in found:
        strip = worst.setdefault(stretch.phone_number_id, [None] * len(days))
        seen = value(stretch)
        day, last_day = stretch.start.astimezone(tz).date(), stretch.end.astimezone(tz).date()
        while day <= last_day:
            i = index.get(day)
            if i is not None and (strip[i] is None or key(seen) < key(strip[i])):
                strip[i] = seen
            day += timedelta(days=1)
    return worst
