"""What is wrong with the fleet now: numbers, WABAs and portfolios, judged by the one health model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.alerts.condition import Condition
from services.alerts.rules import milder
from services.graph.types import HealthProblem
from services.health.model import Finding, Severity, assess_account, assess_stored
from services.health.vocabulary import limit_words
from services.language.translate import _
from services.store.models import HealthInterval, PhoneNumber, WhatsAppBusinessAccount

LIMIT_WINDOW = timedelta(days=7)  # a limit lowered this recently keeps its alert open
IDS_PER_STATEMENT = 10_000
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


def limit_conditions(session: Session, numbers: list[PhoneNumber], now: datetime, severity: str) -> Iterator[Condition]:
    """A portfolio whose limit is lower now than at any time in the last week."""
    ids = [n.id for n in numbers]
    if not ids:
        return
    cutoff = now - LIMIT_WINDOW
    highest: dict[str, int] = {}
    # In slices: PostgreSQL takes at most 65,535 parameters a statement, and each slice names its ids twice.
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        part = ids[start : start + IDS_PER_STATEMENT]
        before = (
            select(func.max(HealthInterval.id))
            .where(col(HealthInterval.phone_number_id).in_(part), col(HealthInterval.since) < cutoff)
            .group_by(col(HealthInterval.phone_number_id))
        )
        rows = session.exec(
            select(HealthInterval.phone_number_id, HealthInterval.messaging_limit)
            .where(col(HealthInterval.phone_number_id).in_(part))
            .where((col(HealthInterval.since) >= cutoff) | col(HealthInterval.id).in_(before))
        )
        for number_id, limit in rows:
            rank = _rank(limit)
            if rank is not None:
                highest[number_id] = max(rank, highest.get(number_id, rank))
    accounts = {a.id: a for a in session.exec(select(WhatsAppBusinessAccount))}
    seen: set[str] = set()
    for number in numbers:
        now_rank, was = _rank(number.messaging_limit), highest.get(number.id)
        if now_rank is None or was is None or now_rank >= was:
            continue
        account = accounts.get(number.waba_id)
        portfolio = (account.portfolio_id if account else None) or f"waba:{number.waba_id}"
        if portfolio in seen:
            continue
        seen.add(portfolio)
        name = (account.portfolio_name or account.name) if account else number.waba_id
        title = _(
            "Business portfolio {name}: messaging limit lowered to {limit}",
            name=name,
            limit=limit_words(number.messaging_limit),
        )
        detail = _(
            "It was {limit} within the last 7 days; every number of the portfolio shares it.",
            limit=limit_words(LIMIT_ORDER[was]),
        )
        advice = _("Send to fewer new customers; check the numbers' quality ratings in WhatsApp Manager.")
        yield Condition(
            "portfolio_limit_lowered", "portfolio", portfolio[:64], name or "", severity, title[:300], detail, advice
        )
