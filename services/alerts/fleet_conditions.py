"""What is wrong with the fleet now: numbers, WABAs and portfolios, judged by the one health model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from services.alerts.condition import Condition
from services.alerts.rules import milder
from services.graph.types import HealthProblem
from services.health.model import Finding, Severity, assess_account, assess_stored
from services.health.vocabulary import limit_words
from services.language.translate import _
from services.store.models import HealthInterval, PhoneNumber, WhatsAppBusinessAccount

LIMIT_WINDOW = timedelta(days=7)  # a limit lowered this recently keeps its alert open
LIMIT_ORDER = ("TIER_50", "TIER_250", "TIER_1K", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED")


def number_name(number: PhoneNumber) -> str:
    """'+1 212-555-0107 (Aurora Coffee Deliveries)'."""
    name = number.display_phone_number or number.id
    return f"{name} ({number.verified_name})" if number.verified_name else name


def _details(findings: tuple[Finding, ...] | list[Finding]) -> str:
    lines = [
        _("{finding} Meta says: {meta_says}", finding=f.sentence, meta_says=f.meta_says) if f.meta_says else f.sentence
        for f in findings
    ]
    return "\n".join(lines)[:2000]


def number_conditions(number: PhoneNumber, severity_of: dict[str, str]) -> Iterator[Condition]:
    assessment = assess_stored(number)
    name = number_name(number)

    def make(rule: str, findings: list[Finding], worst_is_default: bool) -> Condition:
        severity = severity_of[rule] if worst_is_default else milder(severity_of[rule])
        first = findings[0]
        return Condition(
            rule,
            "number",
            number.id,
            name,
            severity,
            _("{number} {finding}", number=name, finding=first.sentence)[:300],
            _details(findings),
            str(first.advice)[:500],
        )

    sending = [f for f in assessment.findings if f.aspect in ("can send", "status") and f.severity <= Severity.AT_RISK]
    if "number_cannot_send" in severity_of and sending:
        yield make("number_cannot_send", sending, sending[0].severity is Severity.BLOCKED)
    quality = [f for f in assessment.findings if f.aspect == "quality"]
    if "quality_dropped" in severity_of and quality:
        yield make("quality_dropped", quality, quality[0].severity <= Severity.AT_RISK)
    named = [f for f in assessment.findings if f.aspect == "display name"]
    if "display_name_rejected" in severity_of and named:
        yield make("display_name_rejected", named, True)


def account_condition(account: WhatsAppBusinessAccount, severity: str) -> Condition | None:
    problems = [HealthProblem.from_json(row) for row in account.health_problems or [] if isinstance(row, dict)]
    assessment = assess_account(review_status=account.review_status, can_send=account.can_send, problems=problems)
    if assessment.severity is not Severity.BLOCKED:
        return None
    first = assessment.findings[0]
    return Condition(
        "waba_banned",
        "waba",
        account.id,
        account.name or account.id,
        severity,
        _("WhatsApp Business Account {name} {finding}", name=account.name or account.id, finding=first.sentence)[:300],
        _details(assessment.findings),
        str(first.advice)[:500],
    )


def _rank(limit: str | None) -> int | None:
    return LIMIT_ORDER.index(limit.upper()) if limit and limit.upper() in LIMIT_ORDER else None


def _window_limits(
    session: Session, cutoff: datetime, waba_ids: list[str] | None
) -> Iterator[tuple[str, str, str | None, str | None]]:
    """(number, WABA, limit now, a limit it had since `cutoff`) of the numbers whose history has a stretch begun
    since then, by number: a number unchanged since cannot have been lowered, so neither it nor older history is
    read. Each such number's stretch in force at `cutoff` counts as one it had."""
    # No DISTINCT: SQLite would then walk the whole (number, since) index; the IN below removes repeats anyway.
    recent = select(HealthInterval.phone_number_id).where(col(HealthInterval.since) >= cutoff).subquery()
    earlier = aliased(HealthInterval)
    in_force = (
        select(func.max(earlier.id))
        .where(col(earlier.phone_number_id) == recent.c.phone_number_id, col(earlier.since) < cutoff)
        .scalar_subquery()
    )
    query = (
        select(PhoneNumber.id, PhoneNumber.waba_id, PhoneNumber.messaging_limit, HealthInterval.messaging_limit)
        .join(PhoneNumber, col(PhoneNumber.id) == col(HealthInterval.phone_number_id))
        .where((col(HealthInterval.since) >= cutoff) | col(HealthInterval.id).in_(select(in_force).select_from(recent)))
        .order_by(col(PhoneNumber.id))
    )
    if waba_ids is not None:
        query = query.where(col(PhoneNumber.waba_id).in_(waba_ids))
    yield from session.exec(query)


def limit_conditions(
    session: Session, now: datetime, severity: str, *, waba_ids: list[str] | None = None
) -> Iterator[Condition]:
    """A portfolio whose limit is lower now than at any time in the last week (of the fleet, or of `waba_ids`)."""
    highest: dict[str, int] = {}
    numbers: dict[str, tuple[str, str | None]] = {}  # in number order: the first lowered number names its portfolio
    for number_id, waba_id, limit_now, limit_then in _window_limits(session, now - LIMIT_WINDOW, waba_ids):
        numbers[number_id] = (waba_id, limit_now)
        if (rank := _rank(limit_then)) is not None:
            highest[number_id] = max(rank, highest.get(number_id, rank))
    if not highest:
        return
    accounts = {a.id: a for a in session.exec(select(WhatsAppBusinessAccount))}
    seen: set[str] = set()
    for number_id, (waba_id, limit_now) in numbers.items():
        now_rank, was = _rank(limit_now), highest.get(number_id)
        if now_rank is None or was is None or now_rank >= was:
            continue
        account = accounts.get(waba_id)
        portfolio = (account.portfolio_id if account else None) or f"waba:{waba_id}"
        if portfolio in seen:
            continue
        seen.add(portfolio)
        name = (account.portfolio_name or account.name) if account else waba_id
        title = _(
            "Business portfolio {name}: messaging limit lowered to {limit}",
            name=name,
            limit=limit_words(limit_now),
        )
        detail = _(
            "It was {limit} within the last 7 days; every number of the portfolio shares it.",
            limit=limit_words(LIMIT_ORDER[was]),
        )
        advice = _("Send to fewer new customers; check the numbers' quality ratings in WhatsApp Manager.")
        yield Condition(
            "portfolio_limit_lowered", "portfolio", portfolio[:64], name or "", severity, title[:300], detail, advice
        )
