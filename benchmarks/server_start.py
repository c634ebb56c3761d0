"""What a console server does once, for the benchmarks that render pages with AppTest in a process of their own.

A server runs its start-up before it answers, and discovers the installed Streamlit components once. AppTest does
the latter for every new AppTest (0.2 s here, scanning every installed package's metadata), inside the run a
benchmark times; each page below gets the one registry this process found instead, so a timed render is the
page's own work.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.testing.v1 import AppTest


def start_like_a_server() -> None:
    """The server's own start-up: the pages' console opened, the first run warmed, the start-up's heap frozen."""
    from services.web.lifespan import start_up
    from ui.first_run import warm_pages
    from ui.resources import shared_console

    start_up(shared_console, warm_pages=warm_pages)


@cache
def _components() -> BidiComponentManager:
    from streamlit.components.v2.component_manager import BidiComponentManager

    found = BidiComponentManager()
    found.discover_and_register_components(start_file_watching=False)
    return found


def page(script: Path, *, timeout_s: float) -> AppTest:
    """A new AppTest of `script` (a new session, as a new visitor) sharing the process's component registry."""
    from streamlit.testing.v1 import AppTest

    found = AppTest.from_file(str(script), default_timeout=timeout_s)
    # AppTest keeps the registry it discovers on its first run here (Streamlit 1.67); set, it discovers none.
    found._bidi_component_manager = _components()
    return found
