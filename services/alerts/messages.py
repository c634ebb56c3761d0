"""One alert as a message: a subject line, plain text, HTML and the structured payload a webhook carries."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from services.alerts.rules import RULES
from services.alerts.wording import Words, stored
from services.language.translate import _, lazy
from services.moments import moment_words
from services.store.models import Alert

OPENED, RESOLVED = "opened", "resolved"
SEVERITY_WORDS = {"critical": lazy("Critical"), "warning": lazy("Warning"), "info": lazy("Info")}


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


def message_for(alert: Alert, delivery_kind: str, base_url: str | None, words: Words | None = None) -> Message:
    """'Critical: +1 212-555-0107 (Aurora Coffee Deliveries) cannot send messages …', or 'Resolved: …'.

    Written in the current language; `words` are the alert's title, detail and advice in it (else as stored).
    """
    if delivery_kind not in (OPENED, RESOLVED):
        raise ValueError(f"A delivery is opened or resolved, not {delivery_kind!r}.")
    words = words or stored(alert)
    prefix = _("Resolved") if delivery_kind == RESOLVED else str(SEVERITY_WORDS.get(alert.severity, alert.severity))
    subject = _("{severity}: {title}", severity=prefix, title=words.title)[:300]
    link, page = alert_link(alert, base_url), subject_link(alert, base_url)
    said: list[str] = []  # the lines both parts carry; the links follow, as text or as anchors
    if words.detail:
        said += [words.detail, ""]
    if words.advice and delivery_kind == OPENED:
        said.append(_("What to do: {advice}", advice=words.advice))
    said.append(_("Opened: {moment}", moment=moment_words(alert.opened_at)))
    if delivery_kind == RESOLVED and alert.resolved_at:
        said.append(_("Resolved: {moment} (the condition stayed clear)", moment=moment_words(alert.resolved_at)))
    links = []
    if page:
        links.append(_("The template's page: {link}", link=page))
    if link:
        links.append(_("Open in the console: {link}", link=link))
    text = "\n".join([subject, "", *said, *links])
    body = "".join(f"<p>{html.escape(line)}</p>" for part in said for line in part.split("\n") if line)
    anchors = [(page, _("Open the template's page")), (link, _("Open in the console"))]
    anchor = "".join(
        f'<p><a href="{html.escape(href, quote=True)}">{html.escape(label, quote=False)}</a></p>'
        for href, label in anchors
        if href
    )
    markup = f"<h2>{html.escape(subject)}</h2>{body}{anchor}"
    payload: dict[str, Any] = {
        "event": f"alert.{delivery_kind}",
        "alert": {
            "id": alert.id,
            "rule": alert.rule,
            "rule_title": str(RULES[alert.rule].title) if alert.rule in RULES else alert.rule,
            "severity": alert.severity,
            "state": alert.state,
            "subject": {"kind": alert.subject_kind, "id": alert.subject_id, "name": alert.subject_name},
            "title": words.title,
            "detail": words.detail,
            "advice": words.advice,
            "opened_at": _iso(alert.opened_at),
            "last_seen_at": _iso(alert.last_seen_at),
            "resolved_at": _iso(alert.resolved_at),
            "url": link,
            "subject_url": page,
        },
    }
    return Message(subject=subject, text=text, html=markup, payload=payload)
