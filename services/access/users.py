"""Local console accounts: argon2 password hashes, throttled sign-in, revocable sessions, and a small CLI.

python -m services.users add EMAIL --role admin|viewer [--password-stdin]
python -m services.users remove EMAIL
python -m services.users list
"""

from __future__ import annotations

import argparse
import getpass
import math
import re
import sys
from collections.abc import Callable
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from services.access import audit, sessions, throttle
from services.access.roles import ROLES, Actor, Role
from services.language.translate import N_, _
from services.store.models import ConsoleUser
from services.store.types import utcnow

MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying against a real hash when the account does not exist keeps both answers equally slow."""
    return _hasher.hash("not-a-real-password")


class SignInError(Exception):
    """Why a sign-in was refused, in words for the person signing in."""


class AccountError(ValueError):
    """An account cannot be created or removed as asked."""


def _normalise(email: str) -> str:
    return email.strip().lower()


def count_users(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(ConsoleUser)).one()


def add_user(*, session: Session, email: str, role: str, password: str) -> ConsoleUser:
    """Create or reset a local account (commits)."""
    email = _normalise(email)
    if not _EMAIL.match(email):
        raise AccountError(_("{email} is not an email address.", email=repr(email)))
    if role not in ROLES:
        raise AccountError(_("Role must be one of {roles}, not {role}.", roles=", ".join(ROLES), role=repr(role)))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("The password needs at least {count} characters.", count=MIN_PASSWORD_LENGTH))
    user = session.get(ConsoleUser, email) or ConsoleUser(email=email, role=role)
    # A new password or role ends the account's sessions everywhere; the next run asks to sign in again.
    sessions.revoke_all(session=session, email=email, now=utcnow())
    user.role = role
    user.password_hash = _hasher.hash(password)
    user.failed_attempts = 0
    user.locked_until = None
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def remove_user(*, session: Session, email: str) -> None:
    user = session.get(ConsoleUser, _normalise(email))
    if user is None:
        raise AccountError(_("There is no account for {email}.", email=_normalise(email)))
    sessions.revoke_all(session=session, email=user.email, now=utcnow())
    session.delete(user)
    session.commit()


WRONG = N_("That email and password do not match an account.")


def authenticate(
    *, session: Session, email: str, password: str, now: Callable[[], datetime] = utcnow, client: str = ""
) -> Actor:
    """The signed-in actor, or SignInError; failed tries slow the next ones down (services.access.throttle).

    A wrong password and an unknown email get the same sentence, take the same time and are throttled
    alike, so the answer tells nobody which emails have accounts.
    """
    at = now()
    email = _normalise(email)
    keys = throttle.keys_for(email=email, client=client)
    wait = throttle.take_attempt(session=session, keys=keys, now=at)
    if wait is not None:
        seconds = max(1, math.ceil(wait.total_seconds()))
        _refused(session, email, client, at, "throttled")
        raise SignInError(_("Too many sign-in attempts; wait {duration} and try again.", duration=_duration(seconds)))
    user = session.get(ConsoleUser, email)
    if user is None or not user.password_hash:
        try:
            _hasher.verify(_dummy_hash(), password)
        except VerificationError:
            pass
        _refused(session, email, client, at, "wrong email or password")
        raise SignInError(_(WRONG))
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        _refused(session, email, client, at, "wrong email or password")
        raise SignInError(_(WRONG)) from None
    throttle.succeeded(session=session, keys=keys)
    user.failed_attempts = 0
    user.locked_until = None
    user.last_sign_in_at = at
    session.add(user)
    session.commit()
    role: Role = "admin" if user.role == "admin" else "viewer"
    return Actor(email=user.email, role=role)


def _duration(seconds: int) -> str:
    if seconds < 90:
        return _("1 second") if seconds == 1 else _("{count} seconds", count=seconds)
    return _("{count} minutes", count=math.ceil(seconds / 60))


def _refused(session: Session, email: str, client: str, at: datetime, why: str) -> None:
    """Every refused sign-in goes to the audit log (the typed email, never the password)."""
    event = audit.record(
        session=session,
        actor=Actor(email=email[:255] or "(no email)", role="viewer"),
        action="sign_in_refused",
        object_type="account",
        object_id=email[:64],
        object_name=email[:255],
        detail=f"{why}; client {client or 'unknown'}",
    )
    event.at = at
    session.commit()


def _engine() -> Engine:
    from services.runtime import open_store

    return open_store()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.users", description="Manage local console accounts.")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an account, or reset its password and role")
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    remove = commands.add_parser("remove", help="delete an account")
    remove.add_argument("email")
    commands.add_parser("list", help="list accounts")
    args = parser.parse_args(argv)
    with Session(_engine()) as session:
        try:
            if args.command == "add":
                if args.password_stdin:
                    password = sys.stdin.readline().rstrip("\n")
                else:
                    password = getpass.getpass("Password: ")
                    if getpass.getpass("Again: ") != password:
                        print(_("The two passwords differ; nothing changed."), file=sys.stderr)
                        return 2
                user = add_user(session=session, email=args.email, role=args.role, password=password)
                print(_("{email} can now sign in as {role}.", email=user.email, role=user.role))
            elif args.command == "remove":
                remove_user(session=session, email=args.email)
                print(_("{email} removed.", email=_normalise(args.email)))
            else:
                for user in session.exec(select(ConsoleUser).order_by(col(ConsoleUser.email))):
                    print(f"{user.email}\t{user.role}")
        except AccountError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    return 0
