from datetime import timedelta

import streamlit as st
from sqlmodel import Session

from services.alerts import lifecycle, switches, tables, views
from services.alerts.rules import SEVERITIES
from services.language.formatting import number_text
from services.language.translate import _, lazy, lazy_in
from services.moments import column_format, zone_name
from ui import alert_channels
from ui.layout import page_setup
from ui.moments import viewer_zone

page = page_setup("Alerts", icon="🔔")
st.title(_("Alerts"))
st.caption(
    _(
        "One alert per number, account or credential and problem while the problem lasts; it resolves itself once "
        "the problem has been clear for the quiet time. Each alert is sent to every channel whose severity it meets."
    )
)

# The options are English keys (the widget's value); each is shown in the reader's language.
SHOWN_STATES = {
    "Open": ("open",),
    "Acknowledged or snoozed": ("acknowledged", "snoozed"),
    "Resolved": ("resolved",),
}
SHOWN_WORDS = {
    "Open": lazy_in("alert state", "Open"),
    "Acknowledged or snoozed": lazy("Acknowledged or snoozed"),
    "Resolved": lazy_in("alert state", "Resolved"),
}
NOTHING_SHOWN = {
    "Open": lazy("No alert here: nothing is open for this selection."),
    "Acknowledged or snoozed": lazy("No alert here: nothing is acknowledged or snoozed for this selection."),
    "Resolved": lazy("No alert here: nothing is resolved for this selection."),
}
tz = viewer_zone()
times = st.column_config.DatetimeColumn(format=column_format(), width=130)
with Session(page.console.engine) as session:
    businesses = views.businesses(session=session)
    wabas = views.wabas(session=session)
    state_col, severity_col, business_col, waba_col = st.columns(4)
    shown = state_col.selectbox(
        _("Alerts"), list(SHOWN_STATES), format_func=lambda shown: str(SHOWN_WORDS[shown]), key="alerts_state"
    )
    severities = severity_col.multiselect(
        _("Severity"), list(SEVERITIES), format_func=tables.severity_words, key="alerts_severity", placeholder=_("Any")
    )
    business = business_col.selectbox(
        _("Business portfolio"),
        [None, *businesses],
        format_func=lambda pid: _("Every business") if pid is None else businesses[pid],
        key="alerts_business",
    )
    waba = waba_col.selectbox(
        _("WhatsApp Business Account"),
        [None, *wabas],
        format_func=lambda wid: _("Every account") if wid is None else wabas[wid],
        key="alerts_waba",
    )
    where = views.AlertFilter(
        states=SHOWN_STATES[shown], severities=tuple(severities), portfolio_id=business, waba_id=waba
    )
    found = views.alerts(
        session=session,
        where=where,
        now=page.console.clock(),
        poll_interval_s=float(page.console.settings.poll_interval_seconds),
    )
    channels = views.channel_names(session=session)

if not found:
    st.success(str(NOTHING_SHOWN[shown]), icon="✅")
else:
    table = tables.alerts_table(found, tz)
    if "resolved" not in SHOWN_STATES[shown]:
        table = table.drop(columns=_("Resolved"))
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            _("Severity"): st.column_config.TextColumn(width=100),
            _("What"): st.column_config.TextColumn(width=330),
            _("About"): st.column_config.TextColumn(width=210),
            _("Opened"): times,
            _("Last seen"): times,
            _("Resolved"): times,
            _("Details"): st.column_config.LinkColumn(display_text=_("Open"), width=60),
        },
    )
    st.caption(
        _(
            "Worst first, then newest. Times in {zone}. At most {count} alerts of the selection.",
            zone=zone_name(tz),
            count=number_text(views.SHOWN),
        )
    )

    unresolved = [v for v in found if v.alert.state != "resolved"]
    if unresolved and page.actor.is_admin:
        with st.expander(_("Acknowledge or snooze an alert")):
            labels = {
                v.alert.id: f"{tables.severity_words(v.alert.severity)} · {v.words.title if v.words else v.alert.title}"
                for v in unresolved
            }
            chosen = st.selectbox(_("Alert"), list(labels), format_func=lambda i: labels[i], key="alerts_chosen")
            note = st.text_input(_("Note (what you are doing about it)"), max_chars=500, key="alerts_note")
            hours = st.number_input(_("Snooze for hours"), min_value=1, max_value=168, value=4, key="alerts_hours")
            ack, snooze = st.columns(2)
            acknowledging, snoozing = (
                ack.button(_("Acknowledge"), key="alerts_ack"),
                snooze.button(_("Snooze"), key="alerts_snooze"),
            )
            if acknowledging or snoozing:
                try:
                    with Session(page.console.engine) as session:
                        if acknowledging:
                            lifecycle.acknowledge(session, chosen, page.actor, note)
                        else:
                            until = page.console.clock() + timedelta(hours=int(hours))
                            lifecycle.snooze(session, chosen, page.actor, until)
                        session.commit()
                except lifecycle.AlertNotFound:
                    st.warning(_("That alert resolved in the meantime."))
                else:
                    st.rerun()

    st.subheader(_("Delivery log"))
    log = tables.deliveries_table(found, channels, tz)
    if log.empty:
        st.info(_("No channel was set up when these alerts opened: they are shown here only."))
    else:
        st.dataframe(
            log,
            hide_index=True,
            width="stretch",
            column_config={
                _("Created"): times,
                _("Delivered"): times,
                _("Alert"): st.column_config.TextColumn(width=360),
            },
        )

if not page.actor.is_admin:
    st.caption(_("Admins choose where alerts are sent and which rules raise them."))
    st.stop()

st.subheader(_("Channels"))
alert_channels.channel_list(page)
alert_channels.add_channel_form(page)

st.subheader(_("Rules"))
with Session(page.console.engine) as session:
    rules = switches.rule_settings(session=session)
for rule in rules:
    switch, severity = st.columns([3, 1])
    # In a column a toggle's label is cut to one line unless told to wrap: a phone showed half a rule's title.
    on = switch.toggle(rule.title, value=rule.enabled, key=f"alerts_rule_{rule.rule}", wrap=True)
    level = severity.selectbox(
        _("Severity"),
        list(SEVERITIES),
        index=list(SEVERITIES).index(rule.severity),
        format_func=tables.severity_words,
        key=f"alerts_rule_severity_{rule.rule}",
        label_visibility="collapsed",
    )
    if (on, level) != (rule.enabled, rule.severity):
        with Session(page.console.engine) as session:
            switches.switch_rule(session=session, actor=page.actor, rule=rule.rule, enabled=on, severity=level)
            session.commit()
        st.rerun()
