"""What the Webhooks page shows: where Meta must post, what arrived (the last per WABA, the newest first), what
was refused, and tables of it in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

import pandas as pd
from sqlmodel import Session, col, func, select

from services.health.vocabulary import webhook_field_words
from services.language.current import current
from services.language.languages import ENGLISH
from services.language.translate import _, lazy
from services.settings import Settings
from services.store.models import PhoneNumber, WebhookEvent, WebhookRefusal, WhatsAppBusinessAccount
from services.web.webhooks import WEBHOOK_PATH
from services.webhooks.apply import event_summary
from services.webhooks.events import Change
from services.webhooks.secrets import webhook_secrets

EVENTS_SHOWN = 200
REFUSALS_SHOWN = 50
OUTCOMES = {
    "applied": lazy("Applied to the health model"),
    "stored": lazy("Stored (templates are read later)"),
    "unknown_field": lazy("Stored; the console does not know this kind of event"),
}
REFUSALS = {
    "missing_signature": lazy("No signature"),
    "bad_signature": lazy("Wrong signature"),
    "too_large": lazy("Body over 1 MB"),
    "not_json": lazy("Not JSON"),
    "not_configured": lazy("Webhooks not turned on"),
}


@dataclass(frozen=True)
class Setup:
    """What to paste into Meta's app settings, and whether the console can take deliveries yet."""

    callback_url: str | None  # None: neither CONSOLE_BASE_URL nor the browser tells this console's address
    verify_token: str | None  # shown in demo mode only
    receiving: bool  # an app secret applies, so signed deliveries are taken
    handshake_ready: bool  # a verify token applies, so Meta's verification succeeds


def callback_url(settings: Settings, browser_origin: str | None) -> str | None:
    """CONSOLE_BASE_URL if set, else the address the browser reached the console at, and the webhook path."""
    base = settings.console_base_url or (browser_origin or "").rstrip("/")
    return f"{base}{WEBHOOK_PATH}" if base else None


def setup(settings: Settings, browser_origin: str | None) -> Setup:
    app_secret, verify_token = webhook_secrets(settings)
    return Setup(
        callback_url=callback_url(settings, browser_origin),
        verify_token=verify_token if settings.demo else None,
        receiving=bool(app_secret),
        handshake_ready=bool(verify_token),
    )


def _accounts(session: Session, waba_ids: set[str]) -> dict[str, WhatsAppBusinessAccount]:
    if not waba_ids:
        return {}
    rows = session.exec(select(WhatsAppBusinessAccount).where(col(WhatsAppBusinessAccount.id).in_(waba_ids)))
    return {row.id: row for row in rows}


def _account(accounts: dict[str, WhatsAppBusinessAccount], waba_id: str | None) -> str:
    if not waba_id:
        return _("Not named in the event")
    return f"{accounts[waba_id].name} ({waba_id})" if waba_id in accounts else waba_id


def _sentences(session: Session, events: list[WebhookEvent], accounts: dict[str, WhatsAppBusinessAccount]) -> list[str]:
    """Each event's sentence: as stored in English; said again from the stored value in another language."""
    if current() == ENGLISH:
        return [event.summary for event in events]
    ids = {e.phone_number_id for e in events if e.phone_number_id}
    numbers = {n.id: n for n in session.exec(select(PhoneNumber).where(col(PhoneNumber.id).in_(ids)))} if ids else {}
    said = []
    for event in events:
        if not isinstance(event.value, dict):
            said.append(event.summary)
            continue
        change = Change(
            field=event.field, entry_id=event.waba_id or "", value=event.value, occurred_at=event.occurred_at
        )
        account = accounts.get(event.waba_id) if event.waba_id else None
        number = numbers.get(event.phone_number_id) if event.phone_number_id else None
        said.append(event_summary(change, account, number))
    return said


def recent_events(*, session: Session, limit: int = EVENTS_SHOWN) -> list[WebhookEvent]:
    """The events received, newest first."""
    newest = col(WebhookEvent.received_at).desc(), col(WebhookEvent.id).desc()
    return list(session.exec(select(WebhookEvent).order_by(*newest).limit(limit)))


def last_per_account(*, session: Session) -> list[WebhookEvent]:
    """The newest event of each WABA that sent any, newest first."""
    newest = (
        select(func.max(WebhookEvent.id))
        .where(col(WebhookEvent.waba_id).is_not(None))
        .group_by(col(WebhookEvent.waba_id))
    )
    found = session.exec(select(WebhookEvent).where(col(WebhookEvent.id).in_(newest)))
    return sorted(found, key=lambda event: (event.received_at, event.id or 0), reverse=True)


def recent_refusals(*, session: Session, limit: int = REFUSALS_SHOWN) -> list[WebhookRefusal]:
    """Deliveries refused before anything was stored, newest first."""
    newest = col(WebhookRefusal.at).desc(), col(WebhookRefusal.id).desc()
    return list(session.exec(select(WebhookRefusal).order_by(*newest).limit(limit)))


def _local(moment: object, tz: tzinfo) -> object:
    return pd.Timestamp(moment).tz_convert(tz) if moment is not None else None


def events_table(*, session: Session, events: list[WebhookEvent], tz: tzinfo) -> pd.DataFrame:
    """One row per event in words: when it came, when Meta says it happened, which WABA, what, and the outcome."""
    accounts = _accounts(session, {e.waba_id for e in events if e.waba_id})
    columns = [_("Received"), _("Happened"), _("WhatsApp Business Account"), _("About"), _("What happened")]
    columns.append(_("Outcome"))
    rows = [
        dict(
            zip(
                columns,
                (
                    _local(event.received_at, tz),
                    _local(event.occurred_at, tz),
                    _account(accounts, event.waba_id),
                    webhook_field_words(event.field),
                    sentence,
                    str(OUTCOMES.get(event.outcome, event.outcome.replace("_", " "))),
                ),
                strict=True,
            )
        )
        for event, sentence in zip(events, _sentences(session, events, accounts), strict=True)
    ]
    return pd.DataFrame(rows, columns=columns)


def refusals_table(refusals: list[WebhookRefusal], tz: tzinfo) -> pd.DataFrame:
    columns = [_("Refused"), _("From address"), _("Why"), _("Body size (bytes)")]
    rows = [
        dict(
            zip(
                columns,
                (
                    _local(refusal.at, tz),
                    refusal.source_address or _("Not known"),
                    str(REFUSALS.get(refusal.reason, refusal.reason.replace("_", " "))),
                    refusal.body_bytes,
                ),
                strict=True,
            )
        )
        for refusal in refusals
    ]
    return pd.DataFrame(rows, columns=columns)
