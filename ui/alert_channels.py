"""The Alerts page's channels: each one switched, changed or removed, and a new one added (admins only)."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from services.alerts import channels as alert_channels
from services.alerts import tables, views
from services.alerts.rules import SEVERITIES
from services.language import languages
from services.language.translate import _, lazy
from ui.layout import Page
from ui.text import plain

KINDS = {"email": lazy("Email"), "webhook": lazy("Webhook")}
LANGUAGES = [language.tag for language in languages.SUPPORTED]
# The new channel's fields, kept after a refused submit and cleared once it is added.
NEW_CHANNEL_KEYS = (
    "alerts_new_kind",
    "alerts_new_name",
    "alerts_new_min",
    "alerts_new_language",
    "alerts_new_address",
    "alerts_new_secret",
    "alerts_new_smtp",
)


def channel_list(page: Page) -> None:
    """Every channel: a switch, and a Change popover (severity, language, name, remove)."""
    with Session(page.console.engine) as session:
        listed = views.channels(session=session)
    if not listed:
        st.info(
            _(
                "No channel yet: alerts are shown on this page only. Set `SMTP_URL`, `ALERT_EMAIL_FROM` and "
                "`ALERT_EMAIL_TO` for email, or `ALERT_WEBHOOK_URL` for a Slack or Teams webhook, and restart the "
                "console."
            ),
            icon="📭",
        )
    for channel in listed:
        label = _(
            "{channel}, sends {severity} and worse",
            channel=channel.label,
            severity=tables.severity_name(channel.min_severity),
        )
        switch, change = st.columns([4, 1], vertical_alignment="center")
        on = switch.toggle(plain(label), value=channel.enabled, key=f"alerts_channel_{channel.id}", wrap=True)
        if on != channel.enabled:
            with Session(page.console.engine) as session:
                alert_channels.update_channel(session, page.console.vault, page.actor, channel.id, enabled=on)
                session.commit()
            st.rerun()
        with change.popover(_("Change"), icon="✏️", width="stretch"):
            severity_key, name_key = f"alerts_channel_min_{channel.id}", f"alerts_channel_name_{channel.id}"
            minimum = st.selectbox(
                _("Send alerts of"),
                list(SEVERITIES),
                index=list(SEVERITIES).index(channel.min_severity),
                format_func=tables.severity_words,
                key=severity_key,
            )
            language = st.selectbox(
                _("Language of its emails and messages"),
                LANGUAGES,
                index=LANGUAGES.index(channel.language) if channel.language in LANGUAGES else 0,
                format_func=views.language_name,
                key=f"alerts_channel_language_{channel.id}",
            )
            if channel.from_settings:
                st.caption(
                    _("Set in the console's settings: its address changes there, and it comes back at a restart.")
                )
                renamed, removing = None, False
            else:
                renamed = st.text_input(_("Name"), value=channel.name, max_chars=120, key=name_key)
                removing = st.button(_("Remove this channel"), icon="🗑️", key=f"alerts_channel_remove_{channel.id}")
            saving = st.button(_("Save"), type="primary", key=f"alerts_channel_save_{channel.id}")
            if saving or removing:
                try:
                    with Session(page.console.engine) as session:
                        if removing:
                            alert_channels.delete_channel(session, page.actor, channel.id)
                        else:
                            alert_channels.update_channel(
                                session,
                                page.console.vault,
                                page.actor,
                                channel.id,
                                name=renamed,
                                min_severity=minimum,
                                language=language,
                            )
                        session.commit()
                except alert_channels.ChannelError as exc:
                    st.error(str(exc))
                else:
                    st.rerun()


def add_channel_form(page: Page) -> None:
    """The Add a channel form; a refused channel keeps what was typed, with the reason."""
    with st.expander(_("Add a channel")), st.form("alerts_new_channel"):
        kind = st.selectbox(_("Kind"), list(KINDS), format_func=lambda k: str(KINDS[k]), key="alerts_new_kind")
        name = st.text_input(_("Name"), max_chars=120, key="alerts_new_name")
        minimum = st.selectbox(
            _("Send alerts of"), list(SEVERITIES), format_func=tables.severity_words, key="alerts_new_min"
        )
        language = st.selectbox(
            _("Language of its emails and messages"),
            LANGUAGES,
            format_func=views.language_name,
            key="alerts_new_language",
        )
        address = st.text_input(_("Email addresses (comma separated) or the webhook URL"), key="alerts_new_address")
        secret = st.text_input(_("Webhook signing secret (optional)"), type="password", key="alerts_new_secret")
        smtp = st.text_input(
            _("SMTP URL for email (empty: the one from the settings)"), type="password", key="alerts_new_smtp"
        )
        if st.form_submit_button(_("Add channel")):
            settings = page.console.settings
            if kind == "email":
                config: dict[str, object] = {
                    "smtp_url": smtp.strip() or settings.smtp_url or "",
                    "from": settings.alert_email_from or "",
                    "to": [a.strip() for a in address.split(",") if a.strip()],
                }
            else:
                config = {"url": address.strip(), **({"secret": secret} if secret else {})}
            try:
                with Session(page.console.engine) as session:
                    alert_channels.create_channel(
                        session,
                        page.console.vault,
                        page.actor,
                        kind=kind,
                        name=name,
                        config=config,
                        min_severity=minimum,
                        language=language,
                    )
                    session.commit()
            except alert_channels.ChannelError as exc:
                st.error(str(exc))
            else:
                for key in NEW_CHANNEL_KEYS:
                    st.session_state.pop(key, None)
                st.rerun()
