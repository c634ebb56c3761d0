"""The fleet counted: numbers by severity, by status, by business portfolio and WABA, and portfolio limits.

Every count reads `fleet_tally`, which the database keeps as numbers change (a few rows a WABA), never the numbers
themselves: the overview's cost follows the WABAs it names, not the size of the fleet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from services.health.model import Severity
from services.health.vocabulary import limit_words
from services.store.models import FleetTally, WhatsAppBusinessAccount

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
    query = select(FleetTally.severity, func.sum(FleetTally.numbers)).group_by(col(FleetTally.severity))
    found = {Severity(severity): int(count or 0) for severity, count in session.exec(query)}
    return {severity: found.get(severity, 0) for severity in Severity}


def by_status(*, session: Session) -> dict[str | None, int]:
    """How many numbers have each status Meta reported (None: none reported), most common first."""
    numbers = func.sum(FleetTally.numbers)
    query = select(FleetTally.status, numbers).group_by(col(FleetTally.status)).having(numbers > 0)
    found = [(status or None, int(count)) for status, count in session.exec(query)]
    return dict(sorted(found, key=lambda pair: (-pair[1], pair[0] or "")))


def _attention() -> Any:
    return func.sum(case((col(FleetTally.severity) <= int(Severity.WATCH), FleetTally.numbers), else_=0))


@dataclass(frozen=True)
class _Counted:
    """The numbers of one WABA at one messaging limit: one row of the index-only count."""

    waba_id: str
    waba_name: str
    business: str  # its portfolio, or "waba:<id>" when the portfolio is not known: what shares a limit
    business_name: str
    limit: str | None
    numbers: int
    needing_attention: int
    newest_poll: datetime


def waba_count_query() -> Any:
    """Numbers, those needing attention and the newest poll, by WABA and messaging limit."""
    numbers = func.sum(FleetTally.numbers)
    return (
        select(FleetTally.waba_id, FleetTally.messaging_limit, numbers, _attention(), func.max(FleetTally.newest_poll))
        .group_by(col(FleetTally.waba_id), col(FleetTally.messaging_limit))
        .having(numbers > 0)
    )


def _counted(session: Session) -> list[_Counted]:
    """The fleet counted by WABA and messaging limit from the tally, named from the WABAs."""
    query = waba_count_query()
    rows = list(session.exec(query))
    # Four columns, not the WABA rows: loading a thousand ORM objects cost more than the count itself.
    named = select(
        WhatsAppBusinessAccount.id,
        WhatsAppBusinessAccount.name,
        WhatsAppBusinessAccount.portfolio_id,
        WhatsAppBusinessAccount.portfolio_name,
    )
    accounts = {
        waba_id: (name, portfolio, portfolio_name) for waba_id, name, portfolio, portfolio_name in session.exec(named)
    }
    found = []
    for waba_id, limit, count, attention, polled in rows:
        name, portfolio, portfolio_name = accounts.get(waba_id, (waba_id, None, None))
        found.append(
            _Counted(
                waba_id=waba_id,
                waba_name=name,
                business=portfolio or f"waba:{waba_id}",
                business_name=portfolio_name or name,
                limit=limit or None,
                numbers=int(count),
                needing_attention=int(attention or 0),
                newest_poll=_aware(polled),
            )
        )
    return found


def _grouped(counted: list[_Counted], key: str, name: str) -> list[Group]:
    groups: dict[str, Group] = {}
    for row in counted:
        k, n = getattr(row, key), getattr(row, name)
        held = groups.get(k)
        groups[k] = Group(
            k,
            min(held.name, n) if held else n,
            row.numbers + (held.numbers if held else 0),
            row.needing_attention + (held.needing_attention if held else 0),
        )
    return sorted(groups.values(), key=lambda g: (g.name.lower(), g.id))


def by_business(*, session: Session) -> list[Group]:
    """Each business portfolio (or WABA in no known portfolio) with numbers, by name."""
    return _grouped(_counted(session), "business", "business_name")


def by_waba(*, session: Session) -> list[Group]:
    """Each WABA with numbers, by name."""
    return _grouped(_counted(session), "waba_id", "waba_name")


def portfolio_limits(*, session: Session) -> list[Portfolio]:
    """Each portfolio's messaging limit, as its most recently polled number reports it, and its number count."""
    return _limits(_counted(session))


def businesses_and_limits(*, session: Session) -> tuple[list[Group], list[Portfolio]]:
    """`by_business` and `portfolio_limits` from one count, for the overview that shows both."""
    counted = _counted(session)
    return _grouped(counted, "business", "business_name"), _limits(counted)


def _limits(counted: list[_Counted]) -> list[Portfolio]:
    names: dict[str, str] = {}
    counts: dict[str, int] = {}
    newest: dict[str, tuple[datetime, str | None]] = {}
    for row in counted:
        portfolio = row.business
        names[portfolio] = min(names.get(portfolio, row.business_name), row.business_name)
        counts[portfolio] = counts.get(portfolio, 0) + row.numbers
        if portfolio not in newest or row.newest_poll > newest[portfolio][0]:
            newest[portfolio] = (row.newest_poll, row.limit)
    found = [Portfolio(k, names[k], limit_words(newest[k][1]), counts[k]) for k in names]
    return sorted(found, key=lambda p: (p.name.lower(), p.id))


def _aware(value: datetime | str | None) -> datetime:
    """max() over a date column comes back as text on SQLite; both dialects store UTC."""
    if value is None:
        return _EPOCH
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
