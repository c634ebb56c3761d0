"""The fleet counted in SQL: numbers by severity, by status, by business portfolio and WABA, and portfolio limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from services.health.fleet_table import business_key
from services.health.model import Severity
from services.health.vocabulary import limit_words
from services.store.models import PhoneNumber, WhatsAppBusinessAccount

_EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Group:
    """A business portfolio or a WABA, with how many numbers it holds and how many of them need attention."""

    id: str
    name: str
    numbers: int
    needing_attention: int


@dataclass(frozen=True)
class Portfolio:
    """A business portfolio: the messaging limit its numbers share (Meta's model since October 2025)."""

    id: str
    name: str
    limit: str  # in words
    numbers: int


def by_severity(*, session: Session) -> dict[Severity, int]:
    """How many numbers are at each severity; every severity is present, worst first."""
    query = select(PhoneNumber.severity, func.count()).group_by(col(PhoneNumber.severity))
    found = {Severity(severity): count for severity, count in session.exec(query)}
    return {severity: found.get(severity, 0) for severity in Severity}


def by_status(*, session: Session) -> dict[str | None, int]:
    """How many numbers have each status Meta reported (None: none reported), most common first."""
    query = select(PhoneNumber.status, func.count()).group_by(col(PhoneNumber.status))
    return dict(sorted(session.exec(query), key=lambda pair: (-pair[1], pair[0] or "")))


def _attention() -> Any:
    return func.sum(case((col(PhoneNumber.severity) <= int(Severity.WATCH), 1), else_=0))


def by_business(*, session: Session) -> list[Group]:
    """Each business portfolio (or WABA in no known portfolio) with numbers, by name."""
    key = business_key().label("key")
    name = func.coalesce(col(WhatsAppBusinessAccount.portfolio_name), col(WhatsAppBusinessAccount.name))
    query = (
        select(key, func.min(name), func.count(), _attention())
        .select_from(PhoneNumber)
        .join(WhatsAppBusinessAccount, col(WhatsAppBusinessAccount.id) == col(PhoneNumber.waba_id))
        .group_by(key)
    )
    groups = [Group(str(k), str(n), int(c), int(a or 0)) for k, n, c, a in session.exec(query)]
    return sorted(groups, key=lambda g: (g.name.lower(), g.id))


def by_waba(*, session: Session) -> list[Group]:
    """Each WABA with numbers, by name."""
    query = (
        select(PhoneNumber.waba_id, func.min(WhatsAppBusinessAccount.name), func.count(), _attention())
        .join(WhatsAppBusinessAccount, col(WhatsAppBusinessAccount.id) == col(PhoneNumber.waba_id))
        .group_by(col(PhoneNumber.waba_id))
    )
    groups = [Group(str(k), str(n), int(c), int(a or 0)) for k, n, c, a in session.exec(query)]
    return sorted(groups, key=lambda g: (g.name.lower(), g.id))


def portfolio_limits(*, session: Session) -> list[Portfolio]:
    """Each portfolio's messaging limit, as its most recently polled number reports it, and its number count."""
    key = business_key().label("key")
    name = func.coalesce(col(WhatsAppBusinessAccount.portfolio_name), col(WhatsAppBusinessAccount.name))
    query = (
        select(key, func.min(name), PhoneNumber.messaging_limit, func.count(), func.max(PhoneNumber.last_polled_at))
        .select_from(PhoneNumber)
        .join(WhatsAppBusinessAccount, col(WhatsAppBusinessAccount.id) == col(PhoneNumber.waba_id))
        .group_by(key, col(PhoneNumber.messaging_limit))
    )
    names: dict[str, str] = {}
    counts: dict[str, int] = {}
    newest: dict[str, tuple[datetime, str | None]] = {}
    for portfolio, portfolio_name, limit, count, polled in session.exec(query):
        names.setdefault(portfolio, portfolio_name)
        counts[portfolio] = counts.get(portfolio, 0) + count
        polled_at = _aware(polled)
        if portfolio not in newest or polled_at > newest[portfolio][0]:
            newest[portfolio] = (polled_at, limit)
    found = [Portfolio(k, names[k], limit_words(newest[k][1]), counts[k]) for k in names]
    return sorted(found, key=lambda p: (p.name.lower(), p.id))


def _aware(value: datetime | str | None) -> datetime:
    """max() over a date column comes back as text on SQLite; both dialects store UTC."""
    if value is None:
        return _EPOCH
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
