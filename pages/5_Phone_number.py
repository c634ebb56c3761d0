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
from services.language.formatting import number_text
from services.language.translate import _, lazy
from services.moments import day_words, moment_words, zone_name
from services.templates.views import troubled_templates
from ui import charts
from ui.badges import quality_text
from ui.layout import CONFIGURATIONS_PAGE, MONITORING_PAGE, TEMPLATES_PAGE, link_to, page_setup
from ui.moments import viewer_zone
from ui.templates import language_words
from ui.text import plain

CHART_DAYS = 30
TROUBLED_SHOWN = 10
CONFIGURATION_STATUS = {
    "draft": lazy("Draft"),
    "processing": lazy("Processing"),
    "active": lazy("Active"),
    "failed": lazy("Failed"),
}
DEACTIVATED = lazy("Deactivated")

page = page_setup("Phone number", icon="📞")
console = page.console
tz = viewer_zone()
now = console.clock()

with Session(console.engine) as session:
    asked = st.query_params.get("number", "")
    found: NumberProfile | None = profile(session=session, phone_number_id=asked, now=now) if asked else None

if found is None:
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
        st.stop()
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
    st.stop()

number, severity = found.number, found.assessment.severity
st.title(f"{severity.icon} {plain(found.label)}")
account_name = found.account.name if found.account else number.waba_id
if found.account and found.account.portfolio_name:
    st.caption(
        _(
            "Phone number ID {id} · WhatsApp Business Account {account} · business portfolio {portfolio}",
            id=number.id,
            account=plain(account_name),
            portfolio=plain(found.account.portfolio_name),
        )
    )
else:
    st.caption(
        _("Phone number ID {id} · WhatsApp Business Account {account}", id=number.id, account=plain(account_name))
    )

# A row that wraps: on a phone the five essentials take two or three short lines, not a screen each.
with st.container(horizontal=True, gap="large"):
    st.metric(_("Can send"), can_send_words(number.can_send), width="content")
    st.metric(_("Status"), status_words(number.status), width="content")
    st.metric(_("Quality rating"), quality_text(number.quality_rating), width="content")
    st.metric(
        _("Customers a day"),
        limit_short(number.messaging_limit),
        width="content",
        help=_("The business portfolio's messaging limit, shared by all its numbers"),
    )
    st.metric(
        _("Throughput"),
        throughput_short(number.throughput_level),
        width="content",
        help=throughput_words(number.throughput_level),
    )

with st.container(border=True):
    # How long it has been so: since a moment, longer than the history the console keeps, or not known.
    held = "" if found.since is None else ("horizon" if found.since_horizon else "since")
    since = moment_words(found.since, tz) if found.since is not None else ""
    if found.ok:
        label = plain(found.label)
        said = {
            "since": _(
                "**{label}** can send messages since {since}. Nothing needs attention.", label=label, since=since
            ),
            "horizon": _("**{label}** can send messages for more than 90 days. Nothing needs attention.", label=label),
            "": _("**{label}** can send messages. Nothing needs attention.", label=label),
        }
        st.markdown(f"✅ {said[held]}")
    else:
        level = str(severity.label)
        said = {
            "since": _("**{severity}** since {since}", severity=level, since=since),
            "horizon": _("**{severity}** for more than 90 days", severity=level),
            "": f"**{level}**",
        }
        st.markdown(f"{severity.icon} {said[held]}")
        for finding in found.assessment.findings:
            said = _("It {sentence}.", sentence=plain(str(finding.sentence)))
            lines = [f"{finding.severity.icon} {said}"]
            if finding.meta_says:
                lines.append(_("Meta says: “{words}”", words=plain(finding.meta_says)))
            if finding.advice:
                lines.append(_("What to do: {advice}", advice=plain(str(finding.advice))))
            st.markdown("  \n".join(lines))
    polled = number.last_polled_at
    watch = [_("Last polled {moment}", moment=moment_words(polled, tz)) if polled else _("Not polled yet")]
    if found.first_observed:
        watch.append(_("watched since {day}", day=day_words(found.first_observed.astimezone(tz).date())))
    st.caption(" · ".join(watch))

left, right = st.columns(2)
with left:
    st.subheader(_("Display name"))
    display_name = plain(number.verified_name or _("No display name"))
    st.markdown(f"**{display_name}**  \n{name_status_words(number.name_status)}")
    st.subheader(_("Messaging limit"))
    st.markdown(
        f"**{limit_words(number.messaging_limit)}**  \n"
        + _("Shared by every number of the business portfolio since October 2025; one number can use all of it.")
    )
with right:
    st.subheader(_("WhatsApp Business Account"))
    review = review_words(found.account.review_status) if found.account else _("Not reported")
    lines = [f"**{plain(account_name)}**", _("Meta's review: {review}", review=review)]
    if found.account_assessment is not None and found.account_assessment.findings:
        worst = found.account_assessment.findings[0]
        said = _("It {sentence}. {advice}", sentence=plain(str(worst.sentence)), advice=plain(str(worst.advice)))
        lines.append(f"{worst.severity.icon} {said}")
    st.markdown("  \n".join(lines))
    st.link_button(_("Open in WhatsApp Manager"), found.whatsapp_manager_url, icon="↗️")

st.subheader(_("The last {days} days", days=number_text(CHART_DAYS)))
window = (now - timedelta(days=CHART_DAYS), now)
with Session(console.engine) as session:
    rows = history.read(session=session, phone_number_ids=[number.id], start=window[0], end=window[1])
    began = history.began(session=session, phone_number_ids=[number.id])
stretches = history.stretches(rows, start=window[0], end=window[1])
if not stretches:
    st.info(_("The poller has not observed this number in the last {days} days.", days=number_text(CHART_DAYS)))
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
        changed = _(
            "Changes in the last {days} days ({count})",
            days=number_text(CHART_DAYS),
            count=number_text(len(found_changes)),
        )
        with st.expander(changed):
            for change in reversed(found_changes):
                st.markdown(f"- {plain(change.describe(tz))}")
    link_to(
        MONITORING_PAGE,
        label=_("Longer ranges, the changes table and CSV on Monitoring"),
        icon="📈",
        query_params={"numbers": number.id, "range": "90d"},
    )
st.caption(_("Times in {zone}.", zone=zone_name(tz)))

st.subheader(_("Templates in trouble"))
with Session(console.engine) as session:
    troubled = troubled_templates(session=session, waba_id=number.waba_id, limit=TROUBLED_SHOWN)
if not troubled:
    st.caption(_("None: every message template of its WhatsApp Business Account can be sent."))
for row in troubled:
    words = _(
        "{name} · {language} · it {headline}",
        name=row.name,
        language=language_words(row.language),
        headline=row.headline,
    )
    link_to(TEMPLATES_PAGE, label=words, icon=row.severity.icon, query_params={"template": row.id})

st.subheader(_("Channel configurations that send from it"))
if not found.configurations:
    st.caption(_("None: no channel configuration uses this number as its sender."))
for configuration in found.configurations:
    status = CONFIGURATION_STATUS.get(configuration.status, DEACTIVATED)
    st.markdown(f"- **{plain(configuration.name)}** · {status}")
if found.configurations:
    link_to(CONFIGURATIONS_PAGE, label=_("Open Channel configurations"), icon="📣")

st.subheader(_("API credentials"))
if not found.credentials:
    st.caption(_("No API credential reaches this number any more: the poller cannot read it."))
for credential in found.credentials:
    state = token_state_words(credential.token_state, credential.token_expires_at, at=now, tz=tz)
    values = {"name": plain(credential.name), "last4": credential.token_last4, "state": state}
    if credential.phone_number_id == number.id:
        said = _("**{name}** · token ••••{last4} · {state}", **values)
    else:
        said = _("**{name}** (reaches its WhatsApp Business Account) · token ••••{last4} · {state}", **values)
    st.markdown(f"- {said}")
