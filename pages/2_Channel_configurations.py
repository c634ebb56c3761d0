"""Channel configurations: the list with its lifecycle actions, or (alone) the form that creates or edits one."""

from collections.abc import Callable

import streamlit as st
from sqlmodel import Session

from services.access.vault import masked
from services.configurations import lifecycle as configurations
from services.configurations import marketing_actions
from services.configurations.fields import ConfigurationInput, credentials
from services.configurations.records import (
    STATUSES,
    ConfigurationRefused,
    display_name,
    get,
    list_configurations,
    processing_ids,
)
from services.configurations.runs import failure_reasons
from services.health.fleet import numbers
from services.moments import moment_words
from services.store.models import ChannelConfiguration
from ui import configuration_checks as checks
from ui import configuration_form as form
from ui.badges import status_badge
from ui.layout import page_setup
from ui.moments import viewer_zone
from ui.text import plain

WHAT_IT_IS = (
    "A **channel configuration** is what journeys send WhatsApp messages through: a sender number, reached "
    "through a stored WhatsApp API credential, and the marketing action (consent policy) its messages obey. "
    "Once its checks pass it is Active and can be used."
)
CONFIRM = "cc_confirm_deactivate"
FILTERS = ("cc_filter_status", "cc_search")

page = page_setup("Channel configurations", icon="📣")
console, actor = page.console, page.actor
tz = viewer_zone()
st.title("Channel configurations")
form.show_notice(console)
for key in FILTERS:  # kept while the open form hides them (Streamlit forgets widgets it did not draw)
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]


def run_action(done: str, call: Callable[[Session], ChannelConfiguration | None]) -> int | None:
    """Call a lifecycle service; a refusal becomes the page's message. The configuration's ID, or None."""
    try:
        with Session(console.engine) as session:
            row = call(session)
            row_id = row.id if row is not None else None
    except form.Refusal as exc:
        form.notice("error", str(exc))
        return None
    if done:
        form.notice("success", done)
    return row_id


def edit(row_id: int) -> None:
    """Open a configuration in the form; an Active one's failed update reopens with the values it tried."""
    with Session(console.engine) as session:
        try:
            row = get(session=session, configuration_id=row_id)
        except ConfigurationRefused as exc:
            form.notice("error", str(exc))
            return
        values = ConfigurationInput.of(row)
        if row.status == "active" and row.pending_update:
            values = ConfigurationInput.from_dict(row.pending_update)
        form.open_form(values, row_id=row.id, version=row.version, status=row.status)


def check_again(row: ChannelConfiguration, call: Callable[[Session], ChannelConfiguration | None], said: str) -> None:
    """A lifecycle call that leaves the configuration Processing, then its checks on a worker."""
    if run_action("", call) is not None:
        checks.start(actor, row.id)
        form.notice("info", f"“{display_name(row)}” {said}; it is Processing while the checks run.")


def activate(row: ChannelConfiguration) -> None:
    call = lambda s: configurations.activate(  # noqa: E731
        session=s, actor=actor, configuration_id=row.id, expected_version=row.version, at=console.clock()
    )
    check_again(row, call, "is being activated")


def submit_again(row: ChannelConfiguration) -> None:
    call = lambda s: configurations.submit_again(  # noqa: E731
        session=s, actor=actor, configuration_id=row.id, expected_version=row.version, at=console.clock()
    )
    check_again(row, call, "was submitted again")


def duplicate(row: ChannelConfiguration) -> None:
    copy_id = run_action("", lambda s: configurations.duplicate(session=s, actor=actor, configuration_id=row.id))
    if copy_id is not None:
        edit(copy_id)
        form.notice("success", f"“{display_name(row)}” was duplicated as a new draft; it is open for editing.")


def delete(row: ChannelConfiguration) -> None:
    done = f"“{display_name(row)}” deleted."
    call = lambda s: configurations.delete(  # noqa: E731
        session=s, actor=actor, configuration_id=row.id, expected_version=row.version
    )
    run_action(done, call)


@st.dialog("Deactivate channel configuration")
def confirm_deactivate(row_id: int, version: int, name: str) -> None:
    st.write(f"Deactivate “{name}”? Journeys can no longer send through it. You can activate it again later.")
    yes, no = st.columns(2)
    if yes.button("Deactivate", type="primary", key="cc_deactivate_yes"):
        call = lambda s: configurations.deactivate(  # noqa: E731
            session=s, actor=actor, configuration_id=row_id, expected_version=version, at=console.clock()
        )
        run_action(f"“{name}” is Deactivated.", call)
        st.session_state.pop(CONFIRM, None)
        st.rerun()
    if no.button("Cancel", key="cc_deactivate_no"):
        st.session_state.pop(CONFIRM, None)
        st.rerun()


def actions(row: ChannelConfiguration) -> None:
    """The buttons a row's status allows (admins only; the services refuse anyone else anyway)."""
    if not actor.is_admin:
        return
    status, updating = row.status, row.update_status == "processing"
    shown = {
        "Submit again": status == "failed",
        "Edit": status in ("draft", "failed") or (status == "active" and not updating),
        "Deactivate": status == "active" and not updating,
        "Activate": status == "deactivated",
        "Duplicate": status in ("active", "failed", "deactivated"),
        "Delete": status in ("draft", "failed"),
    }
    handlers = {
        "Submit again": lambda: submit_again(row),
        "Edit": lambda: edit(row.id),
        "Deactivate": lambda: st.session_state.update({CONFIRM: (row.id, row.version, row.name)}),
        "Activate": lambda: activate(row),
        "Duplicate": lambda: duplicate(row),
        "Delete": lambda: delete(row),
    }
    with st.container(horizontal=True):
        for label in (label for label, allowed in shown.items() if allowed):
            kind = "primary" if label == "Submit again" else "secondary"
            key = f"cc_{label.lower().replace(' ', '_')}_{row.id}"
            st.button(label, key=key, type=kind, on_click=handlers[label])


def show(
    row: ChannelConfiguration, credential_names: dict[int | None, str], number_names: dict[str | None, str]
) -> None:
    with st.container(border=True):
        update = " :blue-badge[Update processing]" if row.update_status == "processing" else ""
        st.markdown(f"**{plain(display_name(row))}** {status_badge(row.status)}{update}")
        if row.description:
            st.caption(plain(row.description))
        sender = number_names.get(row.sender_phone_number_id, row.sender_phone_number_id or "not chosen")
        credential = credential_names.get(row.credential_id, "not chosen" if row.credential_id is None else "deleted")
        st.markdown(
            f"Sender number: {plain(sender)} · Credential: {plain(credential)} · "
            f"Marketing action: {marketing_actions.label_of(row.marketing_action)}"
        )
        st.caption(f"Last change: {moment_words(row.updated_at, tz)} by {plain(row.updated_by or 'unknown')}")
        if "processing" in (row.status, row.update_status):
            st.caption("The checks are running; this card shows their outcome when they finish.")
        if row.status == "failed":
            st.error("**Failure reasons**\n" + "".join(f"\n- {plain(r)}" for r in failure_reasons(row.check_results)))
        if row.status == "active" and row.update_status == "failed":
            reasons = " ".join(failure_reasons(row.update_check_results))
            st.warning(f"The update failed; the active version stays in service: {plain(reasons)}")
        for warning in row.warnings:
            st.warning(plain(warning), icon="⚠️")
        checks.results(row, tz)
        actions(row)


def show_list() -> None:
    """The Create button, the filters and one card per configuration; a store watch while any is Processing."""
    if actor.is_admin:
        st.button(
            "Create channel configuration",
            type="primary",
            key="cc_create",
            on_click=form.open_form,
            args=(ConfigurationInput(),),
        )
    if CONFIRM in st.session_state:
        confirm_deactivate(*st.session_state[CONFIRM])
    left, right = st.columns([2, 1])
    chosen = left.multiselect(
        "Status", STATUSES, format_func=str.title, key="cc_filter_status", placeholder="All statuses"
    )
    search = right.text_input("Search by name", key="cc_search")
    with Session(console.engine) as session:
        rows = list_configurations(session=session, statuses=chosen, search=search)
        anything = bool(rows) or bool(list_configurations(session=session))
        running = frozenset(processing_ids(session=session))
        credential_names = {c.id: f"{c.name} ({masked(c.token_last4)})" for c in credentials(session=session)}
        number_names = {n.id: f"{n.display_phone_number} · {n.verified_name}" for n in numbers(session=session)}
    checks.watch(console, running)
    if not anything:
        st.info(WHAT_IT_IS + " None exists yet: create the first one with “Create channel configuration”.")
    elif not rows:
        st.info("No channel configuration matches this status filter and search.")
    for row in rows:
        show(row, credential_names, number_names)


if form.FORM in st.session_state:
    form.render_form(console, actor)
else:
    show_list()
