"""What the Alerts page reads: alerts by state with filters, each with its deliveries and their outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from urllib.parse import urlencode

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from services.alerts import wording
from services.language.languages import ENGLISH
from services.language.languages import parse as parse_language
from services.language.translate import _, lazy
from services.store.models import (
    Alert,
    AlertChannel,
    AlertDelivery,
    Credential,
    MessageTemplate,
    PhoneNumber,
    WhatsAppBusinessAccount,
)
from services.store.types import utcnow

STATES = ("open", "acknowledged", "snoozed", "resolved")
SEVERITIES = ("critical", "warning", "info")
SHOWN = 200
_BATCH = 500
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
_CHANNEL_WORDS = {"email": lazy("Email"), "webhook": lazy("Webhook")}
_SETTINGS_LABELS = {"email": lazy("Email (from settings)"), "webhook": lazy("Webhook (from settings)")}


@dataclass(frozen=True)
class AlertFilter:
    states: Sequence[str] = ("open", "acknowledged", "snoozed")
    severities: Sequence[str] = ()  # none: every severity
    portfolio_id: str | None = None
    waba_id: str | None = None


@dataclass
class AlertView:
    alert: Alert
    waba_id: str | None
    portfolio_id: str | None
    number_link: str | None
    deliveries: list[AlertDelivery] = field(default_factory=list)
    words: wording.Words | None = None  # the title, detail and advice in the reader's language


def open_count(*, session: Session) -> int:
    """How many alerts are open (one COUNT query, for the sidebar of every page)."""
    return int(session.exec(select(func.count()).select_from(Alert).where(col(Alert.state) == "open")).one())


def number_link(phone_number_id: str) -> str:
    """The number's page, relative to the console."""
    return f"Phone_number?{urlencode({'number': phone_number_id})}"


def template_link(template_id: str) -> str:
    return f"Templates?{urlencode({'template': template_id})}"


_LINKS = {"number": number_link, "template": template_link}


def _owners(session: Session, alerts: Iterable[Alert]) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """(subject_kind, subject_id) -> (WABA id, portfolio id) of each subject."""
    alerts = list(alerts)
    numbers = {a.subject_id for a in alerts if a.subject_kind == "number"}
    templates = {a.subject_id for a in alerts if a.subject_kind == "template"}
    credentials = {int(a.subject_id) for a in alerts if a.subject_kind == "credential" and a.subject_id.isdigit()}
    waba_of: dict[tuple[str, str], str] = {}
    if numbers:
        for number_id, waba_id in session.exec(
            select(PhoneNumber.id, PhoneNumber.waba_id).where(col(PhoneNumber.id).in_(numbers))
        ):
            waba_of[("number", number_id)] = waba_id
    if templates:
        for template_id, waba_id in session.exec(
            select(MessageTemplate.id, MessageTemplate.waba_id).where(col(MessageTemplate.id).in_(templates))
        ):
            waba_of[("template", template_id)] = waba_id
    if credentials:
        for credential_id, waba_id in session.exec(
            select(Credential.id, Credential.waba_id).where(col(Credential.id).in_(credentials))
        ):
            waba_of[("credential", str(credential_id))] = waba_id
    for a in alerts:
        if a.subject_kind == "waba":
            waba_of[("waba", a.subject_id)] = a.subject_id
    portfolio_of = dict(
        session.exec(
            select(WhatsAppBusinessAccount.id, WhatsAppBusinessAccount.portfolio_id).where(
                col(WhatsAppBusinessAccount.id).in_(set(waba_of.values()))
            )
        ).all()
    )
    owners: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for a in alerts:
        key = (a.subject_kind, a.subject_id)
        if a.subject_kind == "portfolio":
            owners[key] = (None, a.subject_id)
        else:
            waba_id = waba_of.get(key)
            owners[key] = (waba_id, portfolio_of.get(waba_id) if waba_id else None)
    return owners


def alerts(
    *,
    session: Session,
    where: AlertFilter = AlertFilter(),
    limit: int = SHOWN,
    now: datetime | None = None,
    poll_interval_s: float = wording.DEFAULT_POLL_INTERVAL_S,
) -> list[AlertView]:
    """The alerts `where` asks for, worst first and then newest, each with its WABA, portfolio, link and deliveries,
    and its words in the reader's language (said again at `now` where that is not English).

    Read a batch at a time, so a large history of alerts costs what the page shows, not what the store holds.
    """
    query = select(Alert).where(col(Alert.state).in_(list(where.states)))
    if where.severities:
        query = query.where(col(Alert.severity).in_(list(where.severities)))
    worst_first = case(_SEVERITY_RANK, value=col(Alert.severity), else_=len(_SEVERITY_RANK))
    query = query.order_by(worst_first, col(Alert.opened_at).desc(), col(Alert.id).desc())
    views: list[AlertView] = []
    for offset in count(0, _BATCH):
        batch = list(session.exec(query.offset(offset).limit(_BATCH)))
        owners = _owners(session, batch)
        for alert in batch:
            waba_id, portfolio_id = owners[(alert.subject_kind, alert.subject_id)]
            if where.waba_id and waba_id != where.waba_id:
                continue
            if where.portfolio_id and portfolio_id != where.portfolio_id:
                continue
            link = _LINKS[alert.subject_kind](alert.subject_id) if alert.subject_kind in _LINKS else None
            views.append(AlertView(alert=alert, waba_id=waba_id, portfolio_id=portfolio_id, number_link=link))
            if len(views) >= limit:
                break
        if len(views) >= limit or len(batch) < _BATCH:
            break
    ids = [v.alert.id for v in views]
    if ids:
        by_alert: dict[int | None, list[AlertDelivery]] = {}
        for delivery in session.exec(
            select(AlertDelivery).where(col(AlertDelivery.alert_id).in_(ids)).order_by(col(AlertDelivery.id))
        ):
            by_alert.setdefault(delivery.alert_id, []).append(delivery)
        for view in views:
            view.deliveries = by_alert.get(view.alert.id, [])
    moment = now or utcnow()
    for view in views:
        view.words = wording.said_again(session, view.alert, now=moment, poll_interval_s=poll_interval_s)
    return views


def businesses(*, session: Session) -> dict[str, str]:
    """Business portfolio id -> name, for the filter."""
    rows = session.exec(
        select(WhatsAppBusinessAccount.portfolio_id, WhatsAppBusinessAccount.portfolio_name).where(
            col(WhatsAppBusinessAccount.portfolio_id).is_not(None)
        )
    )
    return {pid: name or pid for pid, name in rows if pid}


def wabas(*, session: Session) -> dict[str, str]:
    """WABA id -> name, for the filter."""
    return {w.id: w.name for w in session.exec(select(WhatsAppBusinessAccount).order_by(WhatsAppBusinessAccount.name))}


@dataclass(frozen=True)
class ChannelView:
    id: int
    label: str  # 'Email: On-call team'
    name: str
    min_severity: str
    enabled: bool
    from_settings: bool
    language: str = ENGLISH.tag  # the language its emails and messages are written in


def _channel_label(channel: AlertChannel) -> str:
    if channel.from_settings and channel.kind in _SETTINGS_LABELS:
        return str(_SETTINGS_LABELS[channel.kind])
    words = _CHANNEL_WORDS.get(channel.kind)
    kind = str(words) if words is not None else channel.kind.capitalize()
    # A channel named for its kind already ('Email on-call') needs no prefix.
    if channel.name.startswith((kind, words.message if words is not None else kind)):
        return channel.name
    return _("{kind}: {name}", kind=kind, name=channel.name)


def language_name(tag: str) -> str:
    """A channel's language in its own name, as the language picker shows it: 'English', '简体中文'."""
    return (parse_language(tag) or ENGLISH).name


def channels(*, session: Session) -> list[ChannelView]:
    """Every channel in words (never its secrets or URLs)."""
    return [
        ChannelView(
            id=c.id,
            label=_channel_label(c),
            name=c.name,
            min_severity=c.min_severity,
            enabled=c.enabled,
            from_settings=c.from_settings,
            language=c.language,
        )
        for c in session.exec(select(AlertChannel).order_by(col(AlertChannel.id)))
        if c.id is not None
    ]


def channel_names(*, session: Session) -> dict[int, str]:
    """Channel id -> its label, for the delivery log."""
    return {c.id: c.label for c in channels(session=session)}
