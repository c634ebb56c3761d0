"""What a poll cycle reads, and what it learned about each credential's token afterwards."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from services.access import audit
from services.access.roles import SYSTEM
from services.access.vault import TokenVault, VaultError
from services.graph.errors import GraphError, TokenExpired, TokenInvalid
from services.poller.backoff import wait_entry, waits
from services.store.models import Credential, CredentialReach, WhatsAppBusinessAccount

# Expired and invalid tokens are not tried again: the credential shows its problem until someone replaces the token.
POLLED_STATES = ("valid", "unknown")


@dataclass
class Plan:
    candidates: dict[str, list[int]] = field(default_factory=dict)  # WABA id -> credential ids, in order
    tokens: dict[int, str] = field(default_factory=dict)  # credential id -> token, for this cycle only
    labels: dict[str, str] = field(default_factory=dict)  # WABA id -> name, for progress
    errors: list[dict[str, Any]] = field(default_factory=list)  # credentials skipped before any call


def plan_cycle(*, session: Session, vault: TokenVault, now: datetime) -> Plan:
    """The WABAs to read (each once) and the usable credentials to read them with; no Graph call is made."""
    plan = Plan()
    resting = waits(session=session, now=now)
    query = select(Credential).where(col(Credential.token_state).in_(POLLED_STATES)).order_by(col(Credential.id))
    for credential in session.exec(query):
        assert credential.id is not None
        if credential.id in resting:
            until, sentence = resting[credential.id]
            plan.errors.append(wait_entry(credential_id=credential.id, waba_id=None, until=until, sentence=sentence))
            continue
        try:
            plan.tokens[credential.id] = vault.decrypt(credential.token_ciphertext)
        except VaultError as exc:
            plan.errors.append({"credential_id": credential.id, "waba_id": None, "kind": "vault", "sentence": str(exc)})
    reach = (
        select(CredentialReach.waba_id, CredentialReach.credential_id, WhatsAppBusinessAccount.name)
        .join(WhatsAppBusinessAccount, col(WhatsAppBusinessAccount.id) == col(CredentialReach.waba_id))
        .order_by(col(CredentialReach.waba_id), col(CredentialReach.credential_id))
    )
    for waba_id, credential_id, name in session.exec(reach):
        if credential_id in plan.tokens:
            plan.candidates.setdefault(waba_id, []).append(credential_id)
            plan.labels[waba_id] = name
    return plan


def record_token_outcomes(
    *, session: Session, used: Mapping[int, bool], failed: Mapping[int, GraphError], at: datetime
) -> None:
    """Mark expired or invalid tokens on their credentials; note when working ones were last confirmed (no commit)."""
    bad = {cid: error for cid, error in failed.items() if isinstance(error, TokenExpired | TokenInvalid)}
    working = [cid for cid, read in used.items() if read and cid not in bad]
    if working:
        # Only the token's state: a problem revalidation noted about the number stays until it is rechecked.
        confirm = update(Credential).where(col(Credential.id).in_(working))
        session.exec(confirm.values(token_state="valid", token_checked_at=at))  # type: ignore[call-overload]
    if not bad:
        return
    for credential in session.exec(select(Credential).where(col(Credential.id).in_(list(bad)))):
        assert credential.id is not None
        error = bad[credential.id]
        state = "expired" if isinstance(error, TokenExpired) else "invalid"
        before = {"token_state": credential.token_state, "problem": credential.token_problem}
        credential.token_state, credential.token_problem = state, error.sentence[:500]
        credential.token_checked_at = at
        if isinstance(error, TokenExpired) and error.expired_at is not None:
            credential.token_expires_at = error.expired_at
        session.add(credential)
        audit.record(
            session=session,
            actor=SYSTEM,
            action="revalidate",
            object_type="api_credential",
            object_id=credential.id,
            object_name=credential.name,
            before=before,
            after={"token_state": state, "problem": credential.token_problem},
            detail="found by the poller",
        )
