"""The fleet at a glance: every monitored number's current health, worst first, and what needs attention.

Severities, sentences and advice all come from `services.health.model`; this module only groups them:
one entry per number, or one per WABA or business portfolio when the cause sits there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlmodel import Session, select

from services.access.vault import masked
from services.credentials.views import effective_state
from services.health import fleet, history
from services.health.model import Assessment, Finding, Severity, assess_account, assess_stored
from services.health.vocabulary import entity_words, limit_words
from services.moments import moment_words
from services.store.models import Credential, HealthInterval, PhoneNumber, WhatsAppBusinessAccount

STRIP_DAYS = 14
RECOVERY_WINDOW = timedelta(days=7)
ATTENTION_WINDOW = timedelta(days=7)
BROKEN_TOKEN_STATES = ("expired", "invalid")
_SHARED_CAUSES = ("WABA", "BUSINESS", "APP")


def number_label(number: PhoneNumber) -> str:
    """'Jasper's Market +1 631-555-0101'."""
    return f"{number.verified_name} {number.display_phone_number}".strip()


def worst_first(number: PhoneNumber) -> tuple[int, str, str]:
    """Sort key by the health model's severity, then name."""
    return assess_stored(number).severity, number.verified_name, number.id


@dataclass(frozen=True)
class FleetEntry:
    number: PhoneNumber
    business_account: str
    assessment: Assessment
    daily_worst: list[Severity | None]  # worst severity per day of FleetHealth.days; None: not watched


@dataclass(frozen=True)
class Attention:
    """One thing to act on: a number, a WABA or portfolio (with the numbers it holds back), or a token."""

    severity: Severity
    subject: str  # "Lucky Shrub +1 415-555-0104", "WhatsApp Business Account Lucky Shrub"
    sentence: str  # completes the subject: "cannot send messages (Meta error 141006)"
    since: datetime | None = None
    meta_says: str = ""
    advice: str = ""
    numbers: tuple[str, ...] = ()  # labels of the numbers a shared cause holds back
    phone_number_id: str | None = None
    also: tuple[str, ...] = ()  # the number's lesser findings


@dataclass(frozen=True)
class Recovery:
    subject: str
    sentence: str  # what it was: "could send only with limits"
    recovered_at: datetime
    phone_number_id: str


@dataclass(frozen=True)
class Portfolio:
    """A business portfolio: the messaging limit its numbers share (Meta's model since October 2025)."""

    id: str
    name: str
    limit: str  # in words
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class FleetHealth:
    days: list[date]
    entries: list[FleetEntry]
    attention: list[Attention]
    recovered: list[Recovery] = field(default_factory=list)
    portfolios: list[Portfolio] = field(default_factory=list)
    unknown: int = 0  # numbers whose health Meta has not reported yet


def _credential_attention(
    credentials: Iterable[Credential], labels: Mapping[str, str], *, now: datetime, tz: tzinfo
) -> list[Attention]:
    found: list[Attention] = []
    for credential in credentials:
        who = f"The token of API credential “{credential.name}” ({masked(credential.token_last4)})"
        expires = credential.token_expires_at
        state = effective_state(credential.token_state, expires, at=now)
        numbers = (labels[credential.phone_number_id],) if credential.phone_number_id in labels else ()
        renew = "Replace the token on the API credentials page; until then its numbers are not polled."
        if state in BROKEN_TOKEN_STATES:
            if state != credential.token_state and expires is not None:  # past its date, not yet refused by Meta
                sentence = f"expired on {moment_words(expires, tz)}"
            else:
                sentence = f"is {state}"
            found.append(
                Attention(
                    Severity.BLOCKED,
                    who,
                    sentence,
                    meta_says=credential.token_problem or "",
                    advice=renew,
                    numbers=numbers,
                )
            )
        elif state == "valid" and expires is not None and expires <= now + ATTENTION_WINDOW:
            days = round((expires - now) / timedelta(days=1))
            soon = "within a day" if expires - now < timedelta(days=1) else f"in {days} day{'s' if days > 1 else ''}"
            sentence = f"expires on {moment_words(expires, tz)} ({soon})"
            found.append(Attention(Severity.AT_RISK, who, sentence, advice=renew, numbers=numbers))
    return found


def severity_since(rows: Sequence[HealthInterval], severity: Severity) -> datetime | None:
    """When the number's current severity began, as far back as the rows read reach."""
    since = None
    for row in reversed(rows):
        if assess_stored(row).severity != severity:
            break
        since = row.since
    return since


def _shared_cause(finding: Finding, number: PhoneNumber) -> tuple[str, str] | None:
    """(entity type, entity id) when the number's worst finding comes from its WABA, portfolio or app."""
    if finding.aspect != "can send":
        return None
    for problem in number.health_problems or []:
        kind = str(problem.get("entity_type") or "").upper()
        if kind in _SHARED_CAUSES and problem.get("error_code") == finding.error_code:
            return kind, str(problem.get("entity_id") or "")
    return None


def _number_attention(
    numbers: Sequence[PhoneNumber],
    assessments: Mapping[str, Assessment],
    rows: Mapping[str, list[HealthInterval]],
    labels: Mapping[str, str],
    accounts: Mapping[str, WhatsAppBusinessAccount],
) -> list[Attention]:
    found: list[Attention] = []
    shared: dict[tuple[str, str, int | None], list[PhoneNumber]] = {}
    for number in numbers:
        assessment = assessments[number.id]
        if not assessment.severity.needs_attention:
            continue
        worst = assessment.findings[0]
        cause = _shared_cause(worst, number)
        if cause is not None:
            shared.setdefault((*cause, worst.error_code), []).append(number)
            continue
        found.append(
            Attention(
                assessment.severity,
                labels[number.id],
                worst.sentence,
                since=severity_since(rows.get(number.id, []), assessment.severity),
                meta_says=worst.meta_says,
                advice=worst.advice,
                phone_number_id=number.id,
                also=tuple(f.sentence for f in assessment.findings[1:] if f.severity.needs_attention),
            )
        )
    for (kind, entity_id, _code), held in shared.items():
        worst = assessments[held[0].id].findings[0]
        account = accounts.get(held[0].waba_id)
        if kind == "WABA" and account is not None:
            subject = f"WhatsApp Business Account {account.name}"
        elif kind == "BUSINESS" and account is not None and account.portfolio_name:
            subject = f"Business portfolio {account.portfolio_name}"
        else:
            subject = entity_words(kind).removeprefix("its ").removeprefix("the ").capitalize() + f" {entity_id}"
        verb = "cannot send messages" if worst.severity is Severity.BLOCKED else "can send only with limits"
        code = f" (Meta error {worst.error_code})" if worst.error_code is not None else ""
        starts = [severity_since(rows.get(n.id, []), assessments[n.id].severity) for n in held]
        found.append(
            Attention(
                worst.severity,
                subject,
                f"{verb}: none of its {len(held)} number{'s' if len(held) > 1 else ''} can send freely{code}"
                if len(held) > 1
                else f"{verb}{code}",
                since=min((s for s in starts if s is not None), default=None),
                meta_says=worst.meta_says,
                advice=worst.advice,
                numbers=tuple(labels[n.id] for n in held),
            )
        )
    return found


def _recoveries(
    numbers: Sequence[PhoneNumber],
    assessments: Mapping[str, Assessment],
    rows: Mapping[str, list[HealthInterval]],
    labels: Mapping[str, str],
) -> list[Recovery]:
    """Numbers that needed attention in the last 7 days and no longer do, with when they recovered."""
    found: list[Recovery] = []
    for number in numbers:
        if assessments[number.id].severity.needs_attention:
            continue
        history_rows = rows.get(number.id, [])
        for earlier, later in zip(reversed(history_rows[:-1]), reversed(history_rows[1:]), strict=True):
            before, after = assess_stored(earlier), assess_stored(later)
            if before.severity.needs_attention and not after.severity.needs_attention:
                found.append(Recovery(labels[number.id], before.headline, later.since, number.id))
                break
    return sorted(found, key=lambda r: r.recovered_at, reverse=True)


def _portfolios(
    numbers: Sequence[PhoneNumber], accounts: Mapping[str, WhatsAppBusinessAccount], labels: Mapping[str, str]
) -> list[Portfolio]:
    grouped: dict[str, list[PhoneNumber]] = {}
    names: dict[str, str] = {}
    for number in numbers:
        account = accounts.get(number.waba_id)
        key = (account.portfolio_id if account else None) or f"waba:{number.waba_id}"
        names.setdefault(key, (account.portfolio_name if account else None) or (account.name if account else key))
        grouped.setdefault(key, []).append(number)
    portfolios = []
    for key, members in grouped.items():
        newest = max(members, key=lambda n: n.last_polled_at or datetime.min.replace(tzinfo=UTC))
        portfolios.append(
            Portfolio(key, names[key], limit_words(newest.messaging_limit), tuple(labels[n.id] for n in members))
        )
    return sorted(portfolios, key=lambda p: p.name)


def fleet_health(*, session: Session, now: datetime, tz: tzinfo) -> FleetHealth:
    """Every monitored number worst first with its daily strip (the viewer's days), and what needs attention."""
    accounts = {account.id: account for account in session.exec(select(WhatsAppBusinessAccount))}
    stored = fleet.numbers(session=session)
    assessments = {number.id: assess_stored(number) for number in stored}
    numbers = sorted(stored, key=lambda n: (assessments[n.id].severity, n.verified_name, n.id))
    labels = {number.id: number_label(number) for number in numbers}
    today = now.astimezone(tz).date()
    days = [today - timedelta(days=STRIP_DAYS - 1 - i) for i in range(STRIP_DAYS)]
    start = datetime.combine(days[0], time(), tz).astimezone(UTC)
    read = history.read(session=session, phone_number_ids=list(labels), start=start, end=now)
    rows: dict[str, list[HealthInterval]] = {}
    for row in read:
        rows.setdefault(row.phone_number_id, []).append(row)
    found = history.stretches(read, start=start, end=now)
    strips = history.daily_worst(found, days=days, tz=tz, value=lambda stretch: assess_stored(stretch).severity)
    entries = [
        FleetEntry(
            number,
            accounts[number.waba_id].name if number.waba_id in accounts else number.waba_id,
            assessments[number.id],
            strips.get(number.id, [None] * len(days)),
        )
        for number in numbers
    ]
    attention = _number_attention(numbers, assessments, rows, labels, accounts)
    attention += _account_attention(accounts.values(), numbers, labels)
    attention += _credential_attention(session.exec(select(Credential)), labels, now=now, tz=tz)
    # Numbers and accounts before tokens at one severity: what cannot send, then why nothing may be polled.
    attention.sort(key=lambda item: (item.severity, item.subject.startswith("The token"), item.subject))
    recent = {
        number_id: [r for r in kept if r.last_confirmed_at >= now - RECOVERY_WINDOW] for number_id, kept in rows.items()
    }
    return FleetHealth(
        days=days,
        entries=entries,
        attention=attention,
        recovered=_recoveries(numbers, assessments, recent, labels),
        portfolios=_portfolios(numbers, accounts, labels),
        unknown=sum(1 for a in assessments.values() if a.severity is Severity.UNKNOWN),
    )


def _account_attention(
    accounts: Iterable[WhatsAppBusinessAccount], numbers: Sequence[PhoneNumber], labels: Mapping[str, str]
) -> list[Attention]:
    """A WABA whose review failed (a ban), even when no number of it is listed as blocked."""
    found = []
    for account in accounts:
        assessment = assess_account(review_status=account.review_status, can_send="AVAILABLE", problems=())
        if not assessment.severity.needs_attention:
            continue
        worst = assessment.findings[0]
        held = tuple(labels[n.id] for n in numbers if n.waba_id == account.id)
        found.append(
            Attention(
                assessment.severity,
                f"WhatsApp Business Account {account.name}",
                worst.sentence,
                advice=worst.advice,
                numbers=held,
            )
        )
    return found
