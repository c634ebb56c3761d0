"""The monitored fleet: WhatsApp Business Accounts, their phone numbers, and which credential reaches which."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from services.graph.types import BusinessAccount
from services.store.models import CredentialReach, PhoneNumber, WhatsAppBusinessAccount

# Built once per dialect. Two admins storing credentials of one business at once both upsert its WABAs:
# INSERT ... ON CONFLICT makes the second wait for the first and then refresh the row, never fail.
_ACCOUNTS = WhatsAppBusinessAccount.__table__  # type: ignore[attr-defined]


def _upsert_statement(insert: Callable[[Any], Any]) -> Any:
    statement = insert(_ACCOUNTS)
    new, old = statement.excluded, _ACCOUNTS.c
    refreshed = {
        "name": new.name,
        "business_id": func.coalesce(new.business_id, old.business_id),
        "currency": func.coalesce(new.currency, old.currency),
        "timezone_id": func.coalesce(new.timezone_id, old.timezone_id),
        "last_seen_at": new.last_seen_at,
    }
    return statement.on_conflict_do_update(index_elements=[old.id], set_=refreshed)


_UPSERT_ACCOUNT = {"postgresql": _upsert_statement(postgresql.insert), "sqlite": _upsert_statement(sqlite.insert)}


def upsert_business_account(
    *, session: Session, account: BusinessAccount, business_id: str | None, at: datetime
) -> WhatsAppBusinessAccount:
    """Insert or refresh a WABA row in one statement that cannot race another writer's (does not commit)."""
    session.flush()  # pending changes to a loaded row must not be lost when it is read again below
    fresh = WhatsAppBusinessAccount(
        id=account.id,
        name=account.name,
        business_id=business_id or None,
        currency=account.currency or None,
        timezone_id=account.timezone_id or None,
        first_seen_at=at,
        last_seen_at=at,
    )
    statement = _UPSERT_ACCOUNT[session.get_bind().dialect.name]
    session.execute(statement, [fresh.model_dump()])
    row = session.get(WhatsAppBusinessAccount, account.id, populate_existing=True)
    assert row is not None
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
