"""The language each person chose, kept in the store by e-mail so it follows them to any browser."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from services.language.languages import Language, parse
from services.store.models import UserPreference


def stored(*, session: Session, email: str) -> Language | None:
    """The language `email` chose last, if any (and if the console still speaks it)."""
    if not email:
        return None
    row = session.get(UserPreference, email.lower())
    return parse(row.language) if row else None


def remember(*, session: Session, email: str, language: Language, at: datetime) -> None:
    """Keep `language` as `email`'s choice (one row per person: the primary key)."""
    if not email:
        return
    key = email.lower()
    row = session.get(UserPreference, key)
    if row is None:
        session.add(UserPreference(email=key, language=language.tag, updated_at=at))
    else:
        row.language, row.updated_at = language.tag, at
        session.add(row)
    session.commit()
