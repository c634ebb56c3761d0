"""The audit trail in a person's words: 'ana@example.com submitted channel configuration “Spring promo”'.

The trail stores identifiers (`api_credential`, `credential_id`, `save_draft`) so that it stays stable when the
words change; this module is the one place they become words. Identifiers of other objects (a credential's ID,
a phone number's ID) become their names through `names`, looked up once per page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from services.access.roles import DEMO_ADMIN, SYSTEM
from services.configurations import marketing_actions
from services.demo import MARKER as DEMO_HISTORY
from services.health.vocabulary import status_words
from services.language.translate import N_, LazyText, _, lazy, lazy_in
from services.moments import moment_words
from services.store.models import AuditEvent, Credential, PhoneNumber

OBJECTS = {
    "api_credential": lazy("API credential"),
    "channel_configuration": lazy("channel configuration"),
    "account": lazy("sign-in account"),
    "console": lazy("console"),
    "demo": lazy("demo data"),
    "alert": lazy("alert"),
    "alert_channel": lazy("alert channel"),
    "alert_rule": lazy("alert rule"),
}
# Each action as a whole sentence about {object} (its kind) and {name}, so a language may put them where it needs.
ACTIONS = {
    "create": lazy("created {object} {name}"),
    "delete": lazy("deleted {object} {name}"),
    "update": lazy("updated {object} {name}"),
    "rotate_token": lazy("replaced the token of {object} {name}"),
    "revalidate": lazy("re-checked the token of {object} {name}"),
    "save_draft": lazy("saved as a draft {object} {name}"),
    "submit": lazy("submitted {object} {name}"),
    "submit_update": lazy("submitted an update to {object} {name}"),
    "resubmit": lazy("submitted again {object} {name}"),
    "deactivate": lazy("deactivated {object} {name}"),
    "activate": lazy("activated {object} {name}"),
    "duplicate": lazy("duplicated {object} {name}"),
    "checks_passed": lazy("passed the checks of {object} {name}"),
    "checks_failed": lazy("failed the checks of {object} {name}"),
    "update_applied": lazy("applied the checked update to {object} {name}"),
    "update_failed": lazy("refused the update to {object} {name}"),
    "sign_in_refused": lazy("refused a sign-in to {object} {name}"),
    "rotate_key": lazy("rotated the encryption key of {object} {name}"),
    "acknowledge_alert": lazy("acknowledged {object} {name}"),
    "snooze_alert": lazy("snoozed {object} {name}"),
}
FIELDS = {
    "name": lazy("Name"),
    "description": lazy("Description"),
    "channel": lazy("Channel"),
    "marketing_action": lazy("Marketing action"),
    "credential_id": lazy("API credential"),
    "sender_phone_number_id": lazy("Sender number"),
    "phone_number_id": lazy("Phone number"),
    "business_id": lazy("Business account ID"),
    "waba_id": lazy("WhatsApp Business Account"),
    "status": lazy("Status"),
    "update_status": lazy("Update"),
    "token_last4": lazy("Token"),
    "token_state": lazy("Token state"),
    "role": lazy("Role"),
    "email": lazy("Email"),
    "state": lazy("State"),
    "acked_by": lazy("Acknowledged by"),
    "ack_note": lazy("Note"),
    "snoozed_until": lazy("Snoozed until"),
    "kind": lazy("Kind"),
    "min_severity": lazy("Lowest severity"),
    "severity": lazy("Severity"),
    "enabled": lazy("Enabled"),
    "language": lazy("Language"),
}
CONFIGURATION_STATUSES = {
    "draft": lazy("Draft"),
    "processing": lazy("Processing"),
    "active": lazy("Active"),
    "failed": lazy("Failed"),
    "deactivated": lazy("Deactivated"),
    "success": lazy("Applied"),
}
TOKEN_STATES = {
    "valid": lazy("Valid"),
    "expired": lazy("Expired"),
    "invalid": lazy("Invalid"),
    "unknown": lazy("Not checked yet"),
}
ALERT_STATES = {
    "open": lazy_in("alert state", "Open"),
    "acknowledged": lazy_in("alert state", "Acknowledged"),
    "snoozed": lazy_in("alert state", "Snoozed"),
    "resolved": lazy_in("alert state", "Resolved"),
}
SEVERITIES = {"critical": lazy("critical"), "warning": lazy("warning"), "info": lazy("info")}
ROLES = {"admin": lazy("admin"), "viewer": lazy("viewer")}
NOTHING = lazy("none")
# The people the console itself acts as, in words (their e-mails are the console's, not a person's).
ACTORS = {SYSTEM.email: lazy("The console"), DEMO_ADMIN.email: lazy("Demo admin")}
# The details the console writes, stored in English (the trail stays as it was written): each is said again in
# the reader's language when it matches; anything else (a person's note) shows as stored.
_DETAILS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"(?P<count>\d+) poll cycles? of the simulated Graph API over the last (?P<days>\d+) days"),
        N_("1 poll cycle of the simulated Graph API over the last {days} days"),
        N_("{count} poll cycles of the simulated Graph API over the last {days} days"),
    ),
    (
        re.compile(r"(?P<count>\d+) changes? of message templates"),
        N_("1 change of message templates"),
        N_("{count} changes of message templates"),
    ),
    (
        re.compile(r"(?P<count>\d+) API tokens? re-encrypted with a new key"),
        N_("1 API token re-encrypted with a new key"),
        N_("{count} API tokens re-encrypted with a new key"),
    ),
    (
        re.compile(r"detached from (?P<count>\d+) deactivated channel configuration(?:\(s\)|s)?"),
        N_("detached from 1 deactivated channel configuration"),
        N_("detached from {count} deactivated channel configurations"),
    ),
    (re.compile(r"found by the poller"), N_("found by the poller"), ""),
    (re.compile(r"configuration replaced"), N_("configuration replaced"), ""),
    (re.compile(r"All checks passed\."), N_("All checks passed."), ""),
    (re.compile(r"Checks failed: (?P<reasons>.*)", re.DOTALL), N_("Checks failed: {reasons}"), ""),
    (re.compile(r"wrong email or password; client (?P<client>.*)"), N_("wrong email or password; client {client}"), ""),
    (re.compile(r"throttled; client (?P<client>.*)"), N_("throttled; client {client}"), ""),
)


@dataclass(frozen=True)
class Names:
    """Names of the objects the trail refers to by ID."""

    credentials: Mapping[str, str] = field(default_factory=dict)
    numbers: Mapping[str, str] = field(default_factory=dict)


def names(*, session: Session, events: list[AuditEvent]) -> Names:
    """The credential and phone-number names the events mention, in two queries."""
    credential_ids: set[int] = set()
    number_ids: set[str] = set()
    for event in events:
        for key, pair in event.changes.items():
            values = [v for v in pair if v not in (None, "")] if isinstance(pair, list) else []
            if key == "credential_id":
                credential_ids |= {int(v) for v in values if str(v).isdigit()}
            elif key in {"sender_phone_number_id", "phone_number_id"}:
                number_ids |= {str(v) for v in values}
    credentials = session.exec(select(Credential.id, Credential.name).where(col(Credential.id).in_(credential_ids)))
    numbers = session.exec(
        select(PhoneNumber.id, PhoneNumber.verified_name, PhoneNumber.display_phone_number).where(
            col(PhoneNumber.id).in_(number_ids)
        )
    )
    return Names(
        credentials={str(i): name for i, name in credentials},
        numbers={i: " ".join(part for part in (name, phone) if part) or i for i, name, phone in numbers},
    )


def _words(key: str) -> str:
    # A key nobody listed yet still reads as words, never as snake_case.
    return key.replace("_", " ").capitalize()


def object_words(kind: str) -> str:
    """'API credential' (for a filter's options: a capital first letter, nothing else changed)."""
    words = str(OBJECTS[kind]) if kind in OBJECTS else _words(kind).lower()
    return words[:1].upper() + words[1:]


def actor_words(email: str) -> str:
    """Who did it: a person's e-mail as stored; the console's own actors in words ('The console')."""
    return str(ACTORS[email]) if email in ACTORS else email


def _object_name(event: AuditEvent) -> str:
    if not event.object_name:
        return event.object_id
    # An alert rule's name is stored as its English title, which is a sentence of the catalogue.
    name = _(event.object_name) if event.object_type == "alert_rule" else event.object_name
    return f"“{name}”"


def what(event: AuditEvent) -> str:
    """'submitted channel configuration “Spring promo”'."""
    if event.action == DEMO_HISTORY:
        return _("wrote the demo's health history")
    kind = str(OBJECTS[event.object_type]) if event.object_type in OBJECTS else _words(event.object_type).lower()
    named = _object_name(event)
    if event.action in ACTIONS:
        return ACTIONS[event.action].format(object=kind, name=named)
    return _("{action} {object} {name}", action=_words(event.action).lower(), object=kind, name=named)


def _said(table: Mapping[str, LazyText], text: str) -> str | None:
    words = table.get(text)
    return None if words is None else str(words)


def value_words(key: str, value: Any, known: Names) -> str:
    """One stored value as the screens show it."""
    if value in (None, "", []):
        return str(NOTHING)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    text = str(value)
    if key == "credential_id":
        if text in known.credentials:
            return f"“{known.credentials[text]}”"
        return _("a deleted credential ({id})", id=text)
    if key in {"sender_phone_number_id", "phone_number_id"}:
        return known.numbers.get(text, text)
    if key == "marketing_action":
        return marketing_actions.label_of(text)
    if key in {"status", "update_status"}:
        return _said(CONFIGURATION_STATUSES, text) or status_words(text)
    if key == "token_state":
        return _said(TOKEN_STATES, text) or text
    if key == "token_last4":
        return f"••••{text}"
    if key == "state":
        return _said(ALERT_STATES, text) or text
    if key in {"severity", "min_severity"}:
        return _said(SEVERITIES, text) or text
    if key == "role":
        return _said(ROLES, text) or text
    if key == "snoozed_until":
        try:
            return moment_words(datetime.fromisoformat(text))
        except ValueError:
            return text
    return text if len(text) <= 60 else text[:59] + "…"


def changes_words(changes: Mapping[str, Any], known: Names) -> str:
    """'Status: Draft → Processing; API credential: none → “Jasper's Market”'."""
    parts = []
    for key, pair in changes.items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        label = str(FIELDS[key]) if key in FIELDS else _words(key)
        if before in (None, "", []):
            parts.append(_("{field}: {value}", field=label, value=value_words(key, after, known)))
        else:
            parts.append(
                _(
                    "{field}: {before} → {after}",
                    field=label,
                    before=value_words(key, before, known),
                    after=value_words(key, after, known),
                )
            )
    return _("; ").join(parts)


def _detail_part(text: str) -> str | None:
    for pattern, one, several in _DETAILS:
        found = pattern.fullmatch(text.strip())
        if found is None:
            continue
        values = found.groupdict()
        if "client" in values:
            values["client"] = _("unknown") if values["client"] == "unknown" else values["client"]
        if several:
            count = int(values.pop("count"))
            return _(one, **values) if count == 1 else _(several, count=count, **values)
        return _(one, **values)
    return None


def detail_words(event: AuditEvent) -> str:
    """The stored detail in the reader's language: the console's own sentences said again, a person's note as is."""
    if not event.detail or event.action == "acknowledge_alert":  # a note a person typed
        return event.detail
    whole = _detail_part(event.detail)
    if whole is not None:
        return whole
    parts = [_detail_part(part) for part in event.detail.split("; ")]
    if all(part is not None for part in parts):
        return _("; ").join(part for part in parts if part is not None)
    return event.detail
