"""The fleet table a page at a time: worst first, searched and filtered in SQL, strips for the page's numbers only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.health import fleet, history
from services.health.model import Severity, assess_stored
from services.language.translate import _
from services.store.models import PhoneNumber, WhatsAppBusinessAccount

STRIP_DAYS = 14
PAGE_SIZE = 50
NO_STATUS = "none"  # the status filter's value for numbers Meta has reported no status for


@dataclass(frozen=True)
class FleetQuery:
    """What the table shows: a search, filters (empty: all) and a page (1 is the first)."""

    search: str = ""
    severities: tuple[Severity, ...] = ()
    statuses: tuple[str, ...] = ()
    business: str = ""  # a business portfolio id, or "waba:<id>" for a WABA in no known portfolio
    waba: str = ""
    page: int = 1
    page_size: int = PAGE_SIZE

    def query_params(self) -> dict[str, str]:
        """The URL query parameters that reopen this view (defaults left out)."""
        params = {
            "q": " ".join(self.search.split()),
            "severity": ",".join(s.name.lower() for s in sorted(self.severities)),
            "status": ",".join(self.statuses),
            "business": self.business,
            "waba": self.waba,
            "page": str(self.page) if self.page > 1 else "",
        }
        return {name: value for name, value in params.items() if value}


@dataclass(frozen=True)
class FleetRow:
    number: PhoneNumber
    business_account: str
    severity: Severity
    daily_worst: list[Severity | None]  # worst severity per day of FleetPage.days; None: not watched


@dataclass(frozen=True)
class FleetPage:
    query: FleetQuery  # the page actually shown (a page past the end shows the last one)
    rows: list[FleetRow]
    total: int  # numbers matching the search and filters
    pages: int
    days: list[date]


def _last(params: Mapping[str, Sequence[str] | str], name: str) -> str:
    value = params.get(name) or ""
    return value if isinstance(value, str) else (value[-1] if value else "")


def parse_query(params: Mapping[str, Sequence[str] | str]) -> tuple[FleetQuery, list[str]]:
    """The view a URL asks for, and one sentence per part of it that could not be honoured (never raises)."""
    notices: list[str] = []
    severities: list[Severity] = []
    for word in filter(None, (w.strip() for w in _last(params, "severity").split(","))):
        found = Severity.__members__.get(word.upper())
        if found is None:
            notices.append(_("Unknown health “{word}” in the link, left out.", word=word))
        elif found not in severities:
            severities.append(found)
    statuses = tuple(dict.fromkeys(w.strip() for w in _last(params, "status").split(",") if w.strip()))
    page_text = _last(params, "page").strip() or "1"
    page = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    if page_text != str(page):
        notices.append(_("“{page}” is not a page number; showing the first page.", page=page_text))
    query = FleetQuery(
        search=" ".join(_last(params, "q").split())[:100],
        severities=tuple(sorted(severities)),
        statuses=statuses,
        business=_last(params, "business").strip(),
        waba=_last(params, "waba").strip(),
        page=page,
    )
    return query, notices


def business_key() -> Any:
    """A number's business portfolio, or its WABA when the portfolio is not known: what shares a limit."""
    waba_key = "waba:" + col(PhoneNumber.waba_id)
    return func.coalesce(col(WhatsAppBusinessAccount.portfolio_id), waba_key)


def _filtered(statement: Any, query: FleetQuery, *, joined: bool = True) -> Any:
    """The statement narrowed to the query's numbers; `joined=False` leaves the WABA out when no filter needs it."""
    condition = fleet.matching(query.search)
    if joined or condition is not None or query.business:
        statement = statement.join(WhatsAppBusinessAccount, col(WhatsAppBusinessAccount.id) == col(PhoneNumber.waba_id))
    if condition is not None:
        statement = statement.where(condition)
    if query.severities:
        statement = statement.where(col(PhoneNumber.severity).in_([int(s) for s in query.severities]))
    if query.statuses:
        named = [s for s in query.statuses if s != NO_STATUS]
        wanted = col(PhoneNumber.status).in_(named)
        statement = statement.where(
            wanted | col(PhoneNumber.status).is_(None) if NO_STATUS in query.statuses else wanted
        )
    if query.business:
        statement = statement.where(business_key() == query.business)
    if query.waba:
        statement = statement.where(col(PhoneNumber.waba_id) == query.waba)
    return statement


def strip_days(*, now: datetime, tz: tzinfo) -> list[date]:
    today = now.astimezone(tz).date()
    return [today - timedelta(days=STRIP_DAYS - 1 - i) for i in range(STRIP_DAYS)]


def daily_strips(
    *, session: Session, phone_number_ids: Sequence[str], days: Sequence[date], now: datetime, tz: tzinfo
) -> dict[str, list[Severity | None]]:
    """The worst severity of each day for these numbers only."""
    start = datetime.combine(days[0], time(), tz).astimezone(UTC)
    read = history.read(session=session, phone_number_ids=list(phone_number_ids), start=start, end=now)
    found = history.stretches(read, start=start, end=now)
    return history.daily_worst(found, days=list(days), tz=tz, value=lambda stretch: assess_stored(stretch).severity)


def fleet_page(*, session: Session, query: FleetQuery, now: datetime, tz: tzinfo) -> FleetPage:
    """One page of the fleet, worst first (severity, verified name, id), with the total matching and the page count."""
    # Every number has its WABA (a foreign key), so the count needs the join only for a filter on the WABA.
    total = session.exec(_filtered(select(func.count()).select_from(PhoneNumber), query, joined=False)).one()
    pages = max(1, -(-total // query.page_size))
    shown = replace(query, page=min(max(query.page, 1), pages))
    statement = _filtered(select(PhoneNumber, WhatsAppBusinessAccount.name), shown)
    statement = statement.order_by(*fleet.worst_first_order())
    statement = statement.offset((shown.page - 1) * shown.page_size).limit(shown.page_size)
    found = list(session.exec(statement))
    days = strip_days(now=now, tz=tz)
    strips = daily_strips(session=session, phone_number_ids=[n.id for n, _ in found], days=days, now=now, tz=tz)
    rows = [
        FleetRow(number, account_name, Severity(number.severity), strips.get(number.id, [None] * len(days)))
        for number, account_name in found
    ]
    return FleetPage(shown, rows, total, pages, days)
