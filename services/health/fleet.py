"""The monitored fleet: WhatsApp Business Accounts, their phone numbers, and which credential reaches which."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, delete, select

from services.graph.types import BusinessAccount
from services.store.models import CredentialReach, PhoneNumber, WhatsAppBusinessAccount


def upsert_business_account(
    *, session: Session, account: BusinessAccount, business_id: str | None, at: datetime
) -> WhatsAppBusinessAccount:
    """Insert or refresh a WABA row (does not commit)."""
    row = session.get(WhatsAppBusinessAccount, account.id)
    if row is None:
        row = WhatsAppBusinessAccount(id=account.id, name=account.name, first_seen_at=at, last_seen_at=at)
    row.name = account.name
    row.business_id = business_id or row.business_id
    row.currency = account.currency or row.currency
    row.timezone_id = account.timezone_id or row.timezone_id
    row.last_seen_at = at
    session.add(row)
    return row


def set_reach(*, session: Session, credential_id: int, waba_ids: Iterable[str]) -> None:
    """Replace the WABAs a credential reaches (the WABA rows must exist; does not commit)."""
    session.exec(delete(CredentialReach).where(col(CredentialReach.credential_id) == credential_id))
    for waba_id in dict.fromkeys(waba_ids):
        session.add(CredentialReach(credential_id=credential_id, waba_id=waba_id))


def reach_of(*, session: Session, credential_id: int) -> list[str]:
    query = select(CredentialReach.waba_id).where(CredentialReach.credential_id == credential_id)
    return sorted(session.exec(query))


def numbers(*, session: Session) -> list[PhoneNumber]:
    """Every monitored number, by verified name."""
    return list(session.exec(select(PhoneNumber).order_by(col(PhoneNumber.verified_name), col(PhoneNumber.id))))
