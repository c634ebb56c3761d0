"""The stored API credentials as the console shows them: WABA, number, health, masked token and its state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlmodel import Session, col, select

from services.access.vault import masked
from services.graph.types import ThroughputLevel
from services.language.translate import _
from services.moments import local_day
from services.store.models import ChannelConfiguration, Credential, PhoneNumber, WhatsAppBusinessAccount
from services.store.types import utcnow

# A deactivated configuration sends nothing and (as in Journey Optimizer) cannot be deleted, so it must not pin
# a credential forever; every other status can send, or is about to.
DETACHABLE_STATUSES = frozenset({"deactivated"})


class CredentialNotFound(LookupError):
    """No credential has this ID (deleted meanwhile, perhaps in another tab)."""


@dataclass(frozen=True)
class CredentialView:
    id: int
    name: str
    business_id: str
    waba_id: str
    waba_name: str
    phone_number_id: str
    display_phone_number: str
    verified_name: str
    quality_rating: str
    throughput_level: str
    messaging_limit: str | None
    number_status: str | None
    token_masked: str
    token_state: str  # valid | expired | invalid | unknown, with expiry already applied
    token_state_words: str
    problem: str | None
    checked_at: datetime | None
    created_at: datetime
    created_by: str
    used_by: tuple[str, ...]  # names of the channel configurations that block its deletion

    @property
    def messages_per_second(self) -> int | None:
        return ThroughputLevel.parse(self.throughput_level).messages_per_second


def effective_state(state: str, expires_at: datetime | None, *, at: datetime) -> str:
    """The stored state, except that a valid token past its expiry is expired."""
    if state == "valid" and expires_at is not None and expires_at <= at:
        return "expired"
    return state


def token_state_words(state: str, expires_at: datetime | None, *, at: datetime, tz: tzinfo = UTC) -> str:
    """'Valid', 'Valid · expires on 9 Jan 2027', 'Expired on 24 Nov 2026', 'Invalid' or 'Not checked yet'."""
    state = effective_state(state, expires_at, at=at)
    if state == "expired":
        return _("Expired on {day}", day=local_day(expires_at, tz)) if expires_at else _("Expired")
    if state == "valid":
        return _("Valid · expires on {day}", day=local_day(expires_at, tz)) if expires_at else _("Valid")
    return _("Invalid") if state == "invalid" else _("Not checked yet")


def get_credential(*, session: Session, credential_id: int) -> Credential:
    """The credential, or CredentialNotFound with a sentence."""
    credential = session.get(Credential, credential_id)
    if credential is None:
        raise CredentialNotFound(_("API credential {id} no longer exists; reload the page.", id=credential_id))
    return credential


def _claims(row: ChannelConfiguration) -> dict[int, bool]:
    """The credentials a configuration names (its own, and its pending update's), each with whether it is live."""
    claims: dict[int, bool] = {}
    if row.credential_id is not None:
        claims[row.credential_id] = row.status not in DETACHABLE_STATUSES
    pending = (row.pending_update or {}).get("credential_id")
    if isinstance(pending, int):
        claims[pending] = True  # an update being checked is about to use it
    return claims


def configurations_using(
    *, session: Session, credential_id: int
) -> tuple[list[ChannelConfiguration], list[ChannelConfiguration]]:
    """(configurations that block deleting the credential, deactivated ones that would be detached)."""
    blocking, detachable = [], []
    for row in session.exec(select(ChannelConfiguration).order_by(col(ChannelConfiguration.name))):
        live = _claims(row).get(credential_id)
        if live is not None:
            (blocking if live else detachable).append(row)
    return blocking, detachable


def _view(
    credential: Credential,
    waba: WhatsAppBusinessAccount | None,
    number: PhoneNumber | None,
    *,
    at: datetime,
    used_by: tuple[str, ...],
    tz: tzinfo = UTC,
) -> CredentialView:
    assert credential.id is not None
    return CredentialView(
        id=credential.id,
        name=credential.name,
        business_id=credential.business_id,
        waba_id=credential.waba_id,
        waba_name=waba.name if waba else "",
        phone_number_id=credential.phone_number_id,
        display_phone_number=number.display_phone_number if number else "",
        verified_name=number.verified_name if number else "",
        quality_rating=number.quality_rating if number else "UNKNOWN",
        throughput_level=number.throughput_level if number else "NOT_APPLICABLE",
        messaging_limit=number.messaging_limit if number else None,
        number_status=number.status if number else None,
        token_masked=masked(credential.token_last4),
        token_state=effective_state(credential.token_state, credential.token_expires_at, at=at),
        token_state_words=token_state_words(credential.token_state, credential.token_expires_at, at=at, tz=tz),
        problem=credential.token_problem,
        checked_at=credential.token_checked_at,
        created_at=credential.created_at,
        created_by=credential.created_by,
        used_by=used_by,
    )


def list_credentials(*, session: Session, at: datetime | None = None, tz: tzinfo = UTC) -> list[CredentialView]:
    """Every stored credential, newest first, with its WABA, number and token state at `at` (default now)."""
    at = at or utcnow()
    query = (
        select(Credential, WhatsAppBusinessAccount, PhoneNumber)
        .join(WhatsAppBusinessAccount, col(WhatsAppBusinessAccount.id) == col(Credential.waba_id), isouter=True)
        .join(PhoneNumber, col(PhoneNumber.id) == col(Credential.phone_number_id), isouter=True)
        .order_by(col(Credential.created_at).desc(), col(Credential.id).desc())
    )
    used: dict[int, list[str]] = {}
    for row in session.exec(select(ChannelConfiguration).order_by(col(ChannelConfiguration.name))):
        for credential_id, live in _claims(row).items():
            if live:
                used.setdefault(credential_id, []).append(row.name)
    return [
        _view(credential, waba, number, at=at, used_by=tuple(used.get(credential.id or 0, ())), tz=tz)
        for credential, waba, number in session.exec(query)
    ]


def view_of(*, session: Session, credential_id: int, at: datetime | None = None) -> CredentialView:
    """One credential's view (CredentialNotFound if it is gone)."""
    credential = get_credential(session=session, credential_id=credential_id)
    waba = session.get(WhatsAppBusinessAccount, credential.waba_id)
    number = session.get(PhoneNumber, credential.phone_number_id)
    blocking, _ = configurations_using(session=session, credential_id=credential_id)
    return _view(credential, waba, number, at=at or utcnow(), used_by=tuple(c.name for c in blocking))
