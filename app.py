"""The overview: the fleet's health at a glance, worst first.

Streamlit runs this file as the home page's script (`__name__ == "__main__"`). `streamlit run app.py` and uvicorn
(`uvicorn app:app`) also import it as a module, and then it is the ASGI app: Streamlit plus the console's routes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import streamlit as st
from sqlmodel import Session

from services.health import fleet_counts
from services.health.fleet_table import NO_STATUS, FleetPage, FleetQuery, fleet_page, parse_query
from services.health.model import Severity
from services.health.overview import (
    STRIP_DAYS,
    Attention,
    FleetHealth,
    fleet_health,
    listed_attention,
    number_label,
)
from services.health.vocabulary import can_send_words, limit_short, status_words, throughput_short
from services.language.formatting import number_text
from services.language.translate import N_, _, plural
from services.moments import column_format, moment_words, zone_name
from services.templates import views as template_views
from services.web.lifespan import lifespan_with
from services.web.routes import routes
from ui.badges import quality_text
from ui.first_run import warm_pages
from ui.layout import ADMIN_ONLY, NAVIGATION, PRODUCT, link_to, page_setup, script_error
from ui.moments import viewer_zone
from ui.resources import shared_console
from ui.text import plain

if TYPE_CHECKING:
    from sqlalchemy import Engine

ATTENTION_SHOWN = 8
# Listed under the first ones; the numbers of the rest are counted, and the fleet table lists them (worst first).
ATTENTION_LISTED = 16
PORTFOLIOS_LISTED = 12
PHONE_WIDTH_PX = 640
RESPONSIVE_TABLES = f"""<style>
@media (max-width: {PHONE_WIDTH_PX}px) {{ .st-key-fleet_full {{ display: none; }} }}
@media (min-width: {PHONE_WIDTH_PX + 1}px) {{ .st-key-fleet_phone {{ display: none; }} }}
</style>"""
NEEDING_ATTENTION = (Severity.BLOCKED, Severity.AT_RISK, Severity.WATCH)
# The widgets of the fleet table, opened from the URL on the session's first run; afterwards the URL follows them.
SEARCH, SEVERITIES, STATUSES, BUSINESS, PAGE = (
    "fleet_search",
    "fleet_severities",
    "fleet_statuses",
    "fleet_business",
    "fleet_page",
)


NUMBER_PAGE = "pages/5_Phone_number.py"
TEMPLATES_PAGE = "pages/8_Templates.py"


def number_page_url(phone_number_id: str) -> str:
    return f"Phone_number?{urlencode({'number': phone_number_id})}"


def overview() -> None:
    """The home page."""
    # The fleet table needs the full width at 1440 px; the page links below stand in for the sidebar.
    page = page_setup("Overview", sidebar="collapsed")
    console = page.console
    st.title(PRODUCT)
    st.caption(
        _("Connect WhatsApp Business phone numbers to your marketing platform and watch their health over time.")
    )
    if console.settings.demo:
        st.info(
            _(
                "**Demo mode.** You are signed in automatically as the demo admin. The console runs on its built-in "
                "Graph API simulator with demo data: a seeded business "
                "portfolio with 30+ days of health history; no real WhatsApp number is touched. To add an API "
                "credential, use business ID `1000000000000001` with one of the demo tokens: `EAADEMOTOKEN` (valid), "
                "`EAADEMOEXPIRED` (expired), `EAADEMONOPERM` (lacks `whatsapp_business_management`) or "
                "`EAADEMOREVOKED` (revoked)."
            ),
            icon="🧪",
        )

    links = [link for link in NAVIGATION[1:] if link[1] not in ADMIN_ONLY or page.actor.is_admin]
    for column, (path, label, icon) in zip(st.columns(len(links)), links, strict=True):
        column.page_link(path, label=_(label), icon=icon)

    tz = viewer_zone()
    with Session(console.engine) as session:
        health = fleet_health(session=session, now=console.clock(), tz=tz)
        templates = template_views.trouble_counts(session=session)
    if not health.total:
        st.info(
            _("No phone numbers are monitored yet. Add an API credential: the poller watches every number it reaches.")
        )
        st.stop()

    st.markdown(counts_line(health))
    if troubled := templates_line(templates):
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.markdown(troubled)
        right.page_link(TEMPLATES_PAGE, label=_("Open Templates"), icon="🧾")
    needs_attention(health, tz)
    fleet_table(console.engine, health, tz=tz, now=console.clock())
    portfolio_limits(health)


# How many numbers are at a severity ("12 blocked"); msgids, said with _() and the count.
COUNTED = {
    Severity.BLOCKED: N_("{count} blocked"),
    Severity.AT_RISK: N_("{count} at risk"),
    Severity.WATCH: N_("{count} to watch"),
    Severity.UNKNOWN: N_("{count} unknown"),
    Severity.OK: N_("{count} OK"),
}
TEMPLATES_COUNTED = {
    Severity.BLOCKED: N_("{count} paused or disabled"),
    Severity.AT_RISK: N_("{count} at risk (rejected or low quality)"),
}


def list_separator() -> str:
    """What goes between the items of a list in a sentence: ', ' ('、' in Chinese)."""
    # Translators: the separator between the items of a list, with its space if the language uses one.
    return _(", ")


def counts_line(health: FleetHealth) -> str:
    """'**100,000 numbers:** ⛔ 12 blocked · 🟠 40 at risk · …', leaving out the severities no number has."""
    counted = [
        f"{severity.icon} {_(COUNTED[severity], count=number_text(count))}"
        for severity, count in health.counts.items()
        if count
    ]
    total = plural("**{number} number:**", "**{number} numbers:**", health.total, number=number_text(health.total))
    return f"{total} " + " · ".join(counted)


def templates_line(counts: Mapping[Severity, int]) -> str:
    """'**Message templates:** ⛔ 2 paused or disabled · 🟠 1 at risk', or nothing while none is in trouble."""
    troubled = [
        f"{severity.icon} {_(words, count=number_text(counts[severity]))}"
        for severity, words in TEMPLATES_COUNTED.items()
        if counts.get(severity)
    ]
    return _("**Message templates:**") + " " + " · ".join(troubled) if troubled else ""


def needs_attention(health: FleetHealth, tz: tzinfo) -> None:
    st.subheader(_("Needs attention"))
    if not health.attention:
        st.success(_("Nothing needs attention: every number can send, and every token is fine."))
    for item in health.attention[:ATTENTION_SHOWN]:
        attention_item(item, tz)
    listed, left_out = listed_attention(health.attention, shown=ATTENTION_SHOWN, listed=ATTENTION_LISTED)
    if listed:
        with st.expander(_("{count} more", count=number_text(len(listed)))):
            for item in listed:
                attention_item(item, tz)
    if more := health.more_numbers + left_out:
        st.caption(
            plural(
                "{number} more number needs attention.",
                "{number} more numbers need attention.",
                more,
                number=number_text(more),
            )
        )
        st.button(_("Show every number that needs attention"), icon="🔎", on_click=_show_attention_worthy)
    if health.unknown:
        st.caption(
            "❔ "
            + plural(
                "Meta has not reported the health of {number} number yet: they are marked Unknown below until the "
                "next poll.",
                "Meta has not reported the health of {number} numbers yet: they are marked Unknown below until the "
                "next poll.",
                health.unknown,
                number=number_text(health.unknown),
            )
        )
    if health.recovered:
        with st.expander(_("Recovered in the last 7 days ({count})", count=number_text(len(health.recovered)))):
            for recovery in health.recovered:
                st.markdown(
                    "- ✅ "
                    + _(
                        "**{subject}** {sentence}; recovered on {moment}",
                        subject=plain(recovery.subject),
                        sentence=plain(recovery.sentence),
                        moment=plain(moment_words(recovery.recovered_at, tz)),
                    )
                )


def _show_attention_worthy() -> None:
    st.session_state.update({SEARCH: "", SEVERITIES: list(NEEDING_ATTENTION), STATUSES: [], BUSINESS: "", PAGE: 1})


def _first_page() -> None:
    st.session_state[PAGE] = 1


def _open_from_url() -> None:
    if SEARCH in st.session_state:
        return
    asked, notices = parse_query({key: st.query_params.get_all(key) for key in st.query_params})
    for notice in notices:  # a notice quotes the URL as typed
        st.warning(plain(notice))
    st.session_state.update(
        {
            SEARCH: asked.search,
            SEVERITIES: list(asked.severities),
            STATUSES: list(asked.statuses),
            BUSINESS: asked.business,
            PAGE: asked.page,
        }
    )


def fleet_table(engine: Engine, health: FleetHealth, *, tz: tzinfo, now: datetime) -> None:
    """Search, filters, a pager and the page's numbers in two renderings (phone and full width)."""
    st.subheader(_("Fleet health"))
    _open_from_url()
    with Session(engine) as session:
        # The severities and businesses were counted for the summary above; only the statuses are new here.
        severities = health.counts
        statuses = fleet_counts.by_status(session=session)
        businesses = {group.id: group for group in health.businesses}
        search_column, health_column, status_column, business_column = st.columns([3, 2, 2, 2])
        search_column.text_input(
            _("Search"),
            key=SEARCH,
            placeholder=_("Number, name, WABA or business portfolio"),
            on_change=_first_page,
        )
        health_column.multiselect(
            _("Health"),
            list(Severity),
            format_func=lambda s: f"{s.icon} {s.label} ({number_text(severities.get(s, 0))})",
            key=SEVERITIES,
            placeholder=_("Any"),
            on_change=_first_page,
        )
        status_options = [status or NO_STATUS for status in statuses]
        status_options += [s for s in st.session_state[STATUSES] if s not in status_options]
        status_counts = {status or NO_STATUS: count for status, count in statuses.items()}
        status_column.multiselect(
            _("Status"),
            status_options,
            format_func=lambda s: (
                f"{status_words(None if s == NO_STATUS else s)} ({number_text(status_counts.get(s, 0))})"
            ),
            key=STATUSES,
            placeholder=_("Any"),
            on_change=_first_page,
        )
        if st.session_state[BUSINESS] not in businesses:
            if st.session_state[BUSINESS]:
                st.warning(_("The business portfolio in the link has no monitored numbers; showing every portfolio."))
            st.session_state[BUSINESS] = ""
        business_column.selectbox(
            _("Business portfolio"),
            ["", *businesses],
            format_func=lambda key: (
                f"{businesses[key].name} ({number_text(businesses[key].numbers)})" if key else _("Any")
            ),
            key=BUSINESS,
            on_change=_first_page,
        )
        query = FleetQuery(
            search=st.session_state[SEARCH],
            severities=tuple(st.session_state[SEVERITIES]),
            statuses=tuple(st.session_state[STATUSES]),
            business=st.session_state[BUSINESS],
            page=int(st.session_state[PAGE] or 1),
        )
        shown = fleet_page(session=session, query=query, now=now, tz=tz)
    st.session_state[PAGE] = shown.query.page
    st.query_params.from_dict(shown.query.query_params())
    if not shown.total:
        st.info(_("No number matches this search and these filters."))
        return
    pager, counted = st.columns([1, 4], vertical_alignment="bottom")
    pager.number_input(_("Page"), min_value=1, max_value=shown.pages, step=1, key=PAGE)
    counted.caption(
        _("Page {page} of {pages}", page=number_text(shown.query.page), pages=number_text(shown.pages))
        + " · "
        + plural("{number} number", "{number} numbers", shown.total, number=number_text(shown.total))
    )
    fleet_rows(shown, tz=tz)


def fleet_rows(shown: FleetPage, *, tz: tzinfo) -> None:
    # Loaded once there is a fleet to show, not when the module is imported as the ASGI app.
    import pandas as pd

    from ui import strips

    numbers = [row.number for row in shown.rows]
    labels = [f"{row.severity.icon} {number_label(row.number)}" for row in shown.rows]
    details = [number_page_url(n.id) for n in numbers]
    # Two renderings of one page of the table; the style below shows the phone one under 640 px, the full one above.
    number, can_send, status, quality = _("Number"), _("Can send"), _("Status"), _("Quality")
    strip, per_day, throughput = _("Last {days} days", days=STRIP_DAYS), _("Customers a day"), _("Throughput")
    polled, detail, open_it = _("Last polled"), _("Details"), _("Open")
    st.html(RESPONSIVE_TABLES)
    with st.container(key="fleet_phone"):
        st.caption(_("Worst first. Open a number for its health in words and its history."))
        st.dataframe(
            pd.DataFrame({number: labels, can_send: [can_send_words(n.can_send) for n in numbers], detail: details}),
            hide_index=True,
            width="stretch",
            column_config={
                number: st.column_config.TextColumn(width=220),
                can_send: st.column_config.TextColumn(width=80),
                detail: st.column_config.LinkColumn(display_text=open_it, width=50),
            },
        )
    with st.container(key="fleet_full"):
        st.caption(
            _(
                "Worst first. The strip shows each of the last {days} days ({zone} days), newest on the right, by "
                "the worst the number was that day: {key}, {unwatched} not watched.",
                days=STRIP_DAYS,
                zone=zone_name(tz),
                key=list_separator().join(f"{strips.SEVERITY_SQUARES[s]} {s.label.lower()}" for s in Severity),
                unwatched=strips.UNWATCHED_SQUARE,
            )
        )
        st.dataframe(
            pd.DataFrame(
                {
                    number: labels,
                    can_send: [can_send_words(n.can_send) for n in numbers],
                    status: [status_words(n.status) for n in numbers],
                    quality: [quality_text(n.quality_rating) for n in numbers],
                    strip: [strips.severity_strip(row.daily_worst) for row in shown.rows],
                    per_day: [limit_short(n.messaging_limit) for n in numbers],
                    throughput: [throughput_short(n.throughput_level) for n in numbers],
                    polled: pd.to_datetime([n.last_polled_at for n in numbers], utc=True).tz_convert(tz),
                    detail: details,
                }
            ),
            hide_index=True,
            width="stretch",
            # Fixed widths keep every column, and the newest day of the strip, on screen at 1440 px.
            column_config={
                number: st.column_config.TextColumn(width=275, pinned=True),
                can_send: st.column_config.TextColumn(width=80),
                status: st.column_config.TextColumn(width=130),
                quality: st.column_config.TextColumn(width=120),
                strip: st.column_config.TextColumn(width=strips.STRIP_COLUMN_PX),
                per_day: st.column_config.TextColumn(width=110, help=_("The business portfolio's messaging limit")),
                throughput: st.column_config.TextColumn(width=75),
                polled: st.column_config.DatetimeColumn(format=column_format(), width=135),
                detail: st.column_config.LinkColumn(display_text=open_it, width=55),
            },
        )


def portfolio_limits(health: FleetHealth) -> None:
    st.subheader(_("Messaging limits by business portfolio"))
    st.caption(
        _(
            "Since October 2025 Meta sets the messaging limit per business portfolio: all its numbers share it, "
            "and one number can use all of it. A lower quality rating no longer lowers it."
        )
    )
    for portfolio in health.portfolios[:PORTFOLIOS_LISTED]:
        st.markdown(portfolio_line(portfolio))
    if len(health.portfolios) > PORTFOLIOS_LISTED:
        more = len(health.portfolios) - PORTFOLIOS_LISTED
        with st.expander(
            plural(
                "{number} more business portfolio", "{number} more business portfolios", more, number=number_text(more)
            )
        ):
            for portfolio in health.portfolios[PORTFOLIOS_LISTED:]:
                st.markdown(portfolio_line(portfolio))


def portfolio_line(portfolio: fleet_counts.Portfolio) -> str:
    count = plural("{number} number", "{number} numbers", portfolio.numbers, number=number_text(portfolio.numbers))
    return f"**{plain(portfolio.name)}**: {plain(portfolio.limit)} · {count}"


def attention_item(item: Attention, tz: tzinfo) -> None:
    """One entry of Needs attention: who, what, since when, Meta's own words and what to do."""
    since = " · " + _("since {moment}", moment=plain(moment_words(item.since, tz))) if item.since else ""
    lines = [f"{item.severity.icon} **{plain(item.subject)}** {plain(item.sentence)}{since}"]
    if item.numbers and not item.phone_number_id:
        rest = item.held - len(item.numbers)
        listed = plain(list_separator().join(item.numbers))
        if rest > 0:
            lines.append(_("Numbers: {numbers} and {count} more", numbers=listed, count=number_text(rest)))
        else:
            lines.append(_("Numbers: {numbers}", numbers=listed))
    if item.meta_says:
        lines.append(_("Meta says: “{words}”", words=plain(item.meta_says)))
    if item.advice:
        lines.append(_("What to do: {advice}", advice=plain(item.advice)))
    if item.also:
        lines.append(plain(_("Also, it {findings}.", findings=_("; it ").join(item.also))))
    with st.container(border=True):
        st.markdown("  \n".join(lines))
        if item.phone_number_id:
            link_to(NUMBER_PAGE, label=_("Open its page"), icon="📞", query_params={"number": item.phone_number_id})


if __name__ == "__main__":
    overview()
else:
    app = st.App(
        "app.py", routes=routes(), lifespan=lifespan_with(shared_console, warm_pages), on_script_error=script_error
    )
