"""A large fleet for the overview: many WABAs, a few days of history with some changes, through `health.observe_many`.

Every number is GREEN and can send, except a seeded few: one in 400 is blocked (disconnected, Meta's BLOCKED
verdict), one in 150 is at risk (RED and FLAGGED, sending limited), one in 20 dips to YELLOW for a poll or two.
Each WABA belongs to one of a few dozen business portfolios and is read through its own observe_accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from services.graph.types import (
    AccountHealth,
    BusinessAccount,
    CanSend,
    HealthProblem,
    PhoneNumberHealth,
    QualityRating,
    ThroughputLevel,
)
from services.health import fleet
from services.health import recording as health
from services.store.models import HealthInterval

POLL_STEP = timedelta(hours=12)
DAYS = 3
PORTFOLIOS = 40
NUMBERS_PER_STATEMENT = 5_000  # observe_many per a few dozen WABAs: SQLite binds at most 32,766 values at once
BLOCKED_EVERY, AT_RISK_EVERY, DIP_EVERY = 400, 150, 20
LIMITS = ("TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED")


@dataclass(frozen=True)
class FleetFill:
    numbers: int
    wabas: int
    polls: int
    rows_stored: int
    blocked: int
    at_risk: int


def waba_id(w: int) -> str:
    return f"27{w:014d}"


def _portfolio(w: int) -> str:
    return f"10000000{w % PORTFOLIOS:08d}"


def _health(w: int, n: int, position: int, poll: int) -> PhoneNumberHealth:
    quality, status, can_send, problems = QualityRating.GREEN, "CONNECTED", CanSend.AVAILABLE, ()
    number = f"37{w:06d}{n:08d}"
    if position % BLOCKED_EVERY == 7 and poll >= 2:
        status, can_send = "DISCONNECTED", CanSend.BLOCKED
        problems = (HealthProblem("PHONE_NUMBER", number, CanSend.BLOCKED, 141000, "The number was disconnected."),)
    elif position % AT_RISK_EVERY == 3:
        quality, status, can_send = QualityRating.RED, "FLAGGED", CanSend.LIMITED
    elif position % DIP_EVERY == 0 and poll % 5 in (position % 5, (position + 1) % 5):
        quality = QualityRating.YELLOW
    return PhoneNumberHealth(
        id=number,
        display_phone_number=f"+1 {200 + w % 800}-555-{n % 10000:04d}",
        verified_name=f"Fleet Store {w + 1}-{n + 1}",
        quality_rating=quality,
        throughput_level=ThroughputLevel.HIGH if position % 7 == 0 else ThroughputLevel.STANDARD,
        messaging_limit=LIMITS[w % PORTFOLIOS % len(LIMITS)],
        status=status,
        can_send=can_send,
        problems=problems,
    )


def _account(w: int, numbers: tuple[PhoneNumberHealth, ...]) -> AccountHealth:
    return AccountHealth(
        id=waba_id(w),
        name=f"Fleet WABA {w + 1}",
        review_status="APPROVED",
        portfolio_id=_portfolio(w),
        portfolio_name=f"Fleet Portfolio {w % PORTFOLIOS + 1}",
        can_send=CanSend.AVAILABLE,
        problems=(),
        numbers=numbers,
    )


def fill_fleet(*, engine: Engine, numbers: int, wabas: int, end: datetime | None = None) -> FleetFill:
    """`numbers` numbers spread over `wabas` WABAs, polled every twelve hours for three days up to `end` (now)."""
    end = end or datetime.now(UTC).replace(second=0, microsecond=0)
    polls = DAYS * timedelta(days=1) // POLL_STEP + 1
    per_waba = -(-numbers // wabas)
    layout = [(w, n) for w in range(wabas) for n in range(per_waba)][:numbers]
    by_waba: dict[int, list[tuple[int, int]]] = {}
    for position, (w, n) in enumerate(layout):
        by_waba.setdefault(w, []).append((n, position))
    start = end - POLL_STEP * (polls - 1)
    with Session(engine) as session:
        for w in by_waba:
            account = BusinessAccount(id=waba_id(w), name=f"Fleet WABA {w + 1}")
            fleet.upsert_business_account(session=session, account=account, business_id=_portfolio(w), at=start)
        session.commit()
    interval = POLL_STEP.total_seconds()
    for poll in range(polls):
        at = start + POLL_STEP * poll
        with Session(engine) as session:
            batch: list[tuple[str, tuple[PhoneNumberHealth, ...]]] = []
            accounts = []
            for w, members in by_waba.items():
                read = tuple(_health(w, n, position, poll) for n, position in members)
                batch.append((waba_id(w), read))
                accounts.append(_account(w, read))
                if sum(len(numbers) for _, numbers in batch) >= NUMBERS_PER_STATEMENT:
                    health.observe_many(session=session, polls=batch, at=at, poll_interval_s=interval)
                    batch = []
            if batch:
                health.observe_many(session=session, polls=batch, at=at, poll_interval_s=interval)
            health.observe_accounts(session=session, accounts=accounts, at=at)
            session.commit()
    with Session(engine) as session:
        rows = int(session.exec(select(func.count()).select_from(HealthInterval)).one())
    return FleetFill(
        numbers=len(layout),
        wabas=len(by_waba),
        polls=polls,
        rows_stored=rows,
        blocked=sum(1 for position in range(len(layout)) if position % BLOCKED_EVERY == 7),
        at_risk=sum(1 for position in range(len(layout)) if position % AT_RISK_EVERY == 3),
    )
