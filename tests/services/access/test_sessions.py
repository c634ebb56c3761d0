"""Server-side sign-in sessions: one-time tickets, hashed tokens, revocation, idle and absolute expiry."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from services.access import sessions, users
from services.store.models import ConsoleUser, SignInSession

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def _signed_in(session: Session, email: str = "a@example.com", role: str = "admin") -> tuple[int, str]:
    users.add_user(session=session, email=email, role=role, password=PASSWORD)
    started = sessions.start(session=session, email=email, now=NOW, client="10.0.0.7")
    redeemed = sessions.redeem(session=session, ticket=started.ticket, now=NOW + timedelta(seconds=1))
    assert redeemed is not None
    return started.session_id, redeemed[0]


def test_a_ticket_buys_the_cookie_once_and_only_its_hash_is_stored(session: Session) -> None:
    users.add_user(session=session, email="a@example.com", role="admin", password=PASSWORD)
    started = sessions.start(session=session, email="a@example.com", now=NOW)
    token, expires = sessions.redeem(session=session, ticket=started.ticket, now=NOW) or ("", NOW)
    assert len(token) >= 43 and expires == NOW + sessions.LIFETIME
    assert sessions.redeem(session=session, ticket=started.ticket, now=NOW) is None  # used up
    row = session.exec(select(SignInSession)).one()
    assert row.token_hash == sessions.digest(token) and token not in str(row.model_dump())
    late = sessions.start(session=session, email="a@example.com", now=NOW)
    assert sessions.redeem(session=session, ticket=late.ticket, now=NOW + timedelta(minutes=2)) is None


def test_a_copied_cookie_stops_working_after_sign_out(session: Session) -> None:
    # Once: the cookie was a stateless HMAC, valid 12 h after Sign out.
    session_id, token = _signed_in(session)
    assert sessions.from_cookie(session=session, token=token, now=NOW) is not None
    sessions.revoke(session=session, session_id=session_id, now=NOW)
    assert sessions.from_cookie(session=session, token=token, now=NOW) is None
    assert sessions.resume(session=session, session_id=session_id, now=NOW) is None


def test_a_password_change_a_role_change_and_removal_end_every_session(session: Session) -> None:
    for change in ("password", "role", "removal"):
        email = f"{change}@example.com"
        session_id, token = _signed_in(session, email)
        if change == "password":
            users.add_user(session=session, email=email, role="admin", password="another long password")
        elif change == "role":
            users.add_user(session=session, email=email, role="viewer", password=PASSWORD)
        else:
            users.remove_user(session=session, email=email)
        assert sessions.from_cookie(session=session, token=token, now=NOW) is None, change
        assert sessions.resume(session=session, session_id=session_id, now=NOW) is None, change


def test_the_role_is_read_from_the_store_on_every_run(session: Session) -> None:
    # Once: a demoted admin kept admin rights in an open tab (the actor was cached in session state).
    session_id, _ = _signed_in(session)
    user = session.get(ConsoleUser, "a@example.com")
    assert user is not None
    user.role = "viewer"  # changed behind the console's back: still seen on the next run
    session.add(user)
    session.commit()
    actor = sessions.resume(session=session, session_id=session_id, now=NOW)
    assert actor is not None and actor.role == "viewer"


def test_a_session_ends_when_idle_and_at_its_absolute_lifetime(session: Session) -> None:
    session_id, token = _signed_in(session)
    assert sessions.resume(session=session, session_id=session_id, now=NOW + timedelta(hours=7)) is not None
    assert sessions.resume(session=session, session_id=session_id, now=NOW + timedelta(hours=14)) is not None
    assert sessions.resume(session=session, session_id=session_id, now=NOW + timedelta(hours=21)) is not None
    assert sessions.resume(session=session, session_id=session_id, now=NOW + timedelta(hours=24)) is None
    other_id, _ = _signed_in(session, "b@example.com")
    assert sessions.resume(session=session, session_id=other_id, now=NOW + timedelta(hours=8, minutes=1)) is None
