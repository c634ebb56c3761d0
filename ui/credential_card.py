"""A stored API credential's card, its actions (re-validate, replace the token, delete) and their dialogs."""

from __future__ import annotations

from datetime import tzinfo

import streamlit as st
from sqlmodel import Session

from services.credentials import lifecycle as credentials
from services.credentials.views import CredentialView
from services.health.vocabulary import throughput_words
from services.language.formatting import list_separator
from services.language.translate import _, plural
from services.moments import local_day
from ui import credential_form as form
from ui.badges import quality_badge
from ui.layout import Page
from ui.text import plain

TOKEN_COLOURS = {"valid": "green", "expired": "red", "invalid": "red"}
DIALOG_KEYS = ("cred_rotate_id", "cred_delete_id")


def close_dialogs() -> None:
    for key in (*DIALOG_KEYS, "credform_new_token"):
        st.session_state.pop(key, None)


def close() -> None:
    """Close the open dialog: only a rerun from inside it closes it in the browser."""
    close_dialogs()
    st.rerun()


def open_rotation(credential_id: int) -> None:
    close_dialogs()
    st.session_state["cred_rotate_id"] = credential_id


def ask_delete(page: Page, credential_id: int) -> None:
    """Refuse at once while a configuration uses the credential; otherwise open the confirmation."""
    close_dialogs()
    with Session(page.console.engine) as session:
        try:
            credentials.ensure_deletable(session=session, credential_id=credential_id)
        except (credentials.CredentialInUse, credentials.CredentialNotFound) as exc:
            form.flash("error", plain(str(exc)))
            return
    st.session_state["cred_delete_id"] = credential_id


def revalidate(page: Page, view: CredentialView) -> None:
    console, actor = page.console, page.actor

    def call() -> CredentialView:
        with Session(console.engine) as session:
            return credentials.revalidate(
                session=session,
                graph=console.graph,
                vault=console.vault,
                actor=actor,
                credential_id=view.id,
                at=console.clock(),
                poll_interval_s=console.settings.poll_interval_seconds,
            )

    fresh, problem = form.attempt(_("Asking Meta about “{name}”…", name=plain(view.name)), call)
    if fresh is None:
        form.flash(
            "error", _("“{name}” was not re-validated: {problem}", name=plain(view.name), problem=plain(problem or ""))
        )
    elif fresh.problem:
        words = _("token {state}. {problem}", state=fresh.token_state_words, problem=fresh.problem)
        form.flash("warning", _("“{name}” re-validated: {words}", name=plain(fresh.name), words=plain(words)))
    else:
        quality = quality_badge(fresh.quality_rating)
        words = _("token {state}; quality {quality}.", state=plain(fresh.token_state_words), quality=quality)
        form.flash("success", _("“{name}” re-validated: {words}", name=plain(fresh.name), words=words))
    st.rerun()


def rotation_dialog(page: Page, view: CredentialView) -> None:
    # Made on each run, not when the module is imported: its title is in the reader's language of this run.
    st.dialog(_("Replace the API token"), on_dismiss=close_dialogs)(_rotation)(page, view)


def _rotation(page: Page, view: CredentialView) -> None:
    console, actor = page.console, page.actor
    st.markdown(_("**{name}** uses the token `{token}`.", name=plain(view.name), token=view.token_masked))
    st.caption(
        _("The new token gets the same checks as a new credential and must still reach this account and number.")
    )
    token = st.text_input(_("New API token"), type="password", key="credform_new_token", autocomplete="off")
    go, cancel = st.columns(2)
    if cancel.button(_("Cancel"), key="cred_rotate_cancel", width="stretch"):
        close()
    if not go.button(_("Replace token"), type="primary", key="cred_rotate_confirm", width="stretch"):
        return

    def call() -> str:
        with Session(console.engine) as session:
            credential = credentials.rotate_token(
                session=session,
                graph=console.graph,
                vault=console.vault,
                actor=actor,
                credential_id=view.id,
                token=token or "",
                at=console.clock(),
                poll_interval_s=console.settings.poll_interval_seconds,
            )
            return credential.token_last4

    new_last4, problem = form.attempt(_("Checking the new token with Meta…"), call)
    if problem:
        st.error(plain(problem))
        return
    form.flash(
        "success",
        _(
            "“{name}” now uses the token ••••{last4}; the old one is no longer stored.",
            name=plain(view.name),
            last4=new_last4,
        ),
    )
    close()


def delete_dialog(page: Page, view: CredentialView) -> None:
    st.dialog(_("Delete the API credential"), on_dismiss=close_dialogs)(_deletion)(page, view)


def _deletion(page: Page, view: CredentialView) -> None:
    number = f"{view.display_phone_number} · {view.verified_name}"
    st.markdown(_("Delete **{name}** ({number})?", name=plain(view.name), number=plain(number)))
    st.caption(_("Its encrypted token is erased and the poller stops reading through it; the number's history stays."))
    go, cancel = st.columns(2)
    if cancel.button(_("Cancel"), key="cred_delete_cancel", width="stretch"):
        close()
    if not go.button(_("Delete"), type="primary", key="cred_delete_confirm", width="stretch"):
        return
    try:
        with Session(page.console.engine) as session:
            credentials.delete(session=session, actor=page.actor, credential_id=view.id)
    except form.PROBLEMS as exc:
        st.error(plain(str(exc)))
        return
    form.flash("success", _("API credential “{name}” deleted.", name=plain(view.name)))
    close()


def credential_card(page: Page, view: CredentialView, zone: tzinfo) -> None:
    """The credential's data first, its actions after (on a phone too, where columns stack)."""
    with st.container(border=True, key=f"cred_card_{view.id}"):
        st.markdown(f"##### {plain(view.name)}")
        st.caption(
            _(
                "Created {day} by {who}",
                day=local_day(view.created_at, zone),
                who=plain(view.created_by) if view.created_by else _("the console"),
            )
        )
        account, number, quality, throughput, token = st.columns([3, 3, 2, 3, 4])
        with account:
            form.setting(_("Business account"), plain(view.waba_name) or _("Unknown"), _("ID {id}", id=view.waba_id))
        with number:
            form.setting(
                _("Phone number"), plain(view.display_phone_number or view.phone_number_id), plain(view.verified_name)
            )
        with quality:
            form.setting(_("Quality rating"), quality_badge(view.quality_rating))
        with throughput:
            form.setting(_("Throughput"), throughput_words(view.throughput_level))
        with token:
            colour = TOKEN_COLOURS.get(view.token_state, "gray")
            form.setting(_("API token"), f"`{view.token_masked}`  \n:{colour}-badge[{view.token_state_words}]")
        if view.problem:
            st.warning(plain(view.problem))
        if view.used_by:
            names = list_separator().join(f"“{plain(name)}”" for name in view.used_by)
            st.caption(
                plural(
                    "Used by channel configuration {names}",
                    "Used by channel configurations {names}",
                    len(view.used_by),
                    names=names,
                )
            )
        with st.container(horizontal=True, key=f"cred_card_actions_{view.id}"):
            asked = st.button(_("Re-validate"), key=f"cred_revalidate_{view.id}")
            if page.actor.is_admin:
                st.button(_("Replace token"), key=f"cred_rotate_{view.id}", on_click=open_rotation, args=(view.id,))
                st.button(_("Delete"), key=f"cred_delete_{view.id}", on_click=ask_delete, args=(page, view.id))
    if asked:
        revalidate(page, view)
