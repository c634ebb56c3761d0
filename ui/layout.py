"""page_setup(): the first call of every page (page config, the console, who is signed in, the sidebar)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from streamlit.errors import StreamlitPageNotFoundError

from services.access.roles import Actor
from services.alerts import views as alert_views
from services.language.translate import N_, _, plural
from services.runtime import Console
from services.settings import SettingsError, load_settings
from services.store import trouble
from ui import language, resources
from ui.sign_in import current_actor, sign_out
from ui.text import plain

# The product's name stays as it is in every language (like WhatsApp's own).
PRODUCT = "WhatsApp Channel Console"
NUMBER_PAGE = "pages/5_Phone_number.py"
TEMPLATES_PAGE = "pages/8_Templates.py"
MONITORING_PAGE = "pages/3_Monitoring.py"
CONFIGURATIONS_PAGE = "pages/2_Channel_configurations.py"
ALERTS_PAGE = "pages/7_Alerts.py"
# Streamlit's own sidebar would call the home page "app" after its file; ours names every page. The labels are
# msgids: _(label) where they are shown.
NAVIGATION = (
    ("app.py", N_("Overview"), "🏠"),
    ("pages/1_API_credentials.py", N_("API credentials"), "🔑"),
    (CONFIGURATIONS_PAGE, N_("Channel configurations"), "📣"),
    (MONITORING_PAGE, N_("Monitoring"), "📈"),
    (NUMBER_PAGE, N_("Phone number"), "📞"),
    (TEMPLATES_PAGE, N_("Templates"), "🧾"),
    ("pages/4_Audit_log.py", N_("Audit log"), "📜"),
    ("pages/6_Webhooks.py", N_("Webhooks"), "🪝"),
    (ALERTS_PAGE, N_("Alerts"), "🔔"),
)
ADMIN_ONLY = frozenset({"Audit log", "Webhooks"})
ROLES = {"admin": N_("admin"), "viewer": N_("viewer")}


@dataclass(frozen=True)
class Page:
    console: Console
    actor: Actor


def _environment_caption(console: Console) -> str:
    settings = console.settings
    graph = _("built-in Graph API simulator") if settings.demo else settings.graph_api_url
    store = "PostgreSQL" if settings.database_url.startswith("postgresql") else "SQLite"
    return _(
        "Graph API: {graph} ({version}) · store: {store}", graph=graph, version=settings.graph_api_version, store=store
    )


def _navigation(actor: Actor) -> None:
    try:
        for path, label, page_icon in NAVIGATION:
            if label not in ADMIN_ONLY or actor.is_admin:
                st.page_link(path, label=_(label), icon=page_icon)
    except StreamlitPageNotFoundError:
        # A page script run as its own entrypoint (as page tests do) has no app.py to link to.
        return
    st.divider()


def open_alerts_words(count: int) -> str:
    """'3 open alerts', '1 open alert', 'No open alerts'."""
    if count == 0:
        return _("No open alerts")
    return plural("{count} open alert", "{count} open alerts", count)


def _open_alerts(console: Console) -> None:
    with Session(console.engine) as session:
        count = alert_views.open_count(session=session)
    link_to(ALERTS_PAGE, label=open_alerts_words(count), icon="🔔")


def link_to(path: str, *, label: str, icon: str, query_params: dict[str, str] | None = None) -> None:
    """A link to another page of the console, opened in the same tab."""
    try:
        st.page_link(path, label=label, icon=icon, query_params=query_params)
    except StreamlitPageNotFoundError:
        # A page script run as its own entrypoint (as page tests do) knows no other page: a plain link instead.
        target = path.rsplit("/", 1)[-1].removesuffix(".py").split("_", 1)[-1]
        query = "?" + urlencode(query_params) if query_params else ""
        st.markdown(f"{icon} [{plain(label)}]({target}{query})")


_RETRIES = "store_trouble_retries"


def script_error(exc: Exception) -> bool | None:
    """st.App's handler for what escapes a page: a store failure gets its sentence instead of the error page."""
    sentence = trouble.diagnose(exc, load_settings().database_url)
    if sentence is None:
        return None  # anything else: Streamlit's page, as before (and the log keeps the traceback)
    st.error(sentence, icon="🗄️")
    return True


def store_trouble(exc: BaseException) -> None:
    """The store failed: say what is wrong and what to do, and come back by itself once it answers again."""
    url = load_settings().database_url
    sentence = trouble.diagnose(exc, url)
    if sentence is None:
        return
    st.title(PRODUCT)
    st.error(sentence, icon="🗄️")
    st.session_state[_RETRIES] = 0

    @st.fragment(run_every=f"{trouble.RETRY_SECONDS}s")
    def retry() -> None:
        tries = st.session_state.get(_RETRIES, 0)
        st.session_state[_RETRIES] = tries + 1
        if tries == 0:
            return  # drawn with the page; the timer's runs try the store
        if trouble.answers(url):
            st.rerun(scope="app")
        st.caption(
            plural(
                "Still failing after {count} try; next try in {seconds} s.",
                "Still failing after {count} tries; next try in {seconds} s.",
                tries,
                seconds=trouble.RETRY_SECONDS,
            )
        )

    retry()
    st.stop()


def page_setup(title: str, *, icon: str = "💬", sidebar: str = "auto") -> Page:
    """Configure the page, open the console and render the sidebar; stops the page on a configuration error.

    `title` is a msgid (the page's English title); it is shown in the reader's language."""

    def configure() -> None:
        st.set_page_config(
            page_title=f"{_(title)} · {PRODUCT}",
            page_icon=icon,
            layout="wide",
            initial_sidebar_state=sidebar,  # type: ignore[arg-type]
        )

    language.start_run()
    configure()
    try:
        console = resources.console()
        actor = current_actor(console)
        if language.with_person(console, actor):
            configure()
    except SettingsError as exc:
        st.title(PRODUCT)
        st.error(_("The console cannot start: {problem}", problem=exc))
        st.stop()
    except (SQLAlchemyError, OSError) as exc:
        store_trouble(exc)
        raise
    with st.sidebar:
        st.markdown(f"**{PRODUCT}**")
        _navigation(actor)
        _open_alerts(console)
        if console.settings.demo:
            st.caption(
                ":orange-badge[{badge}] {words}".format(
                    badge=_("Demo mode"), words=_("signed in automatically as the demo admin")
                )
            )
        else:
            st.caption(
                _(
                    "Signed in as {who} · {role}",
                    who=actor.name or actor.email,
                    role=_(ROLES.get(actor.role, actor.role)),
                )
            )
            if st.button(_("Sign out"), key="sidebar_sign_out"):
                sign_out()
        language.picker(console, actor)
        st.caption(_environment_caption(console))
    return Page(console=console, actor=actor)
