"""What is wrong with the console's own sources now: tokens, the poller, webhook signatures."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.alerts.condition import Condition
from services.language.translate import _, plural
from services.store.models import Credential, PollRun, WebhookRefusal

TOKEN_WARNING = timedelta(days=7)
SILENT_INTERVALS = 3
REFUSAL_BURST, REFUSAL_WINDOW = 10, timedelta(minutes=5)
SIGNATURE_REASONS = ("bad_signature", "missing_signature")
SUCCESSFUL_CYCLES = ("ok", "partial")


def token_condition(credential: Credential, now: datetime, severity_of: dict[str, str]) -> Condition | None:
    name = _("API credential {name} (token …{last4})", name=credential.name, last4=credential.token_last4)
    expires = credential.token_expires_at
    problem = f"\n{credential.token_problem}" if credential.token_problem else ""
    if credential.token_state == "invalid":
        rule, title = "token_revoked", _("{credential} was revoked or is no longer valid", credential=name)
        advice = _("Create a new token in Meta Business Settings and replace it on the API credential.")
    elif credential.token_state == "expired" or (expires is not None and expires <= now):
        rule, title = "token_expired", _("{credential} has expired: nothing is polled through it", credential=name)
        advice = _("Create a new token in Meta Business Settings and replace it on the API credential.")
    elif expires is not None and expires - now <= TOKEN_WARNING:
        days = max((expires - now).days, 0)
        title = plural("{credential} expires in 1 day", "{credential} expires in {count} days", days, credential=name)
        rule = "token_expiring"
        advice = _("Replace the token before it expires, with a system user token that does not expire.")
    else:
        return None
    if rule not in severity_of:
        return None
    return Condition(
        rule,
        "credential",
        str(credential.id),
        credential.name,
        severity_of[rule],
        title[:300],
        problem.strip()[:2000],
        advice,
    )


def poller_condition(
    session: Session, credentials: list[Credential], now: datetime, interval_s: float, severity: str
) -> Condition | None:
    if not credentials:
        return None  # nothing to poll: silence is right
    last = session.exec(select(func.max(PollRun.finished_at)).where(col(PollRun.status).in_(SUCCESSFUL_CYCLES))).one()
    since = last or min(c.created_at for c in credentials)
    silent_for = now - since
    if silent_for <= timedelta(seconds=interval_s * SILENT_INTERVALS):
        return None
    minutes = int(silent_for.total_seconds() // 60)
    if last:
        title = plural(
            "The poller has not finished a poll cycle for 1 minute",
            "The poller has not finished a poll cycle for {count} minutes",
            minutes,
        )
    else:
        title = plural(
            "The poller has not finished any poll cycle yet for 1 minute",
            "The poller has not finished any poll cycle yet for {count} minutes",
            minutes,
        )
    return Condition(
        "poller_silent",
        "console",
        "poller",
        "Poller",
        severity,
        title[:300],
        _("Numbers' health is not being read: a cycle is due every {seconds} seconds.", seconds=int(interval_s)),
        _("Check that the poller process (python -m services.poller) runs and can reach the store."),
    )


def refusal_condition(session: Session, now: datetime, severity: str) -> Condition | None:
    count = session.exec(
        select(func.count())
        .select_from(WebhookRefusal)
        .where(col(WebhookRefusal.at) >= now - REFUSAL_WINDOW, col(WebhookRefusal.reason).in_(SIGNATURE_REASONS))
    ).one()
    if count < REFUSAL_BURST:
        return None
    return Condition(
        "webhook_bad_signatures",
        "console",
        "webhooks",
        "Webhooks",
        severity,
        _("{count} webhook posts were refused for a bad or missing signature in 5 minutes", count=count),
        _("Someone posts to /webhooks/whatsapp without Meta's signature, or META_APP_SECRET is wrong."),
        _("Check META_APP_SECRET against the app secret in Meta's App Dashboard."),
    )
