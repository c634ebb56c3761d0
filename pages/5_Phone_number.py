from datetime import timedelta

import streamlit as st
from sqlmodel import Session

from services.configurations.records import status_words as configuration_status_words
from services.credentials.views import token_state_words
from services.health import changes as history_changes
from services.health.profile import NumberProfile, profile
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
from services.language.translate import _
from services.moments import zone_name
from services.templates.views import troubled_templates
from ui.badges import quality_text
from ui.history_chart import history_chart
from ui.layout import CONFIGURATIONS_PAGE, MONITORING_PAGE, TEMPLATES_PAGE, link_to, page_setup
from ui.moments import viewer_zone
from ui.number_picker import pick_number
from ui.number_verdict import verdict
from ui.templates import language_words
from ui.text import plain

CHART_DAYS = 30
TROUBLED_SHOWN = 10

page = page_setup("Phone number", icon="📞")
console = page.console
tz = viewer_zone()
now = console.clock()

with Session(console.engine) as session:
    asked = st.query_params.get("number", "")
    found: NumberProfile | None = profile(session=session, phone_number_id=asked, now=now) if asked else None

if found is None:
    pick_number(console, asked)
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

verdict(found, tz)

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
config = {"displayModeBar": False}
drawn = history_chart(
    console, [number.id], {number.id: found.label}, window=window, tz=tz, key="number_history", config=config
)
if drawn is None:
    st.info(_("The poller has not observed this number in the last {days} days.", days=number_text(CHART_DAYS)))
else:
    found_changes = history_changes.changes(drawn.rows, start=window[0], end=window[1])
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
    st.markdown(f"- **{plain(configuration.name)}** · {configuration_status_words(configuration.status)}")
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
