"""What a page's first run in a new server process would otherwise wait for, done by the server's start-up."""

from __future__ import annotations

import importlib
import inspect


def warm_pages() -> None:
    """Pay Streamlit's one-time costs of a process's first page before anyone visits (0.6 s together here)."""
    # st.set_page_config checks the page icon against a regular expression of every emoji, compiled on import.
    importlib.import_module("streamlit.emojis")
    # Streamlit's first element of a process inspects the call stack; inspect indexes every loaded module's file
    # the first time it maps a frame to its module, and keeps that index.
    inspect.stack()
