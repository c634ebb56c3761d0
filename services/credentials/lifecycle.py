"""API credentials: store a checked token for a chosen number, replace its token, delete it."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.access import audit
from services.access.roles import Actor, require_admin
from services.access.vault import TokenVault, last4
from services.configurations.records import status_words
from services.credentials.checks import DEFAULT_POLL_INTERVAL_S, record_fleet, revalidate
from services.credentials.discovery import (
    BusinessNotReachable,
    CredentialInputError,
    Discovery,
    check_input,
    discover,
    discover_numbers,
)
from services.credentials.discovery import field_of as input_field_of
from services.credentials.numbers import default_name
from services.credentials.views import (
    CredentialNotFound,
    CredentialView,
    configurations_using,
    get_credential,
    list_credentials,
    token_state_words,
    view_of,
)
from services.graph.client import GraphClient
from services.graph.types import PhoneNumberHealth
from services.health import fleet
from services.language.formatting import list_separator
from services.language.translate import _, plural
from services.store.models import ChannelConfiguration, Credential
from services.store.types import utcnow

# One import for callers: discovery (steps 1-3), the read model and re-validation live in sibling modules.
__all__ = [
    "BusinessNotReachable",
    "CredentialInUse",
    "CredentialInputError",
    "CredentialNotFound",
    "CredentialView",
    "Discovery",
    "DuplicateCredential",
    "connect",
    "delete",
    "discover",
    "ensure_deletable",
    "discover_numbers",
    "field_of",
    "list_credentials",
    "revalidate",
    "rotate_token",
    "token_of",
    "token_state_words",
    "view_of",
]

log = logging.getLogger(__name__)
NAME_MAX = 120


class DuplicateCredential(ValueError):
    """The same token is already stored for the same phone number."""


class CredentialInUse(ValueError):
    """A channel configuration still names this credential."""


def field_of(error: Exception) -> str:
    """The input of the flow a refusal is about ("token", "business_id", "phone_number_id", ...), or ""."""
    return "phone_number_id" if isinstance(error, DuplicateCredential) else input_field_of(error)


def token_of(*, credential: Credential, vault: TokenVault) -> str:
    """The credential's token, decrypted (VaultError if the key changed)."""
    return vault.decrypt(credential.token_ciphertext)


def _refuse_duplicate(session: Session, *, fingerprint: str, number: PhoneNumberHealth, other_than: int | None) -> None:
    query = select(Credential).where(Credential.token_fingerprint == fingerprint)
    same = session.exec(query.where(Credential.phone_number_id == number.id)).first()
    if same is not None and same.id != other_than:
        raise DuplicateCredential(
            _(
                "This API token is already stored for {number} ({verified_name}) as “{name}”; use that credential, "
                "or replace its token there.",
                number=number.display_phone_number,
                verified_name=number.verified_name,
                name=same.name,
            )
        )


def _chosen(numbers: list[PhoneNumberHealth], phone_number_id: str, field: str, sentence: str) -> PhoneNumberHealth:
    number = next((n for n in numbers if n.id == phone_number_id), None)
    if number is None:
        raise CredentialInputError(field, sentence)
    return number


def _commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        if "token" not in str(exc.orig).lower():
            raise
        raise DuplicateCredential(
            _("This API token was just stored for the same phone number (perhaps in another tab); reload the page.")
        ) from None


def connect(
    *,
    session: Session,
    graph: GraphClient,
    vault: TokenVault,
    actor: Actor,
    token: str,
    business_id: str,
    waba_id: str,
    phone_number_id: str,
    name: str | None = None,
    at: datetime,
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
) -> Credential:
    """Check everything step 1-3 check, then store the credential and add its WABA's numbers to the fleet."""
    require_admin(actor, "create API credentials")
    token, business_id = check_input(token=token, business_id=business_id)
    discovery = discover(graph=graph, token=token, business_id=business_id, at=at)
    account = discovery.account(waba_id)
    if account is None:
        raise CredentialInputError(
            "waba_id",
            _(
                "WhatsApp Business Account {waba_id} is not among business {business_id}'s accounts.",
                waba_id=waba_id,
                business_id=business_id,
            ),
        )
    numbers = discover_numbers(graph=graph, token=token, waba_id=waba_id)
    number = _chosen(
        numbers,
        phone_number_id,
        "phone_number_id",
        _("Phone number {number} is not in {account}.", number=phone_number_id, account=account.name),
    )
    fingerprint = vault.fingerprint(token)
    _refuse_duplicate(session, fingerprint=fingerprint, number=number, other_than=None)
    label = (name or "").strip() or default_name(number)
    if len(label) > NAME_MAX:
        raise CredentialInputError("name", _("Keep the name to {limit} characters or fewer.", limit=NAME_MAX))

    reach = record_fleet(
        session=session, discovery=discovery, waba_id=waba_id, numbers=numbers, at=at, poll_interval_s=poll_interval_s
    )
    credential = Credential(
        name=label,
        business_id=business_id,
        waba_id=waba_id,
        phone_number_id=phone_number_id,
        token_ciphertext=vault.encrypt(token),
        token_last4=last4(token),
        token_fingerprint=fingerprint,
        token_state="valid",
        token_expires_at=discovery.token.expires_at,
        token_checked_at=at,
        # When the row was stored, as the audit log says it (`at` may be a simulated clock: the demo's history).
        created_at=utcnow(),
        created_by=actor.email,
        updated_at=at,
    )
    session.add(credential)
    session.flush()
    assert credential.id is not None
    fleet.set_reach(session=session, credential_id=credential.id, waba_ids=reach)
    after = {"name": label, "business_id": business_id, "waba_id": waba_id, "phone_number_id": phone_number_id}
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="api_credential",
        object_id=credential.id,
        object_name=label,
        after=after | {"token_last4": credential.token_last4},
    )
    _commit(session)
    log.info("API credential %s stored for phone number %s", credential.id, phone_number_id)
    return credential


def rotate_token(
    *,
    session: Session,
    graph: GraphClient,
    vault: TokenVault,
    actor: Actor,
    credential_id: int,
    token: str,
    at: datetime,
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
) -> Credential:
    """Replace the token after step 1's checks; the new one must still reach the credential's WABA and number."""
    require_admin(actor, "replace API tokens")
    credential = get_credential(session=session, credential_id=credential_id)
    token, business_id = check_input(token=token, business_id=credential.business_id)
    fingerprint = vault.fingerprint(token)
    if fingerprint == credential.token_fingerprint:
        raise CredentialInputError("token", _("That is the token this credential already uses; paste the new one."))
    discovery = discover(graph=graph, token=token, business_id=business_id, at=at)
    if credential.waba_id not in discovery.reach:
        raise CredentialInputError(
            "token",
            _(
                "The new token cannot reach WhatsApp Business Account {waba_id}; the old one stays.",
                waba_id=credential.waba_id,
            ),
        )
    numbers = graph.phone_numbers(token, credential.waba_id)
    sentence = _(
        "The new token cannot see phone number {number}; the old one stays.", number=credential.phone_number_id
    )
    number = _chosen(numbers, credential.phone_number_id, "token", sentence)
    _refuse_duplicate(session, fingerprint=fingerprint, number=number, other_than=credential_id)

    before = {"token_last4": credential.token_last4, "token_state": credential.token_state}
    reach = record_fleet(
        session=session,
        discovery=discovery,
        waba_id=credential.waba_id,
        numbers=numbers,
        at=at,
        poll_interval_s=poll_interval_s,
    )
    fleet.set_reach(session=session, credential_id=credential_id, waba_ids=reach)
    credential.token_ciphertext = vault.encrypt(token)
    credential.token_last4, credential.token_fingerprint = last4(token), fingerprint
    credential.token_state, credential.token_problem = "valid", None
    credential.token_expires_at, credential.token_checked_at, credential.updated_at = discovery.token.expires_at, at, at
    session.add(credential)
    audit.record(
        session=session,
        actor=actor,
        action="rotate_token",
        object_type="api_credential",
        object_id=credential_id,
        object_name=credential.name,
        before=before,
        after={"token_last4": credential.token_last4, "token_state": "valid"},
    )
    _commit(session)
    log.info("API credential %s got a new token", credential_id)
    return credential


def ensure_deletable(*, session: Session, credential_id: int) -> list[ChannelConfiguration]:
    """Raise CredentialInUse while a live configuration uses the credential; else the deactivated ones to detach."""
    credential = get_credential(session=session, credential_id=credential_id)
    blocking, detached = configurations_using(session=session, credential_id=credential_id)
    if blocking:
        names = list_separator().join(
            _("“{name}” ({status})", name=c.name, status=status_words(c.status)) for c in blocking
        )
        raise CredentialInUse(
            plural(
                "“{name}” cannot be deleted while channel configuration {names} uses it; "
                "choose another credential there, or deactivate or delete the configuration first.",
                "“{name}” cannot be deleted while channel configurations {names} use it; "
                "choose another credential there, or deactivate or delete the configurations first.",
                len(blocking),
                name=credential.name,
                names=names,
            )
        )
    return detached


def delete(*, session: Session, actor: Actor, credential_id: int) -> None:
    """Delete a credential no live channel configuration uses; deactivated ones are detached from it."""
    require_admin(actor, "delete API credentials")
    detached = ensure_deletable(session=session, credential_id=credential_id)
    credential = get_credential(session=session, credential_id=credential_id)
    for configuration in detached:
        configuration.credential_id = None
        session.add(configuration)
    fleet.set_reach(session=session, credential_id=credential_id, waba_ids=[])
    audit.record(
        session=session,
        actor=actor,
        action="delete",
        object_type="api_credential",
        object_id=credential_id,
        object_name=credential.name,
        before={"name": credential.name, "waba_id": credential.waba_id, "phone_number_id": credential.phone_number_id},
        detail=f"detached from {len(detached)} deactivated channel configuration(s)" if detached else "",
    )
    session.delete(credential)
    session.commit()
    log.info("API credential %s deleted", credential_id)
