from dataclasses import replace

import streamlit as st
from sqlmodel import Session

from services.health.model import Severity
from services.health.vocabulary import (
    template_category_words,
    template_quality_words,
    template_status_words,
)
from services.language.formatting import number_text
from services.language.translate import N_, _
from services.moments import zone_name
from services.templates.views import (
    TemplateQuery,
    template_filters,
    template_page,
    template_profile,
    trouble_counts,
)
from ui import template_view
from ui.layout import page_setup
from ui.moments import viewer_zone
from ui.templates import language_words, show_template_table
from ui.text import plain

PAGE_SIZE = 50
NEEDS_ATTENTION = (Severity.BLOCKED, Severity.AT_RISK, Severity.WATCH)

page = page_setup(N_("Templates"), icon="🧾")
console = page.console
tz = viewer_zone()
now = console.clock()
asked = st.query_params.get("template", "")


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
    st.session_state.setdefault("template_range", template_view.DEFAULT_RANGE)
    span = template_view.span_of(st.session_state["template_range"])
    with Session(console.engine) as session:
        profile = template_profile(session=session, template_id=asked, now=now, start=now - span, end=now)
    if profile is not None:
        template_view.one_template(profile, tz)
        st.stop()
    st.warning(_("The console knows no message template with the ID {id}. Pick one below.", id=plain(asked)))
every_template()
