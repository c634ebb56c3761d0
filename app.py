"""The overview: the fleet's health at a glance, worst first.

Streamlit runs this file as the home page's script (`__name__ == "__main__"`). `streamlit run app.py` and uvicorn
(`uvicorn app:app`) also import it as a module, and then it is the ASGI app: Streamlit plus the console's routes.
"""

from datetime import tzinfo
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from sqlmodel import Session

from services.health.model import Severity
from services.health.overview import STRIP_DAYS, Attention, fleet_health, number_label
from services.health.vocabulary import can_send_words, limit_short, status_words, throughput_short
from services.moments import COLUMN_FORMAT, moment_words, zone_name
from services.web.lifespan import lifespan
from services.web.routes import routes
from ui import charts
from ui.badges import quality_text
from ui.layout import ADMIN_ONLY, NAVIGATION, PRODUCT, link_to, page_setup, script_error
from ui.moments import viewer_zone
from ui.text import plain

ATTENTION_SHOWN = 8
PHONE_WIDTH_PX = 640
RESPONSIVE_TABLES = f"""<style>
@media (max-width: {PHONE_WIDTH_PX}px) {{ .st-key-fleet_full {{ display: none; }} }}
@media (min-width: {PHONE_WIDTH_PX + 1}px) {{ .st-key-fleet_phone {{ display: none; }} }}
</style>"""


NUMBER_PAGE = "pages/5_Phone_number.py"


def number_page_url(phone_number_id: str) -> str:
    return f"Phone_number?{urlencode({'number': phone_number_id})}"


def overview() -> None:
    """The home page."""
    # The fleet table needs the full width at 1440 px; the page links below stand in for the sidebar.
    page = page_setup("Overview", sidebar="collapsed")
    console = page.console
    st.title(PRODUCT)
    st.caption("Connect WhatsApp Business phone numbers to your marketing platform and watch their health over time.")
    if console.settings.demo:
        st.info(
            "**Demo mode.** You are signed in automatically as the demo admin. The console runs on its built-in "
            "Graph API simulator with demo data: a seeded business "
            "portfolio with 30+ days of health history; no real WhatsApp number is touched. To add an API credential, "
            "use business ID `1000000000000001` with one of the demo tokens: `EAADEMOTOKEN` (valid), `EAADEMOEXPIRED` "
            "(expired), `EAADEMONOPERM` (lacks `whatsapp_business_management`) or `EAADEMOREVOKED` (revoked).",
            icon="🧪",
        )

    links = [link for link in NAVIGATION[1:] if link[1] not in ADMIN_ONLY or page.actor.is_admin]
    for column, (path, label, icon) in zip(st.columns(len(links)), links, strict=True):
        column.page_link(path, label=label, icon=icon)

    tz = viewer_zone()
    with Session(console.engine) as session:
        health = fleet_health(session=session, now=console.clock(), tz=tz)
    if not health.entries:
        st.info(
            "No phone numbers are monitored yet. Add an API credential: the poller watches every number it reaches."
        )
        st.stop()

    st.subheader("Needs attention")
    if not health.attention:
        st.success("Nothing needs attention: every number can send, and every token is fine.")
    for item in health.attention[:ATTENTION_SHOWN]:
        attention_item(item, tz)
    if len(health.attention) > ATTENTION_SHOWN:
        with st.expander(f"{len(health.attention) - ATTENTION_SHOWN} more"):
            for item in health.attention[ATTENTION_SHOWN:]:
                attention_item(item, tz)
    if health.unknown:
        st.caption(
            f"❔ Meta has not reported the health of {health.unknown} number{'s' if health.unknown > 1 else ''} "
            "yet: they are marked Unknown below until the next poll."
        )
    if health.recovered:
        with st.expander(f"Recovered in the last 7 days ({len(health.recovered)})"):
            for recovery in health.recovered:
                st.markdown(
                    f"- ✅ **{plain(recovery.subject)}** {plain(recovery.sentence)}; "
                    f"recovered on {plain(moment_words(recovery.recovered_at, tz))}"
                )

    st.subheader("Fleet health")
    entries = health.entries
    numbers = [entry.number for entry in entries]
    labels = [f"{e.assessment.severity.icon} {number_label(e.number)}" for e in entries]
    details = [number_page_url(n.id) for n in numbers]
    # Two renderings of one table; the style below shows the phone one under 640 px and the full one above.
    st.html(RESPONSIVE_TABLES)
    with st.container(key="fleet_phone"):
        st.caption("Worst first. Open a number for its health in words and its history.")
        st.dataframe(
            pd.DataFrame(
                {"Number": labels, "Can send": [can_send_words(n.can_send) for n in numbers], "Details": details}
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "Number": st.column_config.TextColumn(width=220),
                "Can send": st.column_config.TextColumn(width=80),
                "Details": st.column_config.LinkColumn(display_text="Open", width=50),
            },
        )
    with st.container(key="fleet_full"):
        st.caption(
            f"Worst first. The strip shows each of the last {STRIP_DAYS} days ({zone_name(tz)} days), "
            "newest on the right, by the worst the number was that day: "
            + ", ".join(f"{charts.SEVERITY_SQUARES[s]} {s.label.lower()}" for s in Severity)
            + f", {charts.UNWATCHED_SQUARE} not watched."
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "Number": labels,
                    "Can send": [can_send_words(n.can_send) for n in numbers],
                    "Status": [status_words(n.status) for n in numbers],
                    "Quality": [quality_text(n.quality_rating) for n in numbers],
                    f"Last {STRIP_DAYS} days": [charts.severity_strip(e.daily_worst) for e in entries],
                    "Customers a day": [limit_short(n.messaging_limit) for n in numbers],
                    "Throughput": [throughput_short(n.throughput_level) for n in numbers],
                    "Last polled": pd.to_datetime([n.last_polled_at for n in numbers], utc=True).tz_convert(tz),
                    "Details": details,
                }
            ),
            hide_index=True,
            width="stretch",
            # Fixed widths keep every column, and the newest day of the strip, on screen at 1440 px.
            column_config={
                "Number": st.column_config.TextColumn(width=275, pinned=True),
                "Can send": st.column_config.TextColumn(width=80),
                "Status": st.column_config.TextColumn(width=130),
                "Quality": st.column_config.TextColumn(width=120),
                f"Last {STRIP_DAYS} days": st.column_config.TextColumn(width=charts.STRIP_COLUMN_PX),
                "Customers a day": st.column_config.TextColumn(
                    width=110, help="The business portfolio's messaging limit"
                ),
                "Throughput": st.column_config.TextColumn(width=75),
                "Last polled": st.column_config.DatetimeColumn(format=COLUMN_FORMAT, width=135),
                "Details": st.column_config.LinkColumn(display_text="Open", width=55),
            },
        )

    st.subheader("Messaging limits by business portfolio")
    st.caption(
        "Since October 2025 Meta sets the messaging limit per business portfolio: all its numbers share it, "
        "and one number can use all of it. A lower quality rating no longer lowers it."
    )
    for portfolio in health.portfolios:
        st.markdown(
            f"**{plain(portfolio.name)}**: {plain(portfolio.limit)}  \n"
            + ", ".join(plain(label) for label in portfolio.numbers)
        )


def attention_item(item: Attention, tz: tzinfo) -> None:
    """One entry of Needs attention: who, what, since when, Meta's own words and what to do."""
    since = f" · since {plain(moment_words(item.since, tz))}" if item.since else ""
    lines = [f"{item.severity.icon} **{plain(item.subject)}** {plain(item.sentence)}{since}"]
    if item.numbers and not item.phone_number_id:
        lines.append(f"Numbers: {plain(', '.join(item.numbers))}")
    if item.meta_says:
        lines.append(f"Meta says: “{plain(item.meta_says)}”")
    if item.advice:
        lines.append(f"What to do: {plain(item.advice)}")
    if item.also:
        lines.append(plain("Also, it " + "; it ".join(item.also) + "."))
    with st.container(border=True):
        st.markdown("  \n".join(lines))
        if item.phone_number_id:
            link_to(NUMBER_PAGE, label="Open its page", icon="📞", query_params={"number": item.phone_number_id})


if __name__ == "__main__":
    overview()
else:
    app = st.App("app.py", routes=routes(), lifespan=lifespan, on_script_error=script_error)
