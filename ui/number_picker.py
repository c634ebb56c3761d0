"""Which phone number? The Phone number page before one is chosen: a search of the fleet and a pick."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from services.health import fleet
from services.language.formatting import number_text
from services.language.translate import _
from services.runtime import Console
from ui.text import plain


def pick_number(console: Console, asked: str) -> None:
    """The page without a number: a search of the fleet, worst first, and a pick that opens the number's page.

    `asked` is the ID the URL named, if any (not one the console monitors)."""
    st.title(_("Phone number"))
    if asked:
        st.warning(_("The console does not monitor a phone number with the ID {id}. Pick one below.", id=plain(asked)))
    search = st.text_input(
        _("Search phone numbers"),
        placeholder=_("Name, digits, WhatsApp Business Account or portfolio"),
        key="number_search",
    )
    with Session(console.engine) as session:
        choices = fleet.search_numbers(session=session, text=search)
    if not choices:
        nothing = _(
            "No phone numbers are monitored yet. Add an API credential: the poller watches every number it reaches."
        )
        st.info(_("No phone number matches {text}.", text=plain(search)) if search.strip() else nothing)
        return
    labels = {choice.id: choice.label for choice in choices}
    picked = st.selectbox(
        _("Phone number"),
        list(labels),
        index=None,
        format_func=labels.__getitem__,
        placeholder=(
            _("Pick one of the {count} worst first", count=number_text(len(labels)))
            if len(labels) > 1
            else _("Pick it")
        ),
    )
    if picked:
        st.query_params["number"] = picked
        st.rerun()
