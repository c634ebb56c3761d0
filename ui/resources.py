"""Process-wide resources, cached once per configuration (Streamlit glue for services.runtime)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from services.configurations.runs import recover_processing
from services.poller import loop as poller
from services.runtime import Console, open_console
from services.settings import Settings, load_settings
from services.store import trouble
from ui.console_url import start_demo_webhooks


# `key` only keys the cache (Streamlit does not hash parameters that start with an underscore). No spinner: the
# server's start-up opens it before any page runs, on a thread where a spinner has no page to show on.
@st.cache_resource(show_spinner=False, on_release=poller.stop_background)
def _console_for(key: str, _settings: Settings) -> Console:  # noqa: ARG001
    console = open_console(_settings)
    # A store that cannot take a write fails here, before anyone types into a form, with its own sentence.
    trouble.probe(console.engine)
    # Checks that a crash interrupted run again before anyone looks at their configurations.
    recover_processing(engine=console.engine, graph=console.graph, vault=console.vault, now=console.clock())
    poller.start_background(console)
    return console


def shared_console() -> Console:
    """The console the pages share for the current configuration (a new one when DATABASE_URL or GRAPH_API_URL
    change); the server's start-up opens it before any page runs."""
    settings = load_settings()
    return _console_for(
        repr(replace(settings, secret_key=None, meta_app_secret=None, webhook_verify_token=None, metrics_token=None)),
        settings,
    )


def console() -> Console:
    """The shared console, for a page (in demo mode, the simulator's webhooks start once a browser is here)."""
    running = shared_console()
    start_demo_webhooks(running)
    return running
