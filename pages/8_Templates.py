from dataclasses import replace
from datetime import datetime, timedelta

import streamlit as st
from sqlmodel import Session

from services.health.model import Severity
from services.health.vocabulary import (
    template_category_words,
    template_quality_words,
    template_status_words,
)
from services.language.formatting import number_text
from services.language.translate import N_, _, lazy
from services.moments import day_words, moment_words, zone_name
from services.templates.views import (
    TemplateProfile,
    TemplateQuery,
    template_filters,
    template_page,
    template_profile,
    trouble_counts,
)
from ui import charts
from ui.layout import link_to, page_setup
from ui.moments import viewer_zone
from ui.templates import language_words, show_template_table, timeline
from ui.text import plain

PAGE_SIZE = 50
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
NEEDS_ATTENTION = (Severity.BLOCKED, Severity.AT_RISK, Severity.WATCH)

page = page_setup(N_("Templates"), icon="🧾")
console = page.console
tz = viewer_zone()
now = console.clock()
asked = st.query_params.get("template", "")


def until_words(found: TemplateProfile) -> str:
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


def one_template(found: TemplateProfile) -> None:
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
                if finding.aspect == "status" and (until := until_words(found)):
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
    link_to("pages/8_Templates.py", label=_("All templates"), icon="🧾")


def every_template() -> None:
    st.title(_("Templates"))
    st.caption(
        _(
            "Every message template of the WhatsApp Business Accounts the console watches, worst first. Meta pauses, "
            "then disables, a template customers block or report; a paused template stops the messages that use it."
        )
    )
    with Session(console.engine) as session:
        counts = trouble_counts(session=session)
        choices = template_filters(session=session)
    if not sum(counts.values()):
        st.info(
            _(
                "No message templates are known yet. The poller reads the templates of every WhatsApp Business "
                "Account an API credential reaches."
            )
        )
        return
    st.markdown(
        " · ".join(
            f"{severity.icon} " + _("{severity}: {count}", severity=severity.label, count=number_text(counts[severity]))
            for severity in Severity
            if counts[severity]
        )
    )
    wabas = dict(choices.wabas)
    search = st.text_input(_("Search by name"), placeholder=_("Part of the template's name"), key="templates_search")
    with st.container(horizontal=True, gap="small"):
        chosen_wabas = st.multiselect(
            _("WhatsApp Business Account"),
            list(wabas),
            format_func=wabas.__getitem__,
            key="templates_wabas",
            placeholder=_("Any"),
        )
        statuses = st.multiselect(
            _("Status"),
            choices.statuses,
            format_func=template_status_words,
            key="templates_statuses",
            placeholder=_("Any"),
        )
        categories = st.multiselect(
            _("Category"),
            choices.categories,
            format_func=template_category_words,
            key="templates_categories",
            placeholder=_("Any"),
        )
        qualities = st.multiselect(
            _("Quality"),
            choices.qualities,
            format_func=template_quality_words,
            key="templates_qualities",
            placeholder=_("Any"),
        )
        languages = st.multiselect(
            _("Language"),
            choices.languages,
            format_func=language_words,
            key="templates_languages",
            placeholder=_("Any"),
        )
    attention = st.toggle(_("Only those that need attention"), key="templates_attention")
    query = TemplateQuery(
        search=search,
        waba_ids=tuple(chosen_wabas),
        statuses=tuple(statuses),
        categories=tuple(categories),
        qualities=tuple(qualities),
        languages=tuple(languages),
        severities=NEEDS_ATTENTION if attention else (),
        page_size=PAGE_SIZE,
    )
    # A new search or filter starts again on its first page.
    if st.session_state.get("templates_query") != query:
        st.session_state["templates_query"] = query
        st.session_state["templates_page"] = 1
    with Session(console.engine) as session:
        found = template_page(session=session, query=replace(query, page=st.session_state["templates_page"]))
    st.session_state["templates_page"] = found.page
    if not found.total:
        st.info(_("No template matches this search and these filters."))
        return
    show_template_table(found.rows, tz=tz)
    labels = {row.id: f"{row.name} · {language_words(row.language)}" for row in found.rows}
    opened = st.selectbox(
        _("Open a template"),
        list(labels),
        index=None,
        format_func=labels.__getitem__,
        placeholder=_("One of this page"),
    )
    if opened:
        st.query_params["template"] = opened
        st.rerun()
    first = (found.page - 1) * found.page_size + 1
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(
            _(
                "Templates {first}–{last} of {total} · page {page} of {pages}",
                first=number_text(first),
                last=number_text(first + len(found.rows) - 1),
                total=number_text(found.total),
                page=number_text(found.page),
                pages=number_text(found.pages),
            )
        )
        if st.button(_("Previous page"), icon="◀️", disabled=found.page <= 1):
            st.session_state["templates_page"] = found.page - 1
            st.rerun()
        if st.button(_("Next page"), icon="▶️", disabled=found.page >= found.pages):
            st.session_state["templates_page"] = found.page + 1
            st.rerun()
    st.caption(_("Times in {zone}.", zone=zone_name(tz)))


if asked:
    st.session_state.setdefault("template_range", DEFAULT_RANGE)
    span = RANGES.get(st.session_state["template_range"] or DEFAULT_RANGE, RANGES[DEFAULT_RANGE])[1]
    with Session(console.engine) as session:
        profile = template_profile(session=session, template_id=asked, now=now, start=now - span, end=now)
    if profile is not None:
        one_template(profile)
        st.stop()
    st.warning(_("The console knows no message template with the ID {id}. Pick one below.", id=plain(asked)))
every_template()
