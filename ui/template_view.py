"""A message template's own view on the Templates page: its state in words, its history chart, its events."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

import streamlit as st

from services.health.model import Severity
from services.health.vocabulary import template_category_words, template_quality_words, template_status_words
from services.language.translate import _, lazy
from services.moments import day_words, moment_words, zone_name
from services.templates.views import TemplateProfile
from ui import charts
from ui.layout import TEMPLATES_PAGE, link_to
from ui.templates import language_words, timeline
from ui.text import plain

RANGES = {
    "7d": (lazy("7 days"), timedelta(days=7)),
    "30d": (lazy("30 days"), timedelta(days=30)),
    "90d": (lazy("90 days"), timedelta(days=90)),
}
# The range inside a sentence: 'in the last 30 days'.
IN_THE_LAST = {
    "7d": lazy("The console has not read this template in the last 7 days."),
    "30d": lazy("The console has not read this template in the last 30 days."),
    "90d": lazy("The console has not read this template in the last 90 days."),
}
DEFAULT_RANGE = "30d"


def span_of(key: str | None) -> timedelta:
    """The history range a key names (the default one for anything else)."""
    return RANGES.get(key or DEFAULT_RANGE, RANGES[DEFAULT_RANGE])[1]


def until_words(found: TemplateProfile, tz: tzinfo) -> str:
    """Until when Meta holds the template so, when it said (a pause's end, the day it was disabled)."""
    info = found.template.status_info or {}
    status = (found.template.status or "").upper()
    if status == "PAUSED" and info.get("paused_until"):
        try:
            until = moment_words(datetime.fromisoformat(str(info["paused_until"])), tz)
            return _("Paused until {moment}.", moment=until)
        except ValueError:
            return ""
    if status == "DISABLED" and isinstance(info.get("disable_date"), int | float):
        return _("Disabled on {moment}.", moment=moment_words(datetime.fromtimestamp(info["disable_date"], tz), tz))
    return ""


def one_template(found: TemplateProfile, tz: tzinfo) -> None:
    """The template's own view: its state in words, its history chart and its events."""
    template, severity = found.template, found.assessment.severity
    label = f"{template.name} · {language_words(template.language)}"
    st.title(f"{severity.icon} {plain(label)}")
    account = found.account.name if found.account else template.waba_id
    st.caption(
        _(
            "Message template ID {id} · WhatsApp Business Account {account}",
            id=template.id,
            account=plain(account),
        )
    )
    with st.container(horizontal=True, gap="large"):
        st.metric(_("Status"), template_status_words(template.status), width="content")
        st.metric(_("Quality"), template_quality_words(template.quality_score), width="content")
        st.metric(_("Category"), template_category_words(template.category), width="content")
    with st.container(border=True):
        since = moment_words(found.since, tz) if found.since else ""
        name = plain(template.name)
        if severity is Severity.OK and since:
            st.markdown(
                "✅ "
                + _(
                    "**{name}** is active and can be sent since {moment}. Nothing needs attention.",
                    name=name,
                    moment=since,
                )
            )
        elif severity is Severity.OK:
            st.markdown("✅ " + _("**{name}** is active and can be sent. Nothing needs attention.", name=name))
        else:
            if since:
                headline = _("**{severity}** since {moment}", severity=severity.label, moment=since)
            else:
                headline = f"**{severity.label}**"
            st.markdown(f"{severity.icon} {headline}")
            for finding in found.assessment.findings:
                if finding.severity is Severity.OK:
                    continue
                lines = [f"{finding.severity.icon} " + _("This template {sentence}.", sentence=plain(finding.sentence))]
                if finding.meta_says:
                    lines.append(_("Meta says: “{words}”", words=plain(finding.meta_says)))
                if finding.aspect == "status" and (until := until_words(found, tz)):
                    lines.append(plain(until))
                if finding.advice:
                    lines.append(_("What to do: {advice}", advice=plain(finding.advice)))
                st.markdown("  \n".join(lines))
        polled = template.last_polled_at
        watched = day_words(template.first_seen_at.astimezone(tz).date())
        if polled:
            st.caption(
                _(
                    "Last read from Meta {moment} · watched since {day}",
                    moment=moment_words(polled, tz),
                    day=watched,
                )
            )
        else:
            st.caption(_("Not read from Meta yet · watched since {day}", day=watched))
    st.link_button(_("Open in WhatsApp Manager"), found.whatsapp_manager_url, icon="↗️")

    st.subheader(_("History"))
    chosen = st.segmented_control(
        _("Range"), list(RANGES), format_func=lambda key: str(RANGES[key][0]), key="template_range", required=True
    )
    if not found.history:
        st.info(str(IN_THE_LAST[chosen or DEFAULT_RANGE]))
    else:
        figure = charts.template_history_figure(found.history, label, window=(found.start, found.end), tz=tz)
        st.plotly_chart(figure, key="template_history", width="stretch", config={"displayModeBar": False})
        st.caption(
            _(
                "Times in {zone}. Colour is the rating: green high or can be sent, yellow medium or at risk, "
                "red low, paused or disabled, grey not rated. A square marks a change too short to see at this range.",
                zone=zone_name(tz),
            )
        )
    st.subheader(_("Events"))
    lines = timeline(found.history, found.events, tz)
    if lines:
        st.markdown("\n".join(f"- {plain(line)}" for line in lines))
    else:
        st.caption(_("No change and no webhook about this template in this range."))
    link_to(TEMPLATES_PAGE, label=_("All templates"), icon="🧾")
