"""A channel configuration's card on the list: its fields, checks and outcome, and the actions its status allows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

import streamlit as st
from sqlmodel import Session

from services.configurations import lifecycle as configurations
from services.configurations import marketing_actions
from services.configurations.fields import ConfigurationInput
from services.configurations.records import ConfigurationRefused, display_name, get
from services.configurations.runs import failure_reasons, warnings_of
from services.language.translate import N_, _
from services.moments import moment_words
from services.store.models import ChannelConfiguration
from ui import configuration_checks as checks
from ui import configuration_form as form
from ui.badges import status_badge
from ui.layout import Page
from ui.text import plain

CONFIRM = "cc_confirm_deactivate"


def run_action(page: Page, done: str, call: Callable[[Session], ChannelConfiguration | None]) -> int | None:
    """Call a lifecycle service; a refusal becomes the page's message. The configuration's ID, or None."""
    console = page.console
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


def edit(page: Page, row_id: int) -> None:
    """Open a configuration in the form; an Active one's failed update reopens with the values it tried."""
    console = page.console
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


def check_again(
    page: Page, row: ChannelConfiguration, call: Callable[[Session], ChannelConfiguration | None], said: str
) -> None:
    """A lifecycle call that leaves the configuration Processing, then its checks on a worker; `said` names it."""
    actor = page.actor
    if run_action(page, "", call) is not None:
        checks.start(actor, row.id)
        form.notice("info", _(said, name=display_name(row)))


def activate(page: Page, row: ChannelConfiguration) -> None:
    console, actor = page.console, page.actor
    call = lambda s: configurations.activate(  # noqa: E731
        session=s, actor=actor, configuration_id=row.id, expected_version=row.version, at=console.clock()
    )
    check_again(page, row, call, N_("“{name}” is being activated; it is Processing while the checks run."))


def submit_again(page: Page, row: ChannelConfiguration) -> None:
    console, actor = page.console, page.actor
    call = lambda s: configurations.submit_again(  # noqa: E731
        session=s, actor=actor, configuration_id=row.id, expected_version=row.version, at=console.clock()
    )
    check_again(page, row, call, N_("“{name}” was submitted again; it is Processing while the checks run."))


def duplicate(page: Page, row: ChannelConfiguration) -> None:
    actor = page.actor
    copy_id = run_action(page, "", lambda s: configurations.duplicate(session=s, actor=actor, configuration_id=row.id))
    if copy_id is not None:
        edit(page, copy_id)
        form.notice(
            "success",
            _("“{name}” was duplicated as a new draft; it is open for editing.", name=display_name(row)),
        )


def delete(page: Page, row: ChannelConfiguration) -> None:
    actor = page.actor
    done = _("“{name}” deleted.", name=display_name(row))
    call = lambda s: configurations.delete(  # noqa: E731
        session=s, actor=actor, configuration_id=row.id, expected_version=row.version
    )
    run_action(page, done, call)


def confirm_deactivate(page: Page, row_id: int, version: int, name: str) -> None:
    st.dialog(_("Deactivate channel configuration"))(_confirm_deactivate)(page, row_id, version, name)


def _confirm_deactivate(page: Page, row_id: int, version: int, name: str) -> None:
    console, actor = page.console, page.actor
    st.write(
        _(
            "Deactivate “{name}”? Journeys can no longer send through it. You can activate it again later.",
            name=name,
        )
    )
    yes, no = st.columns(2)
    if yes.button(_("Deactivate"), type="primary", key="cc_deactivate_yes"):
        call = lambda s: configurations.deactivate(  # noqa: E731
            session=s, actor=actor, configuration_id=row_id, expected_version=version, at=console.clock()
        )
        run_action(page, _("“{name}” is Deactivated.", name=name), call)
        st.session_state.pop(CONFIRM, None)
        st.rerun()
    if no.button(_("Cancel"), key="cc_deactivate_no"):
        st.session_state.pop(CONFIRM, None)
        st.rerun()


def actions(page: Page, row: ChannelConfiguration) -> None:
    """The buttons a row's status allows (admins only; the services refuse anyone else anyway)."""
    actor = page.actor
    if not actor.is_admin:
        return
    status, updating = row.status, row.update_status == "processing"
    shown = {  # English labels: the widget keys are made from them; each is shown translated
        N_("Submit again"): status == "failed",
        N_("Edit"): status in ("draft", "failed") or (status == "active" and not updating),
        N_("Deactivate"): status == "active" and not updating,
        N_("Activate"): status == "deactivated",
        N_("Duplicate"): status in ("active", "failed", "deactivated"),
        N_("Delete"): status in ("draft", "failed"),
    }
    handlers = {
        "Submit again": lambda: submit_again(page, row),
        "Edit": lambda: edit(page, row.id),
        "Deactivate": lambda: st.session_state.update({CONFIRM: (row.id, row.version, row.name)}),
        "Activate": lambda: activate(page, row),
        "Duplicate": lambda: duplicate(page, row),
        "Delete": lambda: delete(page, row),
    }
    with st.container(horizontal=True):
        for label in (label for label, allowed in shown.items() if allowed):
            kind = "primary" if label == "Submit again" else "secondary"
            key = f"cc_{label.lower().replace(' ', '_')}_{row.id}"
            st.button(_(label), key=key, type=kind, on_click=handlers[label])


def show(
    page: Page,
    row: ChannelConfiguration,
    credential_names: dict[int | None, str],
    number_names: dict[str | None, str],
    tz: tzinfo,
) -> None:
    with st.container(border=True):
        updating = _("Update processing")
        update = f" :blue-badge[{updating}]" if row.update_status == "processing" else ""
        st.markdown(f"**{plain(display_name(row))}** {status_badge(row.status)}{update}")
        if row.description:
            st.caption(plain(row.description))
        sender = number_names.get(row.sender_phone_number_id, row.sender_phone_number_id or _("not chosen"))
        credential = credential_names.get(
            row.credential_id, plain(_("not chosen") if row.credential_id is None else _("deleted"))
        )
        st.markdown(
            _(
                "Sender number: {sender} · Credential: {credential} · Marketing action: {action}",
                sender=plain(sender),
                credential=credential,
                action=marketing_actions.label_of(row.marketing_action),
            )
        )
        if row.updated_by:
            changed = _(
                "Last change: {moment} by {who}", moment=moment_words(row.updated_at, tz), who=plain(row.updated_by)
            )
        else:
            changed = _("Last change: {moment} by unknown", moment=moment_words(row.updated_at, tz))
        st.caption(changed)
        if "processing" in (row.status, row.update_status):
            st.caption(_("The checks are running; this card shows their outcome when they finish."))
        if row.status == "failed":
            reasons = "".join(f"\n- {plain(r)}" for r in failure_reasons(row.check_results))
            title = _("Failure reasons")
            st.error(f"**{title}**\n{reasons}")
        if row.status == "active" and row.update_status == "failed":
            reasons = " ".join(failure_reasons(row.update_check_results))
            st.warning(_("The update failed; the active version stays in service: {reasons}", reasons=plain(reasons)))
        for warning in warnings_of(row.check_results, row.warnings):
            st.warning(plain(warning), icon="⚠️")
        checks.results(row, tz)
        actions(page, row)
