"""The overview's fleet table: search, filters and a pager kept in the URL, and one page of numbers worst first."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import streamlit as st
from sqlmodel import Session

from services.health import fleet_counts
from services.health.fleet_table import NO_STATUS, FleetPage, FleetQuery, fleet_page, parse_query
from services.health.model import Severity
from services.health.overview import STRIP_DAYS, FleetHealth, number_label
from services.health.vocabulary import can_send_words, limit_short, status_words, throughput_short
from services.language.formatting import list_separator, number_text
from services.language.translate import _, plural
from services.moments import column_format, zone_name
from ui.badges import quality_text
from ui.text import plain

if TYPE_CHECKING:
    from sqlalchemy import Engine

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


def number_page_url(phone_number_id: str) -> str:
    return f"Phone_number?{urlencode({'number': phone_number_id})}"


def show_attention_worthy() -> None:
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
