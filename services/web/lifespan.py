"""Start-up and shut-down work of a console process served by `st.App` (`streamlit run app.py` or uvicorn).

At start-up, the configurations (and updates) a crash left in Processing are checked again, on a thread of their
own, so they become Active or Failed whether or not anyone opens a page, and the console answers at once even
when the Graph API is slow. The pages' first visit still runs the same recovery (for AppTest, which runs no
lifespan); the two cannot store twice, since a check stores only over the version it read.

The webhook drain starts too: its first sweep applies the deliveries a stop left stored but not applied.

A demo store's first start writes its past on that same thread first (under half a second), so the history is
there by the time a browser has loaded the page, without holding up the server's health check. Then the thread
imports the table libraries the overview's first run needs (pandas, pyarrow: most of a first run's time), while
the browser is still loading Streamlit's own scripts.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from services import demo
from services.configurations.runs import recover_processing
from services.runtime import open_console
from services.web.webhooks import start_processing

log = logging.getLogger(__name__)
RECOVERY_THREAD = "console-recover-processing"
# What st.dataframe needs on the overview's first run, imported at start instead of while the first visitor waits.
FIRST_RUN_LIBRARIES = ("pandas", "pyarrow")


def warm_first_run() -> None:
    for name in FIRST_RUN_LIBRARIES:
        try:
            importlib.import_module(name)
        except ImportError:  # the page imports it itself, and says so if it is missing
            log.warning("could not import %s at start-up", name, exc_info=True)


def start_up() -> int:
    """The process's start-up work, in order: the store (a demo's past), Processing re-checked, the first run warmed."""
    checked = recover_at_start()
    warm_first_run()
    return checked


def recover_at_start() -> int:
    """Check again every configuration left in Processing, on the store the settings name; how many were."""
    try:
        console = open_console()
    except Exception:  # the store error page says what is wrong; the first page visit tries again
        log.warning("could not open the store to re-check configurations left in Processing", exc_info=True)
        return 0
    try:
        demo.bootstrap(console)
    except Exception:  # the first page visit tries again
        log.warning("could not write the demo's history at start-up; the first page visit tries again", exc_info=True)
    try:
        checked = recover_processing(
            engine=console.engine, graph=console.graph, vault=console.vault, now=console.clock()
        )
    except Exception:
        log.warning(
            "re-checking configurations left in Processing failed; the first page visit tries again", exc_info=True
        )
        return 0
    finally:
        console.graph.close()
        console.engine.dispose()
    if checked:
        log.info("re-checked %d configuration(s) a stop left in Processing", checked)
    return checked


def start_recovery() -> threading.Thread:
    # A daemon thread: a stop during a check leaves it Processing, and the next start checks it again.
    thread = threading.Thread(target=start_up, name=RECOVERY_THREAD, daemon=True)
    thread.start()
    return thread


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[dict[str, Any]]:
    """Runs once per process, before the first request and after the last."""
    start_recovery()
    try:
        start_processing()
    except Exception:  # the store error page says what is wrong; the first delivery starts the drain again
        log.warning("could not start applying stored webhook deliveries", exc_info=True)
    yield {}
