"""Channel configurations: the list with its lifecycle actions, or (alone) the form that creates or edits one."""

import streamlit as st
from sqlmodel import Session

from services.access.vault import masked
from services.configurations.fields import ConfigurationInput, credentials
from services.configurations.records import (
    STATUSES,
    list_configurations,
    processing_ids,
    status_words,
)
from services.health.fleet import numbers
from services.language.translate import N_, _, lazy
from ui import configuration_checks as checks
from ui import configuration_form as form
from ui.configuration_card import CONFIRM, confirm_deactivate, show
from ui.layout import page_setup
from ui.moments import viewer_zone
from ui.text import plain

WHAT_IT_IS = lazy(
    "A **channel configuration** is what journeys send WhatsApp messages through: a sender number, reached "
    "through a stored WhatsApp API credential, and the marketing action (consent policy) its messages obey. "
    "Once its checks pass it is Active and can be used."
)
FILTERS = ("cc_filter_status", "cc_search")

page = page_setup(N_("Channel configurations"), icon="📣")
console, actor = page.console, page.actor
tz = viewer_zone()
st.title(_("Channel configurations"))
form.show_notice(console)
for key in FILTERS:  # kept while the open form hides them (Streamlit forgets widgets it did not draw)
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]


def show_list() -> None:
    """The Create button, the filters and one card per configuration; a store watch while any is Processing."""
    if actor.is_admin:
        st.button(
            _("Create channel configuration"),
            type="primary",
            key="cc_create",
            on_click=form.open_form,
            args=(ConfigurationInput(),),
        )
    if CONFIRM in st.session_state:
        confirm_deactivate(page, *st.session_state[CONFIRM])
    left, right = st.columns([2, 1])
    chosen = left.multiselect(
        _("Status"), STATUSES, format_func=status_words, key="cc_filter_status", placeholder=_("All statuses")
    )
    search = right.text_input(_("Search by name"), key="cc_search")
    with Session(console.engine) as session:
        rows = list_configurations(session=session, statuses=chosen, search=search)
        anything = bool(rows) or bool(list_configurations(session=session))
        running = frozenset(processing_ids(session=session))
        credential_names = {
            c.id: f"{plain(c.name)} (`{masked(c.token_last4)}`)" for c in credentials(session=session)
        }  # Markdown: the token's tail shows as code, as on the API credentials page
        senders = {row.sender_phone_number_id for row in rows if row.sender_phone_number_id}
        number_names = {
            n.id: f"{n.display_phone_number} · {n.verified_name}" for n in numbers(session=session, ids=senders)
        }
    checks.watch(console, running)
    if not anything:
        first = _("None exists yet: create the first one with “Create channel configuration”.")
        st.info(f"{WHAT_IT_IS} {first}")
    elif not rows:
        st.info(_("No channel configuration matches this status filter and search."))
    for row in rows:
        show(page, row, credential_names, number_names, tz)


if form.FORM in st.session_state:
    form.render_form(console, actor)
else:
    show_list()
