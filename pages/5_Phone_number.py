from datetime import timedelta

import streamlit as st
from sqlmodel import Session

from services.credentials.views import token_state_words
from services.health import changes as history_changes
from services.health import coverage, fleet, history
from services.health.profile import NumberProfile, profile
from services.health.recording import gap_after
from services.health.vocabulary import (
    can_send_words,
    limit_short,
    limit_words,
    name_status_words,
    review_words,
    status_words,
    throughput_short,
    throughput_words,
)
from services.moments import day_words, moment_words, zone_name
from services.templates.views import troubled_templates
from ui import charts
from ui.badges import quality_text
from ui.layout import link_to, page_setup
from ui.moments import viewer_zone
from ui.templates import language_words
from ui.text import plain

CHART_DAYS = 30
TROUBLED_SHOWN = 10
CONFIGURATION_STATUS = {"draft": "Draft", "processing": "Processing", "active": "Active", "failed": "Failed"}

page = page_setup("Phone number", icon="📞")
console = page.console
tz = viewer_zone()
now = console.clock()

with Session(console.engine) as session:
    asked = st.query_params.get("number", "")
    found: NumberProfile | None = profile(session=session, phone_number_id=asked, now=now) if asked else None

if found is None:
    st.title("Phone number")
    if asked:
        st.warning(f"The console does not monitor a phone number with the ID {plain(asked)}. Pick one below.")
    search = st.text_input(
        "Search phone numbers", placeholder="Name, digits, WhatsApp Business Account or portfolio", key="number_search"
    )
    with Session(console.engine) as session:
        choices = fleet.search_numbers(session=session, text=search)
    if not choices:
        nothing = (
            "No phone numbers are monitored yet. Add an API credential: the poller watches every number it reaches."
        )
        st.info(f"No phone number matches {plain(search)}." if search.strip() else nothing)
        st.stop()
    labels = {choice.id: choice.label for choice in choices}
    picked = st.selectbox(
        "Phone number",
        list(labels),
        index=None,
        format_func=labels.__getitem__,
        placeholder=f"Pick one of the {len(labels)} worst first" if len(labels) > 1 else "Pick it",
    )
    if picked:
        st.query_params["number"] = picked
        st.rerun()
    st.stop()

number, severity = found.number, found.assessment.severity
st.title(f"{severity.icon} {plain(found.label)}")
account_name = found.account.name if found.account else number.waba_id
st.caption(
    f"Phone number ID {number.id} · WhatsApp Business Account {plain(account_name)}"
    + (
        f" · business portfolio {plain(found.account.portfolio_name)}"
        if found.account and found.account.portfolio_name
        else ""
    )
)

# A row that wraps: on a phone the five essentials take two or three short lines, not a screen each.
with st.container(horizontal=True, gap="large"):
    st.metric("Can send", can_send_words(number.can_send), width="content")
    st.metric("Status", status_words(number.status), width="content")
    st.metric("Quality rating", quality_text(number.quality_rating), width="content")
    st.metric(
        "Customers a day",
        limit_short(number.messaging_limit),
        width="content",
        help="The business portfolio's messaging limit, shared by all its numbers",
    )
    st.metric(
        "Throughput",
        throughput_short(number.throughput_level),
        width="content",
        help=throughput_words(number.throughput_level),
    )

with st.container(border=True):
    since = ""
    if found.since is not None:
        since = f" since {moment_words(found.since, tz)}" if not found.since_horizon else " for more than 90 days"
    if found.ok:
        st.markdown(f"✅ **{plain(found.label)}** can send messages{since}. Nothing needs attention.")
    else:
        st.markdown(f"{severity.icon} **{severity.label}**{since}")
        for finding in found.assessment.findings:
            lines = [f"{finding.severity.icon} It {plain(finding.sentence)}."]
            if finding.meta_says:
                lines.append(f"Meta says: “{plain(finding.meta_says)}”")
            if finding.advice:
                lines.append(f"What to do: {plain(finding.advice)}")
            st.markdown("  \n".join(lines))
    polled = number.last_polled_at
    st.caption(
        (f"Last polled {moment_words(polled, tz)}" if polled else "Not polled yet")
        + (f" · watched since {day_words(found.first_observed.astimezone(tz).date())}" if found.first_observed else "")
    )

left, right = st.columns(2)
with left:
    st.subheader("Display name")
    st.markdown(f"**{plain(number.verified_name or 'No display name')}**  \n{name_status_words(number.name_status)}")
    st.subheader("Messaging limit")
    st.markdown(
        f"**{limit_words(number.messaging_limit)}**  \n"
        "Shared by every number of the business portfolio since October 2025; one number can use all of it."
    )
with right:
    st.subheader("WhatsApp Business Account")
    review = review_words(found.account.review_status) if found.account else "Not reported"
    lines = [f"**{plain(account_name)}**", f"Meta's review: {review}"]
    if found.account_assessment is not None and found.account_assessment.findings:
        worst = found.account_assessment.findings[0]
        lines.append(f"{worst.severity.icon} It {plain(worst.sentence)}. {plain(worst.advice)}")
    st.markdown("  \n".join(lines))
    st.link_button("Open in WhatsApp Manager", found.whatsapp_manager_url, icon="↗️")

st.subheader(f"The last {CHART_DAYS} days")
window = (now - timedelta(days=CHART_DAYS), now)
with Session(console.engine) as session:
    rows = history.read(session=session, phone_number_ids=[number.id], start=window[0], end=window[1])
    began = history.began(session=session, phone_number_ids=[number.id])
stretches = history.stretches(rows, start=window[0], end=window[1])
if not stretches:
    st.info(f"The poller has not observed this number in the last {CHART_DAYS} days.")
else:
    seen = coverage.coverage(
        stretches,
        numbers=[number.id],
        start=window[0],
        end=window[1],
        began=began,
        tolerance=gap_after(console.settings.poll_interval_seconds),
    )
    labels = {number.id: found.label}
    began_words = seen.began_words(labels=labels, tz=tz, span=window[1] - window[0])
    st.markdown(plain(f"{seen.summary(labels=labels)} {began_words}".strip()))
    st.plotly_chart(
        charts.history_figure(history.by_number(stretches), labels, window=window, tz=tz, coverage=seen),
        key="number_history",
        config={"displayModeBar": False},
    )
    found_changes = history_changes.changes(rows, start=window[0], end=window[1])
    if found_changes:
        with st.expander(f"Changes in the last {CHART_DAYS} days ({len(found_changes)})"):
            for change in reversed(found_changes):
                st.markdown(f"- {plain(change.describe(tz))}")
    link_to(
        "pages/3_Monitoring.py",
        label="Longer ranges, the changes table and CSV on Monitoring",
        icon="📈",
        query_params={"numbers": number.id, "range": "90d"},
    )
st.caption(f"Times in {zone_name(tz)}.")

st.subheader("Templates in trouble")
with Session(console.engine) as session:
    troubled = troubled_templates(session=session, waba_id=number.waba_id, limit=TROUBLED_SHOWN)
if not troubled:
    st.caption("None: every message template of its WhatsApp Business Account can be sent.")
for row in troubled:
    words = f"{row.name} · {language_words(row.language)} · it {row.headline}"
    link_to("pages/8_Templates.py", label=words, icon=row.severity.icon, query_params={"template": row.id})

st.subheader("Channel configurations that send from it")
if not found.configurations:
    st.caption("None: no channel configuration uses this number as its sender.")
for configuration in found.configurations:
    status = CONFIGURATION_STATUS.get(configuration.status, "Deactivated")
    st.markdown(f"- **{plain(configuration.name)}** · {status}")
if found.configurations:
    link_to("pages/2_Channel_configurations.py", label="Open Channel configurations", icon="📣")

st.subheader("API credentials")
if not found.credentials:
    st.caption("No API credential reaches this number any more: the poller cannot read it.")
for credential in found.credentials:
    state = token_state_words(credential.token_state, credential.token_expires_at, at=now, tz=tz)
    whose = "" if credential.phone_number_id == number.id else " (reaches its WhatsApp Business Account)"
    st.markdown(f"- **{plain(credential.name)}**{whose} · token ••••{credential.token_last4} · {state}")
