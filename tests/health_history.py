"""Building health history for tests the way the poller does: health.observe() on a fake clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from services.graph.types import (
    BusinessAccount,
    CanSend,
    HealthProblem,
    PhoneNumberHealth,
    QualityRating,
    ThroughputLevel,
)
from services.health import fleet
from services.health import recording as health

T0 = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
POLL_INTERVAL_S = 300
WABA_ID = "2000000000000011"
NAMES = {
    "301": ("Jasper's Market", "+1 631-555-0101"),
    "302": ("Jasper's Ice Cream", "+1 631-555-0102"),
    "303": ("Lucky Shrub", "+1 415-555-0104"),
}


def number(
    number_id: str,
    quality: str = "GREEN",
    *,
    throughput: str = "STANDARD",
    limit: str | None = "TIER_10K",
    status: str | None = "CONNECTED",
    can_send: str = "AVAILABLE",
    problems: tuple[HealthProblem, ...] = (),
) -> PhoneNumberHealth:
    """What a poll reads of one number."""
    name, display = NAMES.get(number_id, (f"Store {number_id}", f"+1 555-555-{number_id[-4:]:0>4}"))
    return PhoneNumberHealth(
        id=number_id,
        display_phone_number=display,
        verified_name=name,
        quality_rating=QualityRating(quality),
        throughput_level=ThroughputLevel(throughput),
        messaging_limit=limit,
        status=status,
        can_send=CanSend(can_send),
        problems=problems,
    )


def waba_payment_problem(waba_id: str = WABA_ID) -> HealthProblem:
    """The problem Meta reports when a WABA's payment method fails: every number of it is blocked."""
    return HealthProblem(
        "WABA",
        waba_id,
        CanSend.BLOCKED,
        141006,
        "There is an error with the payment method. This means messages can't be sent.",
        "Add a valid payment method in WhatsApp Manager.",
    )


def spam_limit(number_id: str) -> HealthProblem:
    return HealthProblem(
        "PHONE_NUMBER", number_id, CanSend.LIMITED, 131048, "Too many messages were blocked or flagged as spam."
    )


def minutes(*offsets: float, start: datetime = T0) -> list[datetime]:
    return [start + timedelta(minutes=offset) for offset in offsets]


def record(
    session: Session,
    polls: Iterable[tuple[datetime, list[PhoneNumberHealth]]],
    *,
    poll_interval_s: float = POLL_INTERVAL_S,
) -> None:
    """Record each poll through the one write path, then commit."""
    fleet.upsert_business_account(
        session=session, account=BusinessAccount(WABA_ID, "Jasper's Market"), business_id="1000000000000001", at=T0
    )
    for at, numbers in polls:
        health.observe(session=session, waba_id=WABA_ID, numbers=numbers, at=at, poll_interval_s=poll_interval_s)
    session.commit()


def every_poll(
    first: datetime, last: datetime, *numbers: PhoneNumberHealth, step_s: float = POLL_INTERVAL_S
) -> list[tuple[datetime, list[PhoneNumberHealth]]]:
    """One poll every `step_s` from `first` to `last` (inclusive), each reading `numbers`."""
    polls = []
    at = first
    while at <= last:
        polls.append((at, list(numbers)))
        at += timedelta(seconds=step_s)
    return polls
