from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from services.access import users
from services.store.models import ConsoleUser

PASSWORD = "correct horse battery"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_add_user_stores_an_argon2_hash_not_the_password(session: Session) -> None:
    users.add_user(session=session, email="Ops.Lead@Example.com", role="admin", password=PASSWORD)
    stored = session.get(ConsoleUser, "ops.lead@example.com")
    assert stored is not None and stored.role == "admin"
    assert stored.password_hash.startswith("$argon2")
    assert PASSWORD not in stored.password_hash


@pytest.mark.parametrize(
    ("email", "role", "password", "words"),
    [
        ("not-an-email", "admin", PASSWORD, "not an email address"),
        ("a@example.com", "owner", PASSWORD, "Role must be one of admin, viewer"),
        ("a@example.com", "viewer", "short", "at least 12 characters"),
    ],
)
def test_add_user_refuses_bad_input_with_a_sentence(
    session: Session, email: str, role: str, password: str, words: str
) -> None:
    with pytest.raises(users.AccountError, match=words):
        users.add_user(session=session, email=email, role=role, password=password)


def test_authenticate_returns_the_actor_with_its_role(session: Session) -> None:
    users.add_user(session=session, email="viewer@example.com", role="viewer", password=PASSWORD)
    actor = users.authenticate(session=session, email=" Viewer@example.com ", password=PASSWORD)
    assert actor.email == "viewer@example.com"
    assert actor.role == "viewer" and not actor.is_admin


def test_unknown_account_and_wrong_password_read_the_same(session: Session) -> None:
    users.add_user(session=session, email="a@example.com", role="admin", password=PASSWORD)
    with pytest.raises(users.SignInError) as unknown:
        users.authenticate(session=session, email="nobody@example.com", password=PASSWORD)
    with pytest.raises(users.SignInError) as wrong:
        users.authenticate(session=session, email="a@example.com", password="wrong password!!")
    assert str(unknown.value) == str(wrong.value) == "That email and password do not match an account."


def test_five_failures_lock_the_account_for_fifteen_minutes(session: Session) -> None:
    clock = FakeClock()
    users.add_user(session=session, email="a@example.com", role="admin", password=PASSWORD)
    for _ in range(4):
        with pytest.raises(users.SignInError, match="do not match"):
            users.authenticate(session=session, email="a@example.com", password="nope nope nope", now=clock)
    with pytest.raises(users.SignInError, match="locked for 15 minutes"):
        users.authenticate(session=session, email="a@example.com", password="nope nope nope", now=clock)
    clock.now += timedelta(minutes=14)
    with pytest.raises(users.SignInError, match="locked"):
        users.authenticate(session=session, email="a@example.com", password=PASSWORD, now=clock)
    clock.now += timedelta(minutes=2)
    assert users.authenticate(session=session, email="a@example.com", password=PASSWORD, now=clock).is_admin


def test_remove_user(session: Session) -> None:
    users.add_user(session=session, email="a@example.com", role="admin", password=PASSWORD)
    users.remove_user(session=session, email="A@example.com")
    assert users.count_users(session=session) == 0
    with pytest.raises(users.AccountError, match="no account"):
        users.remove_user(session=session, email="a@example.com")


def test_cli_adds_an_account_from_stdin(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert users.main(["add", "cli@example.com", "--role", "viewer", "--password-stdin"]) == 0
    assert "cli@example.com can now sign in as viewer" in capsys.readouterr().out
    assert users.main(["list"]) == 0
    assert "cli@example.com\tviewer" in capsys.readouterr().out
