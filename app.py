"""The overview: the fleet's health at a glance, worst first.

Streamlit runs this file as the home page's script (`__name__ == "__main__"`). `streamlit run app.py` and uvicorn
(`uvicorn app:app`) also import it as a module, and then it is the ASGI app: Streamlit plus the console's routes.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st
from sqlmodel import Session

from services.health import fleet_counts
from services.health.model import Severity
from services.health.overview import FleetHealth, fleet_health
from services.language.formatting import number_text
from services.language.translate import N_, _, plural
from services.templates import views as template_views
from services.web.lifespan import lifespan_with
from services.web.routes import routes
from ui.attention import needs_attention
from ui.first_run import warm_pages
from ui.fleet_table import fleet_table
from ui.layout import ADMIN_ONLY, NAVIGATION, PRODUCT, TEMPLATES_PAGE, page_setup, script_error
from ui.moments import viewer_zone
from ui.resources import shared_console
from ui.text import plain

PORTFOLIOS_LISTED = 12


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
    # A row that wraps: in equal columns a longer name ("Channel configurations") was cut at 1440 px.
    with st.container(horizontal=True, gap="small", key="overview_links"):
        for path, label, icon in links:
            st.page_link(path, label=_(label), icon=icon)

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


if __name__ == "__main__":
    overview()
else:
    app = st.App(
        "app.py", routes=routes(), lifespan=lifespan_with(shared_console, warm_pages), on_script_error=script_error
    )
