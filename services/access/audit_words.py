"""The audit trail in a person's words: 'ana@example.com submitted channel configuration “Spring promo”'.

The trail stores identifiers (`api_credential`, `credential_id`, `save_draft`) so that it stays stable when the
words change; this module is the one place they become words. Identifiers of other objects (a credential's ID,
a phone number's ID) become their names through `names`, looked up once per page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from services.configurations import marketing_actions
from services.demo import MARKER as DEMO_HISTORY
from services.health.vocabulary import status_words
from services.store.models import AuditEvent, Credential, PhoneNumber

OBJECTS = {
    "api_credential": "API credential",
    "channel_configuration": "channel configuration",
    "account": "sign-in account",
    "console": "console",
    "demo": "demo data",
}
ACTIONS = {
    "create": "created",
    "delete": "deleted",
    "rotate_token": "replaced the token of",
    "revalidate": "re-checked the token of",
    "save_draft": "saved as a draft",
    "submit": "submitted",
    "submit_update": "submitted an update to",
    "resubmit": "submitted again",
    "deactivate": "deactivated",
    "activate": "activated",
    "duplicate": "duplicated",
    "checks_passed": "passed the checks of",
    "checks_failed": "failed the checks of",
    "update_applied": "applied the checked update to",
    "update_failed": "refused the update to",
    "sign_in_refused": "refused a sign-in to",
    "rotate_key": "rotated the encryption key of",
}
FIELDS = {
    "name": "Name",
    "description": "Description",
    "channel": "Channel",
    "marketing_action": "Marketing action",
    "credential_id": "API credential",
    "sender_phone_number_id": "Sender number",
    "phone_number_id": "Phone number",
    "business_id": "Business account ID",
    "waba_id": "WhatsApp Business Account",
    "status": "Status",
    "update_status": "Update",
    "token_last4": "Token",
    "token_state": "Token state",
    "role": "Role",
    "email": "Email",
}
CONFIGURATION_STATUSES = {
    "draft": "Draft",
    "processing": "Processing",
    "active": "Active",
    "failed": "Failed",
    "deactivated": "Deactivated",
    "success": "Applied",
}
TOKEN_STATES = {"valid": "Valid", "expired": "Expired", "invalid": "Invalid", "unknown": "Not checked yet"}
NOTHING = "none"


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
    words = OBJECTS.get(kind) or _words(kind).lower()
    return words[:1].upper() + words[1:]


def what(event: AuditEvent) -> str:
    """'submitted channel configuration “Spring promo”'."""
    if event.action == DEMO_HISTORY:
        return "wrote the demo's health history"
    action = ACTIONS.get(event.action) or _words(event.action).lower()
    kind = OBJECTS.get(event.object_type) or _words(event.object_type).lower()
    named = f"“{event.object_name}”" if event.object_name else event.object_id
    return f"{action} {kind} {named}"


def value_words(key: str, value: Any, known: Names) -> str:
    """One stored value as the screens show it."""
    if value in (None, "", []):
        return NOTHING
    text = str(value)
    if key == "credential_id":
        return f"“{known.credentials[text]}”" if text in known.credentials else f"a deleted credential ({text})"
    if key in {"sender_phone_number_id", "phone_number_id"}:
        return known.numbers.get(text, text)
    if key == "marketing_action":
        return marketing_actions.label_of(text)
    if key in {"status", "update_status"}:
        return CONFIGURATION_STATUSES.get(text) or status_words(text)
    if key == "token_state":
        return TOKEN_STATES.get(text, text)
    if key == "token_last4":
        return f"••••{text}"
    return text if len(text) <= 60 else text[:59] + "…"


def changes_words(changes: Mapping[str, Any], known: Names) -> str:
    """'Status: Draft → Processing; API credential: none → “Jasper's Market”'."""
    parts = []
    for key, pair in changes.items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        label = FIELDS.get(key) or _words(key)
        if before in (None, "", []):
            parts.append(f"{label}: {value_words(key, after, known)}")
        else:
            parts.append(f"{label}: {value_words(key, before, known)} → {value_words(key, after, known)}")
    return "; ".join(parts)
