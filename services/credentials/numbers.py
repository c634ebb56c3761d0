"""The phone numbers offered in "Create new API credentials": their default name and which are already connected."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from services.graph.types import PhoneNumberHealth
from services.language.translate import _
from services.store.models import Credential


@dataclass(frozen=True)
class Connection:
    """A stored credential that already connects a number."""

    credential_id: int
    name: str
    same_token: bool  # stored with the very token being added now: storing it again is refused


def default_name(number: PhoneNumberHealth) -> str:
    """The number's own verified name and display number: a client's number under a partner's WABA keeps its name."""
    return f"{number.verified_name} · {number.display_phone_number}".strip(" ·")


def connections(*, session: Session, phone_number_ids: list[str], fingerprint: str) -> dict[str, Connection]:
    """For each of these numbers that a stored credential already connects: that credential (same token first)."""
    if not phone_number_ids:
        return {}
    query = (
        select(Credential)
        .where(col(Credential.phone_number_id).in_(phone_number_ids))
        .order_by(col(Credential.created_at), col(Credential.id))
    )
    found: dict[str, Connection] = {}
    for credential in session.exec(query):
        assert credential.id is not None
        same = credential.token_fingerprint == fingerprint
        known = found.get(credential.phone_number_id)
        if known is None or (same and not known.same_token):
            found[credential.phone_number_id] = Connection(credential.id, credential.name, same)
    return found


def label(number: PhoneNumberHealth, connection: Connection | None) -> str:
    """'+1 631-555-0101 · Jasper's Market — already connected as “Jasper's Market · +1 631-555-0101”'."""
    shown = f"{number.display_phone_number} · {number.verified_name}"
    return _("{number} — already connected as “{name}”", number=shown, name=connection.name) if connection else shown


def first_free(numbers: list[PhoneNumberHealth], taken: dict[str, Connection]) -> str:
    """The number to offer first: the first one no credential connects yet (else simply the first)."""
    return next((number.id for number in numbers if number.id not in taken), numbers[0].id)
