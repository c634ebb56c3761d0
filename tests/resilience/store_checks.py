"""What must hold of a store after a crash or a crowd of writers: an intact file, and a history without forks."""

from __future__ import annotations

import sqlite3

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.store.models import HealthInterval, PhoneNumber


def sqlite_integrity(database_url: str) -> None:
    """PRAGMA integrity_check and foreign_key_check on the SQLite file, through a connection of its own."""
    with sqlite3.connect(database_url.split("///", 1)[1]) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []


def history_problems(engine: Engine) -> list[str]:
    """Each number's history: stretches in order, none overlapping or repeated, the latest one its last poll."""
    problems: list[str] = []
    order = (col(HealthInterval.phone_number_id), col(HealthInterval.id))
    with Session(engine) as session:
        latest: dict[str, HealthInterval] = {}
        for row in session.exec(select(HealthInterval).order_by(*order)):
            before = latest.get(row.phone_number_id)
            if row.since > row.last_confirmed_at:
                problems.append(f"row {row.id} of {row.phone_number_id} ends before it starts")
            if before is not None and row.since <= before.last_confirmed_at:
                problems.append(f"row {row.id} overlaps or repeats row {before.id} of {row.phone_number_id}")
            latest[row.phone_number_id] = row
        for number in session.exec(select(PhoneNumber)):
            last = latest.get(number.id)
            if last is None or number.last_polled_at != last.last_confirmed_at:
                seen = last.last_confirmed_at if last else None
                problems.append(f"{number.id}: last polled {number.last_polled_at}, its history ends {seen}")
    return problems
