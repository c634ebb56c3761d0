"""Who is using the console: demo admin, single sign-on (st.login), or a local account."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import streamlit as st
import streamlit.components.v1 as components
from sqlmodel import Session

from services.access import sessions, users
from services.access.roles import DEMO_ADMIN, Actor, role_for_email
from services.language.translate import _
from services.runtime import Console
from services.web.routes import SESSION_PATH, SIGN_OUT_PATH
from ui import resources

COOKIE = sessions.COOKIE
_ACTOR = "signed_in_actor"
_SESSION = "sign_in_session_id"
_TICKET = "sign_in_ticket"
_CLEAR_COOKIE = "sign_in_clear_cookie"
_ENDED = "sign_in_ended"


def _secrets_section(name: str) -> dict[str, Any] | None:
    try:
        section = st.secrets.get(name)
    except FileNotFoundError:
        return None
    return dict(section) if section else None


def _first_admin_instructions() -> None:
    st.title(_("Set up the console"))
    st.info(
        _("No one can sign in yet. Create the first admin account on the server, then reload this page:")
        + "\n\n```\npython -m services.users add you@example.com --role admin\n```\n\n"
        + _(
            "Or configure single sign-on in {secrets} (see {example}).",
            secrets="`.streamlit/secrets.toml`",
            example="`.streamlit/secrets.toml.example`",
        )
    )
    st.stop()


def _single_sign_on(rules: dict[str, Any]) -> Actor:
    if not getattr(st.user, "is_logged_in", False):
        st.title(_("Sign in"))
        st.button(_("Sign in with single sign-on"), on_click=st.login, type="primary")
        st.stop()
    email = str(getattr(st.user, "email", "") or "")
    role = role_for_email(email, {k: list(v) for k, v in rules.items()})
    if role is None:
        st.error(
            _(
                "{email} has no role in this console; ask an admin to add it to [roles] in the console's secrets.",
                email=email,
            )
        )
        st.button(_("Sign out"), on_click=st.logout)
        st.stop()
    return Actor(email=email, role=role, name=str(getattr(st.user, "name", "") or ""))


def _idle(console: Console) -> timedelta:
    return timedelta(hours=console.settings.sign_in_idle_hours)


def _client() -> str:
    """Who is trying, for throttling: the client's address as Streamlit sees it ('' when it knows none)."""
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError):
        return ""
    return address if isinstance(address, str) else ""


def _from_cookie(console: Console) -> Actor | None:
    token = st.context.cookies.get(sessions.COOKIE)
    if not isinstance(token, str) or not token:
        return None
    with Session(console.engine) as session:
        found = sessions.from_cookie(session=session, token=token, now=console.clock(), idle=_idle(console))
    if found is None:
        return None
    st.session_state[_SESSION], actor = found
    return actor


def _sign_in_form(console: Console) -> None:
    st.title(_("Sign in"))
    if st.session_state.pop(_ENDED, False):
        st.info(
            _("Your session ended (signed out elsewhere, a password or role change, or a long pause); sign in again.")
        )
    with st.form("sign_in"):
        email = st.text_input(_("Email"))
        password = st.text_input(_("Password"), type="password")
        submitted = st.form_submit_button(_("Sign in"), type="primary")
    if submitted:
        client = _client()
        try:
            with Session(console.engine) as session:
                actor = users.authenticate(
                    session=session, email=email, password=password, now=console.clock, client=client
                )
                started = sessions.start(session=session, email=actor.email, now=console.clock(), client=client)
        except users.SignInError as exc:
            st.error(str(exc))
        else:
            st.session_state[_SESSION] = started.session_id
            st.session_state[_TICKET] = started.ticket
            st.rerun()
    st.stop()


def _forget_everything() -> None:
    """Every piece of this tab's state goes: a person signing in next on this tab inherits nothing."""
    for key in list(st.session_state):
        del st.session_state[key]


def sign_out() -> None:
    """End the session on the server, forget this tab's state, clear the cookie, show the sign-in screen."""
    if getattr(st.user, "is_logged_in", False):
        st.logout()
    session_id = st.session_state.get(_SESSION)
    if isinstance(session_id, int):
        console = resources.console()
        with Session(console.engine) as session:
            sessions.revoke(session=session, session_id=session_id, now=console.clock())
    _forget_everything()
    st.session_state[_CLEAR_COOKIE] = True
    st.rerun()


def _cookie_calls() -> None:
    """Ask the console's routes to set or clear the HttpOnly cookie (page scripts never see the token)."""
    ticket = st.session_state.pop(_TICKET, None)
    if ticket:
        body = json.dumps(ticket)
        components.html(
            f"<script>fetch({json.dumps(SESSION_PATH)}, {{method: 'POST', body: {body}, "
            "credentials: 'same-origin'});</script>",
            height=0,
        )
    if st.session_state.pop(_CLEAR_COOKIE, False):
        components.html(
            f"<script>fetch({json.dumps(SIGN_OUT_PATH)}, {{method: 'POST', credentials: 'same-origin'}});</script>",
            height=0,
        )


def current_actor(console: Console) -> Actor:
    """The signed-in actor, read afresh from the store on every run; renders the sign-in screen when nobody is."""
    if console.settings.demo:
        return DEMO_ADMIN
    if _secrets_section("auth"):
        return _single_sign_on(_secrets_section("roles") or {})
    _cookie_calls()
    session_id = st.session_state.get(_SESSION)
    if isinstance(session_id, int):
        with Session(console.engine) as session:
            actor = sessions.resume(session=session, session_id=session_id, now=console.clock(), idle=_idle(console))
        if actor is not None:
            return actor
        _forget_everything()
        st.session_state[_ENDED] = True
    elif isinstance(given := st.session_state.get(_ACTOR), Actor):
        return given  # a tab handed an actor outright, with no session (how AppTests sign in)
    with Session(console.engine) as session:
        if users.count_users(session=session) == 0:
            _first_admin_instructions()
    actor = _from_cookie(console)
    if actor is not None:
        return actor
    _sign_in_form(console)
    raise AssertionError("unreachable: the sign-in form stops the page")
