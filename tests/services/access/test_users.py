import contextlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from services.access import audit, throttle, users
from services.store.models import ConsoleUser, SignInThrottle

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


def test_failed_tries_slow_the_trying_client_down_and_never_lock_the_owner_out(session: Session) -> None:
    # Once: five wrong passwords typed by anyone locked the real user out for 15 minutes.
    clock = FakeClock()
    users.add_user(session=session, email="a@example.com", role="admin", password=PASSWORD)
    for _ in range(4):
        with pytest.raises(users.SignInError, match="do not match"):
            users.authenticate(session=session, email="a@example.com", password="nope", now=clock, client="10.0.0.66")
    with pytest.raises(users.SignInError, match="Too many sign-in attempts; wait 2 seconds and try again."):
        users.authenticate(session=session, email="a@example.com", password=PASSWORD, now=clock, client="10.0.0.66")
    # The owner, at their own client, is not held up by the stranger.
    owner = users.authenticate(session=session, email="a@example.com", password=PASSWORD, now=clock, client="10.0.0.7")
    assert owner.is_admin
    clock.now += timedelta(seconds=2)
    assert users.authenticate(session=session, email="a@example.com", password=PASSWORD, now=clock, client="10.0.0.66")


def test_the_waits_double_up_to_fifteen_minutes() -> None:
    waits = [throttle.delay_after(n).total_seconds() for n in range(1, 16)]
    assert waits[:3] == [0, 0, 0] and waits[3:7] == [2, 4, 8, 16]
    assert max(waits) == 900 and waits == sorted(waits)


def test_an_unknown_email_is_throttled_and_answered_exactly_like_a_real_one(session: Session) -> None:
    # Once: the lock message told an attacker which emails have accounts.
    clock = FakeClock()
    users.add_user(session=session, email="real@example.com", role="viewer", password=PASSWORD)
    said: dict[str, list[str]] = {}
    for email in ("real@example.com", "ghost@example.com"):
        for _ in range(6):
            try:
                users.authenticate(session=session, email=email, password="nope", now=clock, client=email)
            except users.SignInError as refused:
                said.setdefault(email, []).append(str(refused))
    assert said["real@example.com"] == said["ghost@example.com"]
    assert said["real@example.com"][-1].startswith("Too many sign-in attempts")


def test_every_refused_sign_in_is_in_the_audit_log(session: Session) -> None:
    clock = FakeClock()
    for _ in range(5):
        with pytest.raises(users.SignInError):
            users.authenticate(session=session, email="x@example.com", password="nope", now=clock, client="10.1.1.1")
    refused = audit.list_events(session=session, object_type="account")
    assert len(refused) == 5 and {e.action for e in refused} == {"sign_in_refused"}
    assert sum("throttled" in e.detail for e in refused) == 1 and all("10.1.1.1" in e.detail for e in refused)
    assert all("nope" not in e.detail for e in refused)


def test_parallel_wrong_passwords_are_all_counted_and_few_reach_the_hash_check(
    store_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Once: 40 parallel wrong passwords all reached the hash check and left the failure count at 4.
    with Session(store_engine) as session:
        users.add_user(session=session, email="a@example.com", role="admin", password=PASSWORD)
    checked, lock, real = [0], threading.Lock(), users._hasher

    class CountingHasher:
        def verify(self, hashed: str, password: str) -> bool:
            with lock:
                checked[0] += 1
            return real.verify(hashed, password)

    monkeypatch.setattr(users, "_hasher", CountingHasher())
    start = threading.Barrier(40)

    def attempt() -> None:
        start.wait()
        with Session(store_engine) as session, contextlib.suppress(users.SignInError):
            users.authenticate(session=session, email="a@example.com", password="nope", client="10.9.9.9")

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(store_engine) as session:
        rows = {row.key: row.failures for row in session.exec(select(SignInThrottle))}
    assert set(rows.values()) <= set(range(throttle.FREE_ATTEMPTS + 1, 41))
    assert checked[0] <= throttle.FREE_ATTEMPTS + 1, f"{checked[0]} of 40 parallel tries reached the hash check"
    assert len(rows) == 2


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
