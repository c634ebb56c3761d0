"""Every extra route the console serves next to Streamlit's (`st.App(routes=...)`)."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    """The console's own routes; Streamlit refuses any that clash with its reserved paths."""
    return []
