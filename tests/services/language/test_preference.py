"""A person's language, kept by e-mail in the store (SQLite and PostgreSQL)."""

from datetime import UTC, datetime

from sqlmodel import Session, select

from services.language import preference
from services.language.languages import CHINESE, ENGLISH
from services.store.models import UserPreference

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_choice_is_kept_once_per_person_and_changed_in_place(store_session: Session) -> None:
    assert preference.stored(session=store_session, email="ops@example.com") is None
    preference.remember(session=store_session, email="Ops@Example.com", language=CHINESE, at=NOW)
    assert preference.stored(session=store_session, email="ops@example.com") is CHINESE
    preference.remember(session=store_session, email="ops@example.com", language=ENGLISH, at=NOW)
    assert preference.stored(session=store_session, email="OPS@example.com") is ENGLISH
    rows = store_session.exec(select(UserPreference)).all()
    assert [(r.email, r.language) for r in rows] == [("ops@example.com", "en")]


def test_a_language_the_console_no_longer_speaks_reads_as_no_choice(store_session: Session) -> None:
    store_session.add(UserPreference(email="old@example.com", language="tlh", updated_at=NOW))
    store_session.commit()
    assert preference.stored(session=store_session, email="old@example.com") is None
