"""What Meta says now about a stored credential: its token's state, its number's settings, the WABAs it reaches."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from services.access import audit
from services.access.roles import Actor
from services.access.vault import TokenVault
from services.credentials.discovery import Discovery, discover
from services.credentials.views import CredentialView, get_credential, view_of
from services.graph.client import GraphClient
from services.graph.errors import BadParameter, PermissionMissing, TokenExpired, TokenInvalid
from services.graph.types import PhoneNumberHealth
from services.health import fleet
from services.health import recording as health
from services.language.translate import _
from services.store.models import WhatsAppBusinessAccount

DEFAULT_POLL_INTERVAL_S = 300.0


def record_fleet(
    *,
    session: Session,
    discovery: Discovery,
    waba_id: str,
    numbers: list[PhoneNumberHealth],
    at: datetime,
    poll_interval_s: float,
) -> list[str]:
    """Upsert the business's WABAs and observe the chosen WABA's numbers; returns the reached WABAs we store."""
    for account in sorted(discovery.accounts, key=lambda a: a.id):  # one lock order for every writer
        fleet.upsert_business_account(session=session, account=account, business_id=discovery.business_id, at=at)
    session.flush()  # without relationships, the unit of work does not order WABA rows before their numbers
    health.observe(session=session, waba_id=waba_id, numbers=numbers, at=at, poll_interval_s=poll_interval_s)
    session.flush()
    # debug_token may name WABAs of other businesses; only those already in the fleet can be reached by row.
    stored = select(WhatsAppBusinessAccount.id).where(col(WhatsAppBusinessAccount.id).in_(discovery.reach))
    known = set(session.exec(stored))
    return [waba for waba in discovery.reach if waba in known]


def revalidate(
    *,
    session: Session,
    graph: GraphClient,
    vault: TokenVault,
    actor: Actor,
    credential_id: int,
    at: datetime,
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
) -> CredentialView:
    """Ask Meta again about the token and the number and store the answer; transient Graph errors propagate."""
    # Any signed-in person may ask: it changes no configuration, only what the console knows of Meta's side.
    credential = get_credential(session=session, credential_id=credential_id)
    before = {"token_state": credential.token_state, "problem": credential.token_problem}
    token = vault.decrypt(credential.token_ciphertext)
    state, problem = "valid", None
    try:
        discovery = discover(graph=graph, token=token, business_id=credential.business_id, at=at)
        numbers = graph.phone_numbers(token, credential.waba_id)
    except TokenExpired as exc:
        state, problem = "expired", str(exc)
        credential.token_expires_at = exc.expired_at or credential.token_expires_at
    except (TokenInvalid, PermissionMissing) as exc:
        state, problem = "invalid", str(exc)
    except BadParameter as exc:  # the token works, but its business or WABA is out of its reach now
        problem = str(exc)
    else:
        credential.token_expires_at = discovery.token.expires_at
        reach = record_fleet(
            session=session,
            discovery=discovery,
            waba_id=credential.waba_id,
            numbers=numbers,
            at=at,
            poll_interval_s=poll_interval_s,
        )
        fleet.set_reach(session=session, credential_id=credential_id, waba_ids=reach)
        if all(number.id != credential.phone_number_id for number in numbers):
            problem = _(
                "Phone number {number} is no longer in WhatsApp Business Account {waba_id}; delete this credential "
                "or create one for another number.",
                number=credential.phone_number_id,
                waba_id=credential.waba_id,
            )
    credential.token_state, credential.token_problem, credential.token_checked_at = state, problem, at
    session.add(credential)
    after = {"token_state": state, "problem": problem}
    if after != before:
        audit.record(
            session=session,
            actor=actor,
            action="revalidate",
            object_type="api_credential",
            object_id=credential_id,
            object_name=credential.name,
            before=before,
            after=after,
        )
    session.commit()
    return view_of(session=session, credential_id=credential_id, at=at)
