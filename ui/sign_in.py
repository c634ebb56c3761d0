"""Who is using the console: demo admin, single sign-on (st.login), or a local account."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st
import streamlit.components.v1 as components
from sqlmodel import Session

from services.access import sign_in_tokens, users
from services.access.roles import DEMO_ADMIN, Actor, role_for_email
from services.runtime import Console
from services.store.models import ConsoleUser

COOKIE = "console_sign_in"
_ACTOR = "signed_in_actor"
_COOKIE_TO_WRITE = "sign_in_cookie_to_write"


def _secrets_section(name: str) -> dict[str, Any] | None:
    try:
        section = st.secrets.get(name)
    except FileNotFoundError:
        return None
    return dict(section) if section else None


def _write_cookie(value: str, max_age_s: int) -> None:
    # Streamlit cannot set cookies itself; a same-origin component can.
    script = f"document.cookie = {json.dumps(f'{COOKIE}={value}; path=/; max-age={max_age_s}; SameSite=Strict')};"
    components.html(f"<script>{script}</script>", height=0)


def _first_admin_instructions() -> None:
    st.title("Set up the console")
    st.info(
        "No one can sign in yet. Create the first admin account on the server, then reload this page:\n\n"
        "```\npython -m services.users add you@example.com --role admin\n```\n\n"
        "Or configure single sign-on in `.streamlit/secrets.toml` (see `.streamlit/secrets.toml.example`)."
    )
    st.stop()


def _single_sign_on(rules: dict[str, Any]) -> Actor:
    if not getattr(st.user, "is_logged_in", False):
        st.title("Sign in")
        st.button("Sign in with single sign-on", on_click=st.login, type="primary")
        st.stop()
    email = str(getattr(st.user, "email", "") or "")
    role = role_for_email(email, {k: list(v) for k, v in rules.items()})
    if role is None:
        st.error(f"{email} has no role in this console; ask an admin to add it to [roles] in the console's secrets.")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    return Actor(email=email, role=role, name=str(getattr(st.user, "name", "") or ""))


def _from_cookie(console: Console, secret: str) -> Actor | None:
    token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token:
        return None
    email = sign_in_tokens.verify(token=token, secret=secret, now=console.clock())
    if email is None:
        return None
    with Session(console.engine) as session:
        user = session.get(ConsoleUser, email)
    if user is None:
        return None
    return Actor(email=user.email, role="admin" if user.role == "admin" else "viewer")


def _sign_in_form(console: Console, secret: str) -> None:
    st.title("Sign in")
    with st.form("sign_in"):
        email = st.text_input("Email")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            with Session(console.engine) as session:
                actor = users.authenticate(session=session, email=email, password=password, now=console.clock)
        except users.SignInError as exc:
            st.error(str(exc))
        else:
            st.session_state[_ACTOR] = actor
            token = sign_in_tokens.issue(email=actor.email, secret=secret, now=console.clock())
            st.session_state[_COOKIE_TO_WRITE] = token
            st.rerun()
    st.stop()


def sign_out() -> None:
    """Forget who is signed in (single sign-on: end the identity cookie too) and show the sign-in screen."""
    if getattr(st.user, "is_logged_in", False):
        st.logout()
    st.session_state.pop(_ACTOR, None)
    st.session_state[_COOKIE_TO_WRITE] = ""
    st.rerun()


def current_actor(console: Console) -> Actor:
    """The signed-in actor; renders the sign-in screen and stops the page when nobody is."""
    if console.settings.demo:
        return DEMO_ADMIN
    if _secrets_section("auth"):
        return _single_sign_on(_secrets_section("roles") or {})
    secret = console.settings.secret_key or ""
    if _COOKIE_TO_WRITE in st.session_state:
        value = st.session_state.pop(_COOKIE_TO_WRITE)
        _write_cookie(value, int(sign_in_tokens.SIGN_IN_LIFETIME.total_seconds()) if value else 0)
        if not value:
            st.session_state["signed_out"] = True
    actor: Actor | None = st.session_state.get(_ACTOR)
    if actor is not None:
        return actor
    with Session(console.engine) as session:
        if users.count_users(session=session) == 0:
            _first_admin_instructions()
    if not st.session_state.get("signed_out"):
        actor = _from_cookie(console, secret)
        if actor is not None:
            st.session_state[_ACTOR] = actor
            return actor
    _sign_in_form(console, secret)
    raise AssertionError("unreachable: the sign-in form stops the page")
