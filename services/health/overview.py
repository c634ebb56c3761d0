"""The fleet at a glance: every monitored number's current health, worst first, and what needs attention."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlmodel import Session, select

from services.access.vault import masked
from services.credentials.views import effective_state
from services.graph.types import QualityRating
from services.health import changes as history_changes
from services.health import fleet, history
from services.store.models import Credential, PhoneNumber, WhatsAppBusinessAccount

STRIP_DAYS = 30
ATTENTION_WINDOW = timedelta(days=7)
# What Meta's statuses mean for the people running the number (Meta's help pages, messaging limits).
ALARMING_STATUSES = {
    # Meta retired Flagged in Oct 2025 and a quality drop no longer lowers the portfolio's limit.
    "FLAGGED": "a state of Meta's older quality model; check its quality rating in WhatsApp Manager",
    "RESTRICTED": "it reached its messaging limit; it can only reply until the 24-hour window resets",
}
BROKEN_TOKEN_STATES = ("expired", "invalid")


def number_label(number: PhoneNumber) -> str:
    """'Jasper's Market +1 631-555-0101'."""
    return f"{number.verified_name} {number.display_phone_number}".strip()


def worst_first(number: PhoneNumber) -> tuple[int, bool, str, str]:
    """Sort key: RED, YELLOW, GREEN, then not rated; FLAGGED or RESTRICTED first within a rating."""
    rank = QualityRating.parse(number.quality_rating).rank
    return rank, (number.status or "").upper() not in ALARMING_STATUSES, number.verified_name, number.id


@dataclass(frozen=True)
class FleetEntry:
    number: PhoneNumber
    business_account: str
    daily_lowest: list[str | None]  # lowest quality rating per day of FleetHealth.days; None: not watched


@dataclass(frozen=True)
class Attention:
    """One thing to look at; urgency 0 = act now, 1 = act soon, 2 = keep an eye on it."""

    urgency: int
    phone_number_id: str | None
    sentence: str


@dataclass(frozen=True)
class FleetHealth:
    days: list[date]
    entries: list[FleetEntry]
    attention: list[Attention]


def _credential_attention(
    credentials: Iterable[Credential], labels: Mapping[str, str], *, now: datetime, tz: tzinfo
) -> list[Attention]:
    found: list[Attention] = []
    for credential in credentials:
        who = f"the token of API credential “{credential.name}” ({masked(credential.token_last4)})"
        if credential.phone_number_id in labels:
            who = f"{labels[credential.phone_number_id]}: {who}"
        else:
            who = who[0].upper() + who[1:]
        expires = credential.token_expires_at
        state = effective_state(credential.token_state, expires, at=now)
        if state in BROKEN_TOKEN_STATES:
            if state != credential.token_state and expires is not None:  # past its date, not yet refused by Meta
                sentence = f"{who} expired on {history_changes.when(expires, tz)}"
            else:
                sentence = f"{who} is {state}" + (f": {credential.token_problem}" if credential.token_problem else "")
            found.append(Attention(0, credential.phone_number_id, sentence))
        elif state == "valid" and expires is not None and expires <= now + ATTENTION_WINDOW:
            days = round((expires - now) / timedelta(days=1))
            soon = "within a day" if expires - now < timedelta(days=1) else f"in {days} day{'s' if days > 1 else ''}"
            sentence = f"{who} expires on {history_changes.when(expires, tz)} ({soon})"
            found.append(Attention(1, credential.phone_number_id, sentence))
    return found


def _number_attention(
    numbers: Sequence[PhoneNumber], drops: Sequence[history_changes.Change], labels: Mapping[str, str], *, tz: tzinfo
) -> list[Attention]:
    found: list[Attention] = []
    for number in numbers:
        label = labels[number.id]
        if QualityRating.parse(number.quality_rating) is QualityRating.RED:
            found.append(Attention(0, number.id, f"{label}: quality rating is RED (low)"))
        status = (number.status or "").upper()
        if status in ALARMING_STATUSES:
            found.append(Attention(0, number.id, f"{label}: status is {status} ({ALARMING_STATUSES[status]})"))
    latest_drop: dict[str, history_changes.Change] = {}
    count: dict[str, int] = {}
    for drop in drops:
        latest_drop[drop.phone_number_id] = drop
        count[drop.phone_number_id] = count.get(drop.phone_number_id, 0) + 1
    for number_id, drop in latest_drop.items():
        more = f" ({count[number_id]} drops in the last 7 days)" if count[number_id] > 1 else ""
        found.append(Attention(2, number_id, f"{labels.get(number_id, number_id)}: {drop.describe(tz)}{more}"))
    return found


def fleet_health(*, session: Session, now: datetime, tz: tzinfo) -> FleetHealth:
    """Every monitored number worst first with its 30-day strip (the viewer's days), and what needs attention."""
    numbers = sorted(fleet.numbers(session=session), key=worst_first)
    labels = {number.id: number_label(number) for number in numbers}
    accounts = {account.id: account.name for account in session.exec(select(WhatsAppBusinessAccount))}
    today = now.astimezone(tz).date()
    days = [today - timedelta(days=STRIP_DAYS - 1 - i) for i in range(STRIP_DAYS)]
    start = datetime.combine(days[0], time(), tz).astimezone(UTC)
    rows = history.read(session=session, phone_number_ids=list(labels), start=start, end=now)
    lowest = history.daily_lowest(history.stretches(rows, start=start, end=now), days=days, tz=tz)
    entries = [
        FleetEntry(number, accounts.get(number.waba_id, number.waba_id), lowest.get(number.id, [None] * len(days)))
        for number in numbers
    ]
    drops = [
        change
        for change in history_changes.changes(rows, start=now - ATTENTION_WINDOW, end=now)
        if change.what == "quality" and change.direction == "dropped"
    ]
    attention = _number_attention(numbers, drops, labels, tz=tz)
    attention += _credential_attention(session.exec(select(Credential)), labels, now=now, tz=tz)
    attention.sort(key=lambda item: (item.urgency, item.sentence))
    return FleetHealth(days=days, entries=entries, attention=attention)
