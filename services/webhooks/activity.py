"""What the Webhooks page shows: where Meta must post, what arrived (the last per WABA, the newest first), what
was refused, and tables of it in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

import pandas as pd
from sqlmodel import Session, col, func, select

from services.health.vocabulary import webhook_field_words
from services.settings import Settings
from services.store.models import WebhookEvent, WebhookRefusal, WhatsAppBusinessAccount
from services.web.webhooks import WEBHOOK_PATH
from services.webhooks.secrets import webhook_secrets

EVENTS_SHOWN = 200
REFUSALS_SHOWN = 50
OUTCOMES = {
    "applied": "Applied to the health model",
    "stored": "Stored (templates are read later)",
    "unknown_field": "Stored; the console does not know this kind of event",
}
REFUSALS = {
    "missing_signature": "No signature",
    "bad_signature": "Wrong signature",
    "too_large": "Body over 1 MB",
    "not_json": "Not JSON",
    "not_configured": "Webhooks not turned on",
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


def _account_names(session: Session, waba_ids: set[str]) -> dict[str, str]:
    if not waba_ids:
        return {}
    rows = session.exec(select(WhatsAppBusinessAccount).where(col(WhatsAppBusinessAccount.id).in_(waba_ids)))
    return {row.id: row.name for row in rows}


def _account(names: dict[str, str], waba_id: str | None) -> str:
    if not waba_id:
        return "Not named in the event"
    return f"{names[waba_id]} ({waba_id})" if waba_id in names else waba_id


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
    names = _account_names(session, {e.waba_id for e in events if e.waba_id})
    rows = [
        {
            "Received": _local(event.received_at, tz),
            "Happened": _local(event.occurred_at, tz),
            "WhatsApp Business Account": _account(names, event.waba_id),
            "About": webhook_field_words(event.field),
            "What happened": event.summary,
            "Outcome": OUTCOMES.get(event.outcome, event.outcome.replace("_", " ")),
        }
        for event in events
    ]
    columns = ["Received", "Happened", "WhatsApp Business Account", "About", "What happened", "Outcome"]
    return pd.DataFrame(rows, columns=columns)


def refusals_table(refusals: list[WebhookRefusal], tz: tzinfo) -> pd.DataFrame:
    rows = [
        {
            "Refused": _local(refusal.at, tz),
            "From address": refusal.source_address or "Not known",
            "Why": REFUSALS.get(refusal.reason, refusal.reason.replace("_", " ")),
            "Body size (bytes)": refusal.body_bytes,
        }
        for refusal in refusals
    ]
    return pd.DataFrame(rows, columns=["Refused", "From address", "Why", "Body size (bytes)"])
