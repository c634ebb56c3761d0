"""The channel configuration form (create and edit on one screen); Submit hands the checks to a worker.

What was typed lives in `cc_form` (not a widget key), so a refused save, a conflict or a trip to another page
keeps every value; the widget keys are filled from it whenever the form is drawn.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from services.access.roles import Actor, PermissionDenied
from services.access.vault import masked
from services.configurations import lifecycle as configurations
from services.configurations import marketing_actions
from services.configurations.fields import (
    CHANNELS,
    MAX_DESCRIPTION_LENGTH,
    ConfigurationInput,
    ConfigurationInvalid,
    credentials,
    name_errors,
)
from services.configurations.names import MAX_NAME_LENGTH, name_rule
from services.configurations.records import ConfigurationRefused, display_name
from services.health import fleet
from services.health.model import Severity, assess_stored
from services.language.translate import _
from services.runtime import Console
from services.store import trouble
from services.store.models import Credential, PhoneNumber
from ui import configuration_checks as checks
from ui.text import plain

FORM, ERRORS, PROBLEM, NOTICE = "cc_form", "cc_errors", "cc_problem", "cc_notice"
WIDGETS = {
    "name": "cc_name",
    "description": "cc_description",
    "channel": "cc_channel",
    "marketing_action": "cc_marketing_action",
    "credential_id": "cc_credential",
    "sender_phone_number_id": "cc_sender",
}
Refusal = (ConfigurationRefused, PermissionDenied)


def open_form(
    values: ConfigurationInput, *, row_id: int | None = None, version: int | None = None, status: str = ""
) -> None:
    """Show the form with these values (a new configuration when `row_id` is None)."""
    st.session_state[FORM] = {"id": row_id, "version": version, "status": status, "values": values.as_dict()}
    for field, key in WIDGETS.items():
        st.session_state[key] = getattr(values, field)
    st.session_state[ERRORS], st.session_state[PROBLEM] = {}, None


def close_form() -> None:
    """Hide the form and forget what was typed in it."""
    for key in (FORM, ERRORS, PROBLEM, *WIDGETS.values()):
        st.session_state.pop(key, None)


def notice(kind: str, text: str) -> None:
    """A message for the next run of the page (success, info or error); it replaces the one left before."""
    st.session_state[NOTICE] = [(kind, text)]


def show_notice(console: Console) -> None:
    """Show (once) the message the previous action left, or how this session's checks ended meanwhile."""
    said = checks.finished(console) or st.session_state.get(NOTICE, [])
    st.session_state.pop(NOTICE, None)
    for kind, text in said:
        getattr(st, kind)(text)


def _typed() -> ConfigurationInput:
    form = st.session_state[FORM]
    values = {field: st.session_state.get(key, form["values"].get(field)) for field, key in WIDGETS.items()}
    return ConfigurationInput.from_dict(
        {**values, "description": values["description"] or "", "name": values["name"] or ""}
    )


def _save(console: Console, actor: Actor, *, as_draft: bool) -> None:
    form = st.session_state[FORM]
    values = _typed()
    form["values"] = values.as_dict()
    action = configurations.save_draft if as_draft else configurations.submit
    try:
        with Session(console.engine) as session:
            row = action(
                session=session,
                actor=actor,
                values=values,
                configuration_id=form["id"],
                expected_version=form["version"],
                at=console.clock(),
            )
            row_id, name, update = row.id, display_name(row), row.status == "active"
    except ConfigurationInvalid as exc:
        st.session_state[ERRORS], st.session_state[PROBLEM] = exc.errors, None
        return
    except Refusal as exc:
        st.session_state[ERRORS], st.session_state[PROBLEM] = {}, str(exc)
        return
    except (SQLAlchemyError, OSError) as exc:
        sentence = trouble.diagnose(exc, console.settings.database_url)
        if sentence is None:
            raise
        st.session_state[ERRORS], st.session_state[PROBLEM] = {}, sentence  # the form stays open, as typed
        return
    close_form()
    if as_draft:
        notice("success", _("Draft “{name}” saved. Reopen it with Edit to finish it.", name=name))
        return
    assert row_id is not None
    checks.start(actor, row_id, update=update)
    if update:
        said = _(
            "“{name}” was submitted. Its update is Processing while the checks run; this list shows the outcome.",
            name=name,
        )
    else:
        said = _(
            "“{name}” was submitted. It is Processing while the checks run; this list shows the outcome.", name=name
        )
    notice("info", said)


def _name_left(console: Console) -> None:
    """On leaving Name: say at once everything wrong with it (a draft may still be saved without a name)."""
    form = st.session_state[FORM]
    name = (st.session_state.get(WIDGETS["name"]) or "").strip()
    errors = dict(st.session_state.get(ERRORS) or {})
    errors.pop("name", None)
    if name:
        with Session(console.engine) as session:
            errors |= name_errors(session=session, name=name, configuration_id=form["id"])
    st.session_state[ERRORS] = errors


def _credential_changed(console: Console) -> None:
    """A new credential: the sender defaults to the credential's own number."""
    credential_id = st.session_state.get(WIDGETS["credential_id"])
    with Session(console.engine) as session:
        credential = session.get(Credential, credential_id) if credential_id is not None else None
        st.session_state[WIDGETS["sender_phone_number_id"]] = credential.phone_number_id if credential else None


def _field_error(field: str) -> None:
    sentence = st.session_state.get(ERRORS, {}).get(field)
    if sentence:
        st.error(plain(sentence), icon="⚠️")


def _number_label(number: PhoneNumber | None, phone_number_id: str) -> str:
    """'⛔ Blocked · +1 415-555-0104 · Lucky Shrub (WABA …)': the number's health before anyone submits."""
    if number is None:
        return _("{number} (not reachable through this credential)", number=phone_number_id)
    severity = assess_stored(number).severity
    where = f"{number.display_phone_number} · {number.verified_name} (WABA {number.waba_id})"
    return f"{severity.icon} {severity.label} · {where}"


def _sender_health(number: PhoneNumber | None) -> None:
    """Say before Submit what the checks will say: a number that cannot send fails them."""
    if number is None:
        return
    assessment = assess_stored(number)
    if not assessment.severity.needs_attention:
        return
    worst = assessment.findings[0]
    text = _("**{number}** {finding}.", number=plain(number.display_phone_number), finding=plain(str(worst.sentence)))
    if worst.meta_says:
        text += " " + _("Meta says: “{meta_says}”", meta_says=plain(worst.meta_says))
    text += f" {plain(str(worst.advice))}"
    if assessment.severity is Severity.BLOCKED:
        fail = _("Submit will fail until this is fixed; choose another number or fix it first.")
        st.error(f"{text} {fail}", icon="⛔")
    else:
        st.warning(text, icon=assessment.severity.icon)


SENDER_SEARCH = "cc_sender_search"


def _sender_choices(
    session: Session, credential: Credential | None, sender: str | None, typed: str
) -> dict[str, PhoneNumber]:
    """The credential's own number, the chosen one, then the best matches among the WABAs it reaches: a search,
    never the whole fleet."""
    if credential is None or credential.id is None:
        return {}
    wabas = {credential.waba_id, *fleet.reach_of(session=session, credential_id=credential.id)}
    found = fleet.search_numbers(session=session, text=typed, waba_ids=wabas)
    ids = [credential.phone_number_id, *([sender] if sender else []), *(choice.id for choice in found)]
    rows = {n.id: n for n in fleet.numbers(session=session, ids=ids) if n.waba_id in wabas}
    return {i: rows[i] for i in dict.fromkeys(ids) if i in rows}


def render_form(console: Console, actor: Actor) -> None:
    """The form: Name, Description, Channel, Marketing action, WhatsApp API configuration, Sender number."""
    form = st.session_state[FORM]
    for field, key in WIDGETS.items():
        st.session_state.setdefault(key, form["values"].get(field))
    active = form["status"] == "active"
    with Session(console.engine) as session:
        stored: dict[int | None, Credential] = {c.id: c for c in credentials(session=session)}
        chosen = st.session_state[WIDGETS["credential_id"]]
        sender = st.session_state[WIDGETS["sender_phone_number_id"]]
        numbers = _sender_choices(session, stored.get(chosen), sender, st.session_state.get(SENDER_SEARCH, ""))
    credential_ids = list(stored) + ([chosen] if chosen is not None and chosen not in stored else [])
    sender_ids = list(numbers) + ([sender] if sender is not None and sender not in numbers else [])

    if active:
        st.subheader(_("Update the active configuration"))
        st.caption(_("The active version stays in service while the update is checked."))
    else:
        st.subheader(_("Create channel configuration") if form["id"] is None else _("Edit channel configuration"))
    with st.container(border=True):
        st.text_input(
            _("Name"),
            key=WIDGETS["name"],
            max_chars=MAX_NAME_LENGTH,
            disabled=active,
            on_change=_name_left,
            args=(console,),
        )
        rule = name_rule()
        fixed = _("The name of an active configuration cannot change.")
        st.caption(f"{rule} {fixed}" if active else rule)
        _field_error("name")
        st.text_area(
            _("Description"), key=WIDGETS["description"], max_chars=MAX_DESCRIPTION_LENGTH, placeholder=_("Optional")
        )
        _field_error("description")
        st.selectbox(_("Channel"), list(CHANNELS), format_func=CHANNELS.__getitem__, key=WIDGETS["channel"])
        _field_error("channel")
        st.selectbox(
            _("Marketing action"),
            marketing_actions.keys(),
            format_func=marketing_actions.label_of,
            index=None,
            placeholder=_("Choose the consent policy the messages obey"),
            key=WIDGETS["marketing_action"],
        )
        _field_error("marketing_action")
        st.selectbox(
            _("WhatsApp API configuration"),
            credential_ids,
            format_func=lambda i: (
                f"{stored[i].name} ({masked(stored[i].token_last4)})"
                if i in stored
                else _("API credential {id} (deleted)", id=i)
            ),
            index=None,
            placeholder=_("Choose a stored API credential"),
            key=WIDGETS["credential_id"],
            on_change=_credential_changed,
            args=(console,),
        )
        _field_error("credential_id")
        if chosen in stored:
            st.text_input(
                _("Find a sender number"),
                key=SENDER_SEARCH,
                placeholder=_("Number, name, WABA or business portfolio"),
                help=_("The list offers the credential's own number, the one chosen, and the best matches."),
            )
        st.selectbox(
            _("Sender number"),
            sender_ids,
            format_func=lambda i: _number_label(numbers.get(i), i),
            index=None,
            placeholder=_("Choose a number reachable through the credential"),
            key=WIDGETS["sender_phone_number_id"],
        )
        _field_error("sender_phone_number_id")
        _sender_health(numbers.get(st.session_state[WIDGETS["sender_phone_number_id"]]))
        if st.session_state.get(PROBLEM):
            st.error(plain(st.session_state[PROBLEM]))
        with st.container(horizontal=True):
            save = {"on_click": _save, "args": (console, actor)}
            st.button(_("Submit"), type="primary", key="cc_submit", kwargs={"as_draft": False}, **save)
            if not active:
                st.button(_("Save as draft"), key="cc_save_draft", kwargs={"as_draft": True}, **save)
            st.button(_("Cancel"), key="cc_cancel", on_click=close_form)
    form["values"] = _typed().as_dict()
