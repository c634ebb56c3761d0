"""Start-up and shut-down work of a console process served by `st.App` (`streamlit run app.py` or uvicorn).

At start-up, the configurations (and updates) a crash left in Processing are checked again, on a thread of their
own, so they become Active or Failed whether or not anyone opens a page, and the console answers at once even
when the Graph API is slow. The pages' first visit still runs the same recovery (for AppTest, which runs no
lifespan); the two cannot store twice, since a check stores only over the version it read.

The webhook drain starts too: its first sweep applies the deliveries a stop left stored but not applied.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from services.configurations.runs import recover_processing
from services.runtime import open_console
from services.web.webhooks import start_processing

log = logging.getLogger(__name__)
RECOVERY_THREAD = "console-recover-processing"


def recover_at_start() -> int:
    """Check again every configuration left in Processing, on the store the settings name; how many were."""
    try:
        console = open_console()
    except Exception:  # the store error page says what is wrong; the first page visit tries again
        log.warning("could not open the store to re-check configurations left in Processing", exc_info=True)
        return 0
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
    thread = threading.Thread(target=recover_at_start, name=RECOVERY_THREAD, daemon=True)
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
