from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st
from sqlmodel import Session

from services.health import changes as history_changes
from services.health import fleet, periods
from services.health.view import CUSTOM, DEFAULT_RANGE, RANGE_LABELS, HistoryView, custom_range_problem, parse_view
from services.language.translate import _, plural
from services.moments import column_format, zone_name
from ui.history_chart import history_chart
from ui.layout import page_setup
from ui.moments import viewer_zone
from ui.number_cards import state_cards
from ui.poll_now import poll_now
from ui.text import plain

page = page_setup("Monitoring", icon="📈")
console = page.console
st.title(_("Monitoring"))
st.caption(
    _(
        "Whether each number can send, its quality rating, throughput, messaging limit and status over time, "
        "as the console's poller saw them (Meta keeps no history of these)."
    )
)

with Session(console.engine) as session:
    worst = fleet.search_numbers(session=session, text="", limit=1)
if not worst:
    st.info(_("No phone numbers are monitored yet. Add an API credential: the poller watches every number it reaches."))
    st.stop()
tz = viewer_zone()
today = console.clock().astimezone(tz).date()

# The URL opens the view only on the session's first run; afterwards the widgets lead and the URL follows.
if "monitoring_numbers" not in st.session_state:
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    named = [i.strip() for value in params.get("numbers") or [] for i in value.split(",") if i.strip()]
    with Session(console.engine) as session:
        known = {choice.id for choice in fleet.choices_of(session=session, phone_number_ids=named)} | {worst[0].id}
    asked, notices = parse_view(params, known_numbers=known, default_numbers=[worst[0].id], today=today)
    for notice in notices:  # a notice quotes the URL as typed
        st.warning(plain(notice))
    st.session_state["monitoring_numbers"] = list(asked.numbers)
    st.session_state["monitoring_range"] = asked.range
    st.session_state["monitoring_days"] = (asked.first_day or today - timedelta(days=6), asked.last_day or today)

# A search offers a few matches, worst first; the numbers already chosen stay chosen whatever is searched.
typed = st.text_input(
    _("Find phone numbers"), key="monitoring_search", placeholder=_("Number, name, WABA or business portfolio")
)
with Session(console.engine) as session:
    kept = fleet.choices_of(session=session, phone_number_ids=st.session_state["monitoring_numbers"])
    matches = fleet.search_numbers(session=session, text=typed)
labels = {choice.id: choice.label for choice in [*kept, *matches]}
st.session_state["monitoring_numbers"] = [i for i in st.session_state["monitoring_numbers"] if i in labels]
if typed.strip() and not matches:
    st.caption(_("No number matches “{text}”.", text=plain(typed.strip())))
chosen = st.multiselect(
    _("Phone numbers"),
    list(labels),
    format_func=labels.__getitem__,
    key="monitoring_numbers",
    placeholder=_("Pick numbers"),
)
auto = bool(st.session_state.get("monitoring_auto"))


@st.fragment(run_every="30s" if auto else None)
def live_cards(numbers: tuple[str, ...]) -> None:
    with Session(console.engine) as session:
        current = {n.id: n for n in fleet.numbers(session=session, ids=numbers)}
    state_cards([current[i] for i in numbers if i in current], tz)


# On a phone the essentials come first: which number, how healthy, whether it can send (filled after a poll).
cards = st.container()
span, refresh, poll = st.columns([3, 1, 1], vertical_alignment="bottom")
range_key = span.segmented_control(
    _("Range"),
    list(RANGE_LABELS),
    format_func=lambda key: str(RANGE_LABELS[key]),
    key="monitoring_range",
    required=True,
)
refresh.toggle(_("Auto-refresh"), key="monitoring_auto", help=_("Redraw the cards and the chart every 30 seconds."))
polling = poll.button(_("Poll now"), icon="🔄", help=_("Read every number's health from the Graph API now."))
view = HistoryView(tuple(chosen), range_key or DEFAULT_RANGE)
if range_key == CUSTOM:
    days = st.date_input(_("Days (inclusive)"), key="monitoring_days", max_value=today, format="YYYY-MM-DD")
    problem = _("Pick the last day of the range too.") if len(days) < 2 else custom_range_problem(*days, today=today)
    if problem:
        with cards:
            live_cards(tuple(chosen))
        st.warning(problem)
        st.stop()
    view = HistoryView(tuple(chosen), CUSTOM, days[0], days[1])
st.query_params.from_dict(view.query_params())


if polling:
    poll_now(console, page.actor.email)
with cards:
    live_cards(tuple(chosen))
if not chosen:
    st.info(_("Pick one or more phone numbers to see their history."))
    st.stop()


def moment_columns(table: pd.DataFrame) -> dict[str, Any]:
    """The table's time columns (whatever the language names them) in the reader's date format."""
    moments = st.column_config.DatetimeColumn(format=column_format())
    return {column: moments for column in table.columns if isinstance(table[column].dtype, pd.DatetimeTZDtype)}


@st.fragment(run_every="30s" if auto else None)
def live_history(view: HistoryView) -> None:
    window = view.window(now=console.clock(), tz=tz)
    config = {"displaylogo": False}
    drawn = history_chart(console, view.numbers, labels, window=window, tz=tz, key="monitoring_history", config=config)
    if drawn is None:
        st.info(_("Nothing was observed for these numbers in this range."))
        return
    st.caption(
        _(
            "Times in {zone}. Colour is the rating: green high or can send, yellow medium or at risk, "
            "red low or blocked, grey not rated. Hatched: the poller did not look. Hover a band for its words and "
            "times.",
            zone=zone_name(tz),
        )
    )

    st.subheader(_("Changes"))
    found = history_changes.changes(drawn.rows, start=window[0], end=window[1])
    if found:
        table = history_changes.changes_table(found, labels=labels, tz=tz)
        st.dataframe(table, hide_index=True, width="stretch", column_config=moment_columns(table))
    else:
        st.caption(_("No changes in this range."))

    shown_table = periods.table(drawn.stretches, labels=labels, tz=tz, gaps=drawn.seen.gaps)
    count = len(shown_table)
    with st.expander(plural("Health period by period (1 period)", "Health period by period ({count} periods)", count)):
        st.dataframe(shown_table, hide_index=True, width="stretch", column_config=moment_columns(shown_table))
    st.download_button(
        _("Download CSV"),
        data=periods.csv_text(shown_table),
        file_name=f"health-history-{view.range}.csv",
        mime="text/csv",
        icon="⬇️",
        key="monitoring_csv",
        on_click="ignore",
    )
    st.caption(periods.times_note(zone_name(tz)))


live_history(view)
