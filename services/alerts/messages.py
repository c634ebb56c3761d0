"""One alert as a message: a subject line, plain text, HTML and the structured payload a webhook carries."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from services.alerts.rules import RULES
from services.moments import moment_words
from services.store.models import Alert

OPENED, RESOLVED = "opened", "resolved"


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    payload: dict[str, Any]


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def alert_link(alert: Alert, base_url: str | None) -> str | None:
    """Where the console shows this alert, when its public address is known."""
    return f"{base_url.rstrip('/')}/alerts?alert={alert.id}" if base_url else None


def subject_link(alert: Alert, base_url: str | None) -> str | None:
    """The subject's own page, for subjects that have one (a template's), when the console's address is known."""
    if not base_url or alert.subject_kind != "template":
        return None
    return f"{base_url.rstrip('/')}/Templates?{urlencode({'template': alert.subject_id})}"


def message_for(alert: Alert, delivery_kind: str, base_url: str | None) -> Message:
    """'Critical: +1 212-555-0107 (Aurora Coffee Deliveries) cannot send messages …', or 'Resolved: …'."""
    if delivery_kind not in (OPENED, RESOLVED):
        raise ValueError(f"A delivery is opened or resolved, not {delivery_kind!r}.")
    prefix = "Resolved" if delivery_kind == RESOLVED else alert.severity.capitalize()
    subject = f"{prefix}: {alert.title}"[:300]
    link, page = alert_link(alert, base_url), subject_link(alert, base_url)
    lines = [subject, ""]
    if alert.detail:
        lines += [alert.detail, ""]
    if alert.advice and delivery_kind == OPENED:
        lines.append(f"What to do: {alert.advice}")
    lines.append(f"Opened: {moment_words(alert.opened_at)}")
    if delivery_kind == RESOLVED and alert.resolved_at:
        lines.append(f"Resolved: {moment_words(alert.resolved_at)} (the condition stayed clear)")
    if page:
        lines.append(f"The template's page: {page}")
    if link:
        lines.append(f"Open in the console: {link}")
    text = "\n".join(lines)
    links = ("Open in", "The template's page")
    body = "".join(
        f"<p>{html.escape(line)}</p>" for line in text.split("\n")[2:] if line and not line.startswith(links)
    )
    anchor = f'<p><a href="{html.escape(page, quote=True)}">Open the template\'s page</a></p>' if page else ""
    anchor += f'<p><a href="{html.escape(link, quote=True)}">Open in the console</a></p>' if link else ""
    markup = f"<h2>{html.escape(subject)}</h2>{body}{anchor}"
    payload: dict[str, Any] = {
        "event": f"alert.{delivery_kind}",
        "alert": {
            "id": alert.id,
            "rule": alert.rule,
            "rule_title": RULES[alert.rule].title if alert.rule in RULES else alert.rule,
            "severity": alert.severity,
            "state": alert.state,
            "subject": {"kind": alert.subject_kind, "id": alert.subject_id, "name": alert.subject_name},
            "title": alert.title,
            "detail": alert.detail,
            "advice": alert.advice,
            "opened_at": _iso(alert.opened_at),
            "last_seen_at": _iso(alert.last_seen_at),
            "resolved_at": _iso(alert.resolved_at),
            "url": link,
            "subject_url": page,
        },
    }
    return Message(subject=subject, text=text, html=markup, payload=payload)
