"""Start-up and shut-down work of a console process served by `st.App` (`streamlit run app.py` or uvicorn).

The server answers its first request (and its health check) once the console the pages share is open and warm:
the store migrated, a demo store's 35 days of history written, and the overview's reads and table libraries
(pandas, pyarrow) run once. A person's first visit then finds everything ready, and the warm-up never competes
with the browser loading Streamlit's scripts. A store that takes longer than START_WAIT_S (an unreachable
PostgreSQL) does not keep the server down: it answers, and the store error page says what is wrong.

The configurations (and updates) a crash left in Processing are checked again on the same thread (the pages'
console does so as it opens; a console of its own after it is warm), so they become Active or Failed whether or
not anyone opens a page; a Graph API too slow to answer holds the server back START_WAIT_S at most. The pages'
first visit runs the same recovery when no start-up did (AppTest runs no lifespan); two checks cannot store twice,
since a check stores only over the version it read.

The webhook drain starts too: its first sweep applies the deliveries a stop left stored but not applied.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC
from typing import Any

from sqlmodel import Session

from services import demo
from services.configurations.runs import recover_processing
from services.runtime import Console, open_console
from services.web.webhooks import start_processing

log = logging.getLogger(__name__)
RECOVERY_THREAD = "console-recover-processing"
# What the first visit's work imports, imported at start instead of while the first visitor waits: st.dataframe's
# table libraries, and the HTTP transport of the demo's webhook sender.
FIRST_RUN_LIBRARIES = ("pandas", "pyarrow", "httpcore")
START_WAIT_S = 20.0
OpenConsole = Callable[[], Console]
WarmPages = Callable[[], None]


def warm_first_run(console: Console) -> None:
    """Import the table libraries and run the overview's reads once, so the first visit pays for neither."""
    for name in FIRST_RUN_LIBRARIES:
        try:
            importlib.import_module(name)
        except ImportError:  # the page imports it itself, and says so if it is missing
            log.warning("could not import %s at start-up", name, exc_info=True)
    try:
        _read_overview(console)
    except Exception:  # the first visit reads it again and shows what is wrong
        log.warning("could not read the overview at start-up", exc_info=True)


def _read_overview(console: Console) -> None:
    # Imported here: a module that only names the lifespan must not load the health model.
    from services.health.fleet_table import FleetQuery, fleet_page
    from services.health.overview import fleet_health
    from services.templates.views import trouble_counts

    now = console.clock()
    with Session(console.engine) as session:
        fleet_health(session=session, now=now, tz=UTC)
        trouble_counts(session=session)
        fleet_page(session=session, query=FleetQuery(), now=now, tz=UTC)
    import pandas as pd
    import pyarrow as pa

    # pyarrow loads its pandas conversion on the first table it builds from a frame.
    pa.Table.from_pandas(pd.DataFrame({"warm": ["up"], "at": pd.to_datetime([now], utc=True)}))


def start_up(
    open_for_pages: OpenConsole | None = None,
    ready: threading.Event | None = None,
    warm_pages: WarmPages | None = None,
) -> int:
    """The process's start-up work: the console opened and warmed (then `ready` is set), Processing re-checked.

    `open_for_pages` opens the console the pages share, which writes a demo's past and re-checks Processing as it
    opens (so their first run finds all of it done); without it the start-up opens a console of its own, does both
    itself and closes it at the end. `warm_pages` does what else the pages' first run would wait for. Returns how
    many configurations the start-up re-checked itself."""
    ready = ready or threading.Event()
    try:
        console = open_for_pages() if open_for_pages else _opened_alone()
    except Exception:  # the store error page says what is wrong; the first page visit tries again
        log.warning("could not open the store at start-up", exc_info=True)
        ready.set()
        return 0
    try:
        warm_first_run(console)
        if warm_pages is not None:
            try:
                warm_pages()
            except Exception:  # the first visit does it itself
                log.warning("could not prepare the pages' first run", exc_info=True)
        # Streamlit collects garbage after every script run; what the start-up built lives as long as the process,
        # so it is set aside once instead of traversed on every run (0.2 s a run here). It leaves no cyclic garbage
        # to keep: a full collection at this point finds none.
        gc.freeze()
        ready.set()
        return 0 if open_for_pages else recover_at_start(console)
    finally:
        ready.set()
        if open_for_pages is None:
            console.graph.close()
            console.engine.dispose()


def _opened_alone() -> Console:
    """A console of the start-up's own, a demo's past written (the first page visit tries again if that fails)."""
    console = open_console()
    try:
        demo.bootstrap(console)
    except Exception:
        log.warning("could not write the demo's history at start-up; the first visit tries again", exc_info=True)
    return console


def recover_at_start(console: Console) -> int:
    """Check again every configuration left in Processing; how many were."""
    try:
        checked = recover_processing(
            engine=console.engine, graph=console.graph, vault=console.vault, now=console.clock()
        )
    except Exception:
        log.warning(
            "re-checking configurations left in Processing failed; the first page visit tries again", exc_info=True
        )
        return 0
    if checked:
        log.info("re-checked %d configuration(s) a stop left in Processing", checked)
    return checked


def start_recovery(open_for_pages: OpenConsole | None = None, warm_pages: WarmPages | None = None) -> threading.Event:
    """Start the start-up work on a thread of its own; the event is set once the console is open and warm."""
    ready = threading.Event()
    # A daemon thread: a stop during a check leaves it Processing, and the next start checks it again.
    thread = threading.Thread(
        target=start_up, args=(open_for_pages, ready, warm_pages), name=RECOVERY_THREAD, daemon=True
    )
    thread.start()
    return ready


def lifespan_with(
    open_for_pages: OpenConsole | None = None, warm_pages: WarmPages | None = None
) -> Callable[[Any], AbstractAsyncContextManager[Any]]:
    """A lifespan whose start-up opens and warms the pages' console (`open_for_pages`, `warm_pages`) before the
    server answers."""

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[dict[str, Any]]:
        """Runs once per process, before the first request and after the last."""
        ready = start_recovery(open_for_pages, warm_pages)
        if not await asyncio.to_thread(ready.wait, START_WAIT_S):
            log.warning("the console was not ready after %g s; answering anyway", START_WAIT_S)
        try:
            start_processing()
        except Exception:  # the store error page says what is wrong; the first delivery starts the drain again
            log.warning("could not start applying stored webhook deliveries", exc_info=True)
        yield {}

    return lifespan


lifespan = lifespan_with()
