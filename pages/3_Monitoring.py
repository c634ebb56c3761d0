from datetime import timedelta

import streamlit as st
from sqlmodel import Session

from services.health import changes as history_changes
from services.health import fleet, history
from services.health.model import assess_stored
from services.health.overview import number_label, worst_first
from services.health.view import CUSTOM, DEFAULT_RANGE, RANGE_LABELS, HistoryView, custom_range_problem, parse_view
from services.health.vocabulary import can_send_words, limit_words, status_words, throughput_words
from services.store.models import PhoneNumber
from ui import charts
from ui.badges import quality_badge
from ui.layout import page_setup
from ui.text import plain

page = page_setup("Monitoring", icon="📈")
console = page.console
st.title("Monitoring")
st.caption(
    "Whether each number can send, its quality rating, throughput, messaging limit and status over time, "
    "as the console's poller saw them (Meta keeps no history of these)."
)

with Session(console.engine) as session:
    numbers = fleet.numbers(session=session)
if not numbers:
    st.info("No phone numbers are monitored yet. Add an API credential: the poller watches every number it reaches.")
    st.stop()
labels = {number.id: number_label(number) for number in numbers}
tz = charts.viewer_timezone()
today = console.clock().astimezone(tz).date()

# The URL opens the view only on the session's first run; afterwards the widgets lead and the URL follows.
if "monitoring_numbers" not in st.session_state:
    asked, notices = parse_view(
        {key: st.query_params.get_all(key) for key in st.query_params},
        known_numbers=labels,
        default_numbers=[min(numbers, key=worst_first).id],
        today=today,
    )
    for notice in notices:  # a notice quotes the URL as typed
        st.warning(plain(notice))
    st.session_state["monitoring_numbers"] = list(asked.numbers)
    st.session_state["monitoring_range"] = asked.range
    st.session_state["monitoring_days"] = (asked.first_day or today - timedelta(days=6), asked.last_day or today)

pick, span, refresh = st.columns([7, 4, 2], vertical_alignment="bottom")
chosen = pick.multiselect(
    "Phone numbers", list(labels), format_func=labels.__getitem__, key="monitoring_numbers", placeholder="Pick numbers"
)
range_key = span.segmented_control(
    "Range", list(RANGE_LABELS), format_func=RANGE_LABELS.__getitem__, key="monitoring_range", required=True
)
auto = refresh.toggle("Auto-refresh", key="monitoring_auto", help="Redraw the charts every 30 seconds.")
view = HistoryView(tuple(chosen), range_key or DEFAULT_RANGE)
if range_key == CUSTOM:
    days = st.date_input("Days (inclusive)", key="monitoring_days", max_value=today, format="YYYY-MM-DD")
    problem = "Pick the last day of the range too." if len(days) < 2 else custom_range_problem(*days, today=today)
    if problem:
        st.warning(problem)
        st.stop()
    view = HistoryView(tuple(chosen), CUSTOM, days[0], days[1])
st.query_params.from_dict(view.query_params())


def poll_now() -> None:
    from services.poller.loop import run_cycle

    bar = st.progress(0.0, text="Polling every number…")

    def progress(done: int, total: int, account: str) -> None:
        words = f"Read {done} of {total} business accounts ({plain(account)})…"
        bar.progress(done / total if total else 1.0, text=words)

    run = run_cycle(console=console, trigger="manual", on_progress=progress, poller_id=page.actor.email)
    bar.empty()
    if run.status == "ok":
        st.success(f"Poll finished: {run.numbers_seen} numbers read through {run.credentials_polled} API credentials.")
        return
    st.warning(f"Poll {run.status}: {run.numbers_seen} numbers read; {len(run.errors)} problem(s):")
    sentences = (str(error.get("sentence", error.get("kind", "unknown problem"))) for error in run.errors)
    st.markdown("\n".join(f"- {plain(sentence)}" for sentence in sentences))


if st.button("Poll now", icon="🔄", help="Read every number's health from the Graph API now."):
    poll_now()
if not chosen:
    st.info("Pick one or more phone numbers to see their history.")
    st.stop()


def state_cards(current: list[PhoneNumber]) -> None:
    columns = st.columns(min(len(current), 4))
    for i, number in enumerate(current):
        with columns[i % len(columns)].container(border=True):
            assessment = assess_stored(number)
            st.markdown(f"**{plain(number.verified_name)}**  \n{plain(number.display_phone_number)}")
            st.markdown(
                f"{assessment.severity.icon} **{assessment.severity.label}** · " + quality_badge(number.quality_rating)
            )
            if assessment.findings:
                st.caption(plain(assessment.findings[0].sentence[:1].upper() + assessment.findings[0].sentence[1:]))
            st.caption(
                plain(
                    f"{can_send_words(number.can_send)} · {status_words(number.status)}\n"
                    f"{throughput_words(number.throughput_level)} · limit {limit_words(number.messaging_limit)}"
                ).replace("\n", "  \n")
            )
            polled = number.last_polled_at
            st.caption(f"Last polled {history_changes.when(polled, tz)}" if polled else "Not polled yet")


@st.fragment(run_every="30s" if auto else None)
def live_history(view: HistoryView) -> None:
    window = view.window(now=console.clock(), tz=tz)
    with Session(console.engine) as session:
        current = {n.id: n for n in fleet.numbers(session=session) if n.id in view.numbers}
        rows = history.read(session=session, phone_number_ids=view.numbers, start=window[0], end=window[1])
    state_cards([current[i] for i in view.numbers if i in current])
    shown = history.stretches(rows, start=window[0], end=window[1])
    if not shown:
        st.info("Nothing was observed for these numbers in this range.")
        return
    grouped = history.by_number(shown)
    for name, build in (
        ("quality", charts.quality_figure),
        ("throughput", charts.throughput_figure),
        ("timeline", charts.timeline_figure),
    ):
        figure = build(grouped, labels=labels, tz=tz, window=window)
        st.plotly_chart(figure, key=f"monitoring_{name}", width="stretch", config={"displaylogo": False})

    st.subheader("Changes")
    found = history_changes.changes(rows, start=window[0], end=window[1])
    if found:
        table = history_changes.changes_table(found, labels=labels, tz=tz)
        when = st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm")
        st.dataframe(table, hide_index=True, width="stretch", column_config={"When": when})
    else:
        st.caption("No changes in this range.")

    shown_table = history.table(shown, labels=labels, tz=tz)
    with st.expander(f"History shown: {len(shown_table)} unchanged stretches"):
        st.dataframe(shown_table, hide_index=True, width="stretch")
    st.download_button(
        "Download CSV",
        data=history.csv_text(shown_table),
        file_name=f"health-history-{view.range}.csv",
        mime="text/csv",
        icon="⬇️",
        key="monitoring_csv",
        on_click="ignore",
    )
    st.caption(f"Times in {charts.zone_name(tz)}. Gaps are times the poller did not observe.")


live_history(view)
