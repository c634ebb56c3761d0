"""The language a page speaks: chosen before anything is said, remembered per person, picked in the sidebar."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session
from streamlit.runtime.scriptrunner import get_script_run_ctx

from services.access.roles import Actor
from services.language import preference
from services.language.choice import QUERY_KEY, choose
from services.language.current import set_current, set_fallback
from services.language.languages import SUPPORTED, Language, parse
from services.language.translate import _
from services.runtime import Console

_CHOSEN = "language_chosen"  # a tag the person chose here: picker, deep link, or their stored preference
_SPOKEN = "language_spoken"  # the tag this session speaks now (read by fragments, which skip page_setup)
_STORED_READ = "language_stored_read"
_PICKER = "language_picker"


def _session_language() -> Language | None:
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return parse(st.session_state.get(_SPOKEN))


set_fallback(_session_language)


def _speak(language: Language) -> Language:
    st.session_state[_SPOKEN] = language.tag
    set_current(language)
    return language


def start_run() -> Language:
    """Before the first word: the address's ?lang=, else this session's choice, else the browser's language."""
    asked = st.query_params.get(QUERY_KEY)
    if (deep_link := parse(asked)) is not None:
        st.session_state[_CHOSEN] = deep_link.tag  # kept across navigation, where the address drops it
    chosen = parse(st.session_state.get(_CHOSEN))
    return _speak(choose(asked=asked, chosen=chosen, browser=st.context.locale))


def with_person(console: Console, actor: Actor) -> bool:
    """Once per session, once the person is known: their stored choice, unless this session chose already.

    True when the language changed (the page title is set again)."""
    if st.session_state.get(_STORED_READ):
        return False
    st.session_state[_STORED_READ] = True
    if st.session_state.get(_CHOSEN):
        return False
    with Session(console.engine) as session:
        stored = preference.stored(session=session, email=actor.email)
    if stored is None or stored.tag == st.session_state.get(_SPOKEN):
        return False
    st.session_state[_CHOSEN] = stored.tag
    _speak(stored)
    return True


def _picked(console: Console, actor: Actor) -> None:
    language = parse(st.session_state.get(_PICKER))
    if language is None:
        return
    st.session_state[_CHOSEN] = language.tag
    _speak(language)
    if QUERY_KEY in st.query_params:
        st.query_params[QUERY_KEY] = language.tag  # the address must not take the choice back
    with Session(console.engine) as session:
        preference.remember(session=session, email=actor.email, language=language, at=console.clock())


def picker(console: Console, actor: Actor) -> None:
    """English / 简体中文 in the sidebar; a choice is kept for the person in the store."""
    spoken = st.session_state.get(_SPOKEN, SUPPORTED[0].tag)
    names = {language.tag: language.name for language in SUPPORTED}
    if spoken not in names and (extra := parse(spoken)) is not None:
        names[spoken] = extra.name  # a language of this process only (the pseudo-locale)
    st.session_state[_PICKER] = spoken
    st.selectbox(
        _("Language"),
        list(names),
        format_func=names.__getitem__,
        key=_PICKER,
        on_change=_picked,
        args=(console, actor),
    )
