"""What is wrong with the console's own sources now: tokens, the poller, webhook signatures."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.alerts.condition import Condition
from services.store.models import Credential, PollRun, WebhookRefusal

TOKEN_WARNING = timedelta(days=7)
SILENT_INTERVALS = 3
REFUSAL_BURST, REFUSAL_WINDOW = 10, timedelta(minutes=5)
SIGNATURE_REASONS = ("bad_signature", "missing_signature")
SUCCESSFUL_CYCLES = ("ok", "partial")


def token_condition(credential: Credential, now: datetime, severity_of: dict[str, str]) -> Condition | None:
    name = f"API credential {credential.name} (token …{credential.token_last4})"
    expires = credential.token_expires_at
    problem = f"\n{credential.token_problem}" if credential.token_problem else ""
    if credential.token_state == "invalid":
        rule, title = "token_revoked", f"{name} was revoked or is no longer valid"
        advice = "Create a new token in Meta Business Settings and replace it on the API credential."
    elif credential.token_state == "expired" or (expires is not None and expires <= now):
        rule, title = "token_expired", f"{name} has expired: nothing is polled through it"
        advice = "Create a new token in Meta Business Settings and replace it on the API credential."
    elif expires is not None and expires - now <= TOKEN_WARNING:
        rule, title = "token_expiring", f"{name} expires in {max((expires - now).days, 0)} days"
        advice = "Replace the token before it expires, with a system user token that does not expire."
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
    what = "finished a poll cycle" if last else "finished any poll cycle yet"
    return Condition(
        "poller_silent",
        "console",
        "poller",
        "Poller",
        severity,
        f"The poller has not {what} for {minutes} minutes"[:300],
        f"Numbers' health is not being read: a cycle is due every {int(interval_s)} seconds.",
        "Check that the poller process (python -m services.poller) runs and can reach the store.",
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
        f"{count} webhook posts were refused for a bad or missing signature in 5 minutes",
        "Someone posts to /webhooks/whatsapp without Meta's signature, or META_APP_SECRET is wrong.",
        "Check META_APP_SECRET against the app secret in Meta's App Dashboard.",
    )
