"""The overview: the fleet's health at a glance, worst first.

Streamlit runs this file as the home page's script (`__name__ == "__main__"`). `streamlit run app.py` and uvicorn
(`uvicorn app:app`) also import it as a module, and then it is the ASGI app: Streamlit plus the console's routes.
"""

from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from sqlmodel import Session

from services.health.overview import STRIP_DAYS, fleet_health, number_label
from services.web.lifespan import lifespan
from services.web.routes import routes
from ui import charts
from ui.badges import quality_text, throughput_text
from ui.layout import NAVIGATION, PRODUCT, page_setup
from ui.text import plain

ATTENTION_SHOWN = 8
URGENCY_ICONS = {0: "🔴", 1: "🟠", 2: "🟡"}  # act now, act soon, keep an eye on it


def overview() -> None:
    """The home page."""
    page = page_setup("Overview")
    console = page.console
    st.title(PRODUCT)
    st.caption("Connect WhatsApp Business phone numbers to your marketing platform and watch their health over time.")
    if console.settings.demo:
        st.info(
            "**Demo mode.** You are signed in automatically as the demo admin. The console runs on its built-in "
            "Graph API simulator with demo data: a seeded business "
            "portfolio with 30+ days of health history; no real WhatsApp number is touched. To add an API credential, "
            "use business ID `1000000000000001` with one of the demo tokens: `EAADEMOTOKEN` (valid), `EAADEMOEXPIRED` "
            "(expired), `EAADEMONOPERM` (lacks whatsapp_business_management) or `EAADEMOREVOKED` (revoked).",
            icon="🧪",
        )

    links = [link for link in NAVIGATION[1:] if link[1] != "Audit log" or page.actor.is_admin]
    for column, (path, label, icon) in zip(st.columns(len(links)), links, strict=True):
        column.page_link(path, label=label, icon=icon)

    tz = charts.viewer_timezone()
    with Session(console.engine) as session:
        health = fleet_health(session=session, now=console.clock(), tz=tz)
    if not health.entries:
        st.info(
            "No phone numbers are monitored yet. Add an API credential: the poller watches every number it reaches."
        )
        st.stop()

    st.subheader("Needs attention")
    if not health.attention:
        st.success("Nothing needs attention: no low ratings, no quality drops in the last 7 days, every token is fine.")
    lines = [f"- {URGENCY_ICONS[item.urgency]} {plain(item.sentence)}" for item in health.attention]
    for line in lines[:ATTENTION_SHOWN]:
        st.markdown(line)
    if len(lines) > ATTENTION_SHOWN:
        with st.expander(f"{len(lines) - ATTENTION_SHOWN} more"):
            st.markdown("\n".join(lines[ATTENTION_SHOWN:]))

    st.subheader("Fleet health")
    st.caption(
        f"Worst first. The strip shows the lowest quality rating of each of the last {STRIP_DAYS} days "
        f"({charts.zone_name(tz)} days), oldest on the left: 🟩 green, 🟨 yellow, 🟥 red, ⬜ not yet rated, "
        "▫️ not watched."
    )
    numbers = [entry.number for entry in health.entries]
    st.dataframe(
        pd.DataFrame(
            {
                "Number": [number_label(n) for n in numbers],
                "Business account": [entry.business_account for entry in health.entries],
                "Quality": [quality_text(n.quality_rating) for n in numbers],
                f"Last {STRIP_DAYS} days": [charts.daily_strip(entry.daily_lowest) for entry in health.entries],
                "Throughput": [throughput_text(n.throughput_level) for n in numbers],
                "Messaging limit": [n.messaging_limit or "" for n in numbers],
                "Status": [n.status or "" for n in numbers],
                "Last polled": pd.to_datetime([n.last_polled_at for n in numbers], utc=True).tz_convert(tz),
                "History": [f"Monitoring?{urlencode({'numbers': n.id, 'range': '30d'})}" for n in numbers],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Last polled": st.column_config.DatetimeColumn(format="D MMM, HH:mm"),
            "History": st.column_config.LinkColumn(display_text="Open"),
        },
    )


if __name__ == "__main__":
    overview()
else:
    app = st.App("app.py", routes=routes(), lifespan=lifespan)
