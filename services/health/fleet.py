"""The monitored fleet: WhatsApp Business Accounts, their phone numbers, and which credential reaches which."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from services.graph.types import BusinessAccount
from services.health.model import Severity
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


def numbers(*, session: Session, ids: Iterable[str] | None = None) -> list[PhoneNumber]:
    """Every monitored number (or those of `ids`), by verified name."""
    query = select(PhoneNumber)
    if ids is not None:
        query = query.where(col(PhoneNumber.id).in_(list(ids)))
    return list(session.exec(query.order_by(col(PhoneNumber.verified_name), col(PhoneNumber.id))))


SEARCH_LIMIT = 20
_DIGITS_IGNORED = (" ", "-", "+", "(", ")", ".")


@dataclass(frozen=True)
class NumberChoice:
    """A number a picker offers: its id, 'Jasper's Market +1 631-555-0101' and how it is doing."""

    id: str
    label: str
    severity: Severity


def choice_label(verified_name: str, display_phone_number: str) -> str:
    return f"{verified_name} {display_phone_number}".strip()


def _digits_only(column: Any) -> Any:
    for sign in _DIGITS_IGNORED:
        column = func.replace(column, sign, "")
    return column


def matching(text: str) -> ColumnElement[bool] | None:
    """Numbers whose digits, verified name, WABA name or business portfolio name contain the text (case ignored).

    None when the text asks for nothing. The condition needs PhoneNumber joined to its WhatsAppBusinessAccount.
    """
    words = " ".join(text.split())
    if not words:
        return None
    conditions: list[ColumnElement[bool]] = [
        col(PhoneNumber.verified_name).icontains(words, autoescape=True),
        col(WhatsAppBusinessAccount.name).icontains(words, autoescape=True),
        col(WhatsAppBusinessAccount.portfolio_name).icontains(words, autoescape=True),
    ]
    digits = "".join(character for character in words if character not in _DIGITS_IGNORED)
    if digits.isdigit():
        conditions.append(_digits_only(col(PhoneNumber.display_phone_number)).contains(digits, autoescape=True))
        conditions.append(col(PhoneNumber.id).startswith(digits, autoescape=True))
    return or_(false(), *conditions)


def worst_first_order() -> tuple[Any, ...]:
    """The fleet's one order, served by the index on (severity, verified_name, id)."""
    return col(PhoneNumber.severity), col(PhoneNumber.verified_name), col(PhoneNumber.id)


def search_numbers(
    *, session: Session, text: str, limit: int = SEARCH_LIMIT, waba_ids: Iterable[str] | None = None
) -> list[NumberChoice]:
    """Up to `limit` numbers matching the text, worst first; an empty text matches every number.

    `waba_ids` narrows the search to the numbers of these WABAs (those a credential reaches, say).
    """
    query = select(
        PhoneNumber.id, PhoneNumber.verified_name, PhoneNumber.display_phone_number, PhoneNumber.severity
    ).join(WhatsAppBusinessAccount, col(WhatsAppBusinessAccount.id) == col(PhoneNumber.waba_id))
    condition = matching(text)
    if condition is not None:
        query = query.where(condition)
    if waba_ids is not None:
        query = query.where(col(PhoneNumber.waba_id).in_(list(waba_ids)))
    rows = session.exec(query.order_by(*worst_first_order()).limit(limit))
    return [NumberChoice(id, choice_label(name, shown), Severity(severity)) for id, name, shown, severity in rows]


def choices_of(*, session: Session, phone_number_ids: Iterable[str]) -> list[NumberChoice]:
    """The given numbers as picker choices (the ones already chosen), worst first; unknown ids are left out."""
    ids = list(dict.fromkeys(phone_number_ids))
    if not ids:
        return []
    query = select(
        PhoneNumber.id, PhoneNumber.verified_name, PhoneNumber.display_phone_number, PhoneNumber.severity
    ).where(col(PhoneNumber.id).in_(ids))
    rows = session.exec(query.order_by(*worst_first_order()))
    return [NumberChoice(id, choice_label(name, shown), Severity(severity)) for id, name, shown, severity in rows]
