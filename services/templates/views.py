"""What the screens read of message templates: the list (worst first, filtered, paged), one template, the trouble.

Every query is bounded by what the screen shows: the list reads one page and a count, a template's page reads its
history in a range, and the overview reads counts per severity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from services.health.model import Assessment, Severity, assess_stored_template
from services.language.current import current
from services.language.languages import ENGLISH
from services.language.translate import lazy
from services.store.models import (
    MessageTemplate,
    PhoneNumber,
    TemplateInterval,
    WebhookEvent,
    WhatsAppBusinessAccount,
)
from services.templates.webhook_changes import template_id_of
from services.webhooks.events import TEMPLATE_FIELDS, Change

PROFILE_RANGE = timedelta(days=30)
MAX_PAGE_SIZE = 200
MAX_EVENTS = 200
WHATSAPP_MANAGER = "https://business.facebook.com/wa/manage/message-templates/"
OK_HEADLINE = lazy("is active and can be sent")


def template_url(template_id: str) -> str:
    """The template's own view on the Templates page, relative to the console."""
    return f"/Templates?{urlencode({'template': template_id})}"


@dataclass(frozen=True)
class TemplateQuery:
    search: str = ""  # part of the name, case-insensitive
    waba_ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    qualities: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    severities: tuple[Severity, ...] = ()
    page: int = 1  # 1-based; clamped to the last page
    page_size: int = 50


@dataclass(frozen=True)
class TemplateRow:
    id: str
    waba_id: str
    waba_name: str
    name: str
    language: str
    category: str
    status: str
    quality_score: str
    reason: str | None
    severity: Severity
    headline: str  # completes "<name (language)> ..."
    changed_at: datetime | None
    last_polled_at: datetime | None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.language})"

    @property
    def url(self) -> str:
        return template_url(self.id)


@dataclass(frozen=True)
class TemplatePage:
    rows: tuple[TemplateRow, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


@dataclass(frozen=True)
class TemplateFilters:
    wabas: tuple[tuple[str, str], ...]  # (id, name) of the WABAs that have templates
    statuses: tuple[str, ...]
    categories: tuple[str, ...]
    qualities: tuple[str, ...]
    languages: tuple[str, ...]


@dataclass(frozen=True)
class TemplateEvent:
    at: datetime
    field: str
    summary: str


@dataclass(frozen=True)
class TemplateProfile:
    template: MessageTemplate
    account: WhatsAppBusinessAccount | None
    label: str
    assessment: Assessment
    since: datetime | None  # when the current severity began, as far back as the history read
    history: tuple[TemplateInterval, ...]  # oldest first
    events: tuple[TemplateEvent, ...]  # newest first
    start: datetime
    end: datetime

    @property
    def whatsapp_manager_url(self) -> str:
        query = {"waba_id": self.template.waba_id}
        business = (self.account.portfolio_id or self.account.business_id) if self.account else None
        if business:
            query["business_id"] = business
        return f"{WHATSAPP_MANAGER}?{urlencode(query)}"


def _headline(assessment: Assessment) -> str:
    return str(assessment.findings[0].sentence) if assessment.findings else str(OK_HEADLINE)


def _row(template: MessageTemplate, waba_name: str | None) -> TemplateRow:
    return TemplateRow(
        id=template.id,
        waba_id=template.waba_id,
        waba_name=waba_name or template.waba_id,
        name=template.name,
        language=template.language,
        category=template.category,
        status=template.status,
        quality_score=template.quality_score,
        reason=template.reason,
        severity=Severity(template.severity),
        headline=_headline(assess_stored_template(template)),
        changed_at=template.changed_at,
        last_polled_at=template.last_polled_at,
    )


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(query: Any, wanted: TemplateQuery) -> Any:
    if wanted.search.strip():
        query = query.where(func.lower(col(MessageTemplate.name)).like(_like(wanted.search.strip()), escape="\\"))
    for column, values in (
        (MessageTemplate.waba_id, wanted.waba_ids),
        (MessageTemplate.status, wanted.statuses),
        (MessageTemplate.category, wanted.categories),
        (MessageTemplate.quality_score, wanted.qualities),
        (MessageTemplate.language, wanted.languages),
        (MessageTemplate.severity, tuple(int(s) for s in wanted.severities)),
    ):
        if values:
            query = query.where(col(column).in_(list(values)))
    return query


def template_page(*, session: Session, query: TemplateQuery) -> TemplatePage:
    """One page of the templates `query` asks for, worst first (severity, name, language), and how many match."""
    size = max(1, min(query.page_size, MAX_PAGE_SIZE))
    total = session.exec(_filtered(select(func.count()).select_from(MessageTemplate), query)).one()
    page = max(1, min(query.page, max(1, math.ceil(total / size))))
    listing = (
        select(MessageTemplate, WhatsAppBusinessAccount.name)
        .join(WhatsAppBusinessAccount, col(WhatsAppBusinessAccount.id) == col(MessageTemplate.waba_id))
        .order_by(
            col(MessageTemplate.severity),
            col(MessageTemplate.name),
            col(MessageTemplate.language),
            col(MessageTemplate.id),
        )
        .offset((page - 1) * size)
        .limit(size)
    )
    rows = tuple(_row(template, name) for template, name in session.exec(_filtered(listing, query)))
    return TemplatePage(rows=rows, total=total, page=page, page_size=size)


def template_filters(*, session: Session) -> TemplateFilters:
    """The values the filters offer: only those some stored template has."""

    def distinct(column: Any) -> tuple[str, ...]:
        return tuple(v for v in session.exec(select(column).distinct().order_by(column)) if v)

    wabas = session.exec(
        select(WhatsAppBusinessAccount.id, WhatsAppBusinessAccount.name)
        .where(col(WhatsAppBusinessAccount.id).in_(select(MessageTemplate.waba_id).distinct()))
        .order_by(col(WhatsAppBusinessAccount.name), col(WhatsAppBusinessAccount.id))
    ).all()
    return TemplateFilters(
        wabas=tuple((waba_id, name) for waba_id, name in wabas),
        statuses=distinct(col(MessageTemplate.status)),
        categories=distinct(col(MessageTemplate.category)),
        qualities=distinct(col(MessageTemplate.quality_score)),
        languages=distinct(col(MessageTemplate.language)),
    )


def _since(rows: tuple[TemplateInterval, ...], severity: Severity) -> datetime | None:
    since = None
    for row in reversed(rows):
        if assess_stored_template(row).severity is not severity:
            break
        since = row.since
    return since


def _summary(session: Session, event: WebhookEvent) -> str:
    """The event's sentence: as stored in English; said again from the stored value in another language."""
    if current() == ENGLISH or not isinstance(event.value, dict):
        return event.summary
    from services.webhooks.apply import event_summary  # it imports the alerts, which read templates

    change = Change(field=event.field, entry_id=event.waba_id or "", value=event.value, occurred_at=event.occurred_at)
    account = session.get(WhatsAppBusinessAccount, event.waba_id) if event.waba_id else None
    number = session.get(PhoneNumber, event.phone_number_id) if event.phone_number_id else None
    return event_summary(change, account, number)


def _events(session: Session, template: MessageTemplate, start: datetime, end: datetime) -> tuple[TemplateEvent, ...]:
    # Template events name their template only inside the payload: read the WABA's template events in the range.
    query = (
        select(WebhookEvent)
        .where(col(WebhookEvent.field).in_(sorted(TEMPLATE_FIELDS)), col(WebhookEvent.waba_id) == template.waba_id)
        .where(col(WebhookEvent.received_at) >= start, col(WebhookEvent.received_at) <= end)
        .order_by(col(WebhookEvent.received_at).desc(), col(WebhookEvent.id).desc())
    )
    found: list[TemplateEvent] = []
    for event in session.exec(query):
        if template_id_of(event.value or {}) == template.id:
            found.append(
                TemplateEvent(
                    at=event.occurred_at or event.received_at, field=event.field, summary=_summary(session, event)
                )
            )
            if len(found) >= MAX_EVENTS:
                break
    return tuple(found)


def template_profile(
    *,
    session: Session,
    template_id: str,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
) -> TemplateProfile | None:
    """The template with its assessment, history in [start, end] (30 days by default) and webhook events in words."""
    template = session.get(MessageTemplate, template_id)
    if template is None:
        return None
    end = end or now
    start = start or end - PROFILE_RANGE
    newest = select(func.max(TemplateInterval.id)).where(col(TemplateInterval.template_id) == template_id)
    history = tuple(
        session.exec(
            select(TemplateInterval)
            .where(col(TemplateInterval.template_id) == template_id, col(TemplateInterval.since) <= end)
            .where(
                or_(
                    col(TemplateInterval.last_confirmed_at) >= start,
                    col(TemplateInterval.id) == newest.scalar_subquery(),
                )
            )
            .order_by(col(TemplateInterval.since), col(TemplateInterval.id))
        )
    )
    assessment = assess_stored_template(template)
    return TemplateProfile(
        template=template,
        account=session.get(WhatsAppBusinessAccount, template.waba_id),
        label=f"{template.name} ({template.language})",
        assessment=assessment,
        since=_since(history, assessment.severity),
        history=history,
        events=_events(session, template, start, end),
        start=start,
        end=end,
    )


def troubled_templates(*, session: Session, waba_id: str, limit: int = 10) -> list[TemplateRow]:
    """The WABA's templates that need attention (watch or worse), worst first: for the number's page."""
    query = (
        select(MessageTemplate, WhatsAppBusinessAccount.name)
        .join(WhatsAppBusinessAccount, col(WhatsAppBusinessAccount.id) == col(MessageTemplate.waba_id))
        .where(col(MessageTemplate.waba_id) == waba_id, col(MessageTemplate.severity) <= int(Severity.WATCH))
        .order_by(col(MessageTemplate.severity), col(MessageTemplate.name), col(MessageTemplate.id))
        .limit(limit)
    )
    return [_row(template, name) for template, name in session.exec(query)]


def trouble_counts(*, session: Session) -> dict[Severity, int]:
    """How many templates of the fleet have each severity (every severity a key): for the overview."""
    counts = dict.fromkeys(Severity, 0)
    grouped = select(MessageTemplate.severity, func.count()).group_by(col(MessageTemplate.severity))
    for severity, count in session.exec(grouped):
        counts[Severity(severity)] = count
    return counts
