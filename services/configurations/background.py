"""Checks that run beside the page: a Submit stores Processing and returns; a worker thread runs the checks.

The store is the record: the configuration is Processing (committed) before its checks are handed to a worker,
so a process that stops mid-check leaves it Processing and `runs.recover_processing` checks it again at the
next start. Pages learn the outcome by reading the store, never from this process's memory, so a console
behind a load balancer shows the same list on every replica.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import Engine

from services.access.roles import Actor
from services.access.vault import TokenVault
from services.configurations.records import ConfigurationRefused
from services.configurations.runs import CheckRun, run_checks
from services.graph.client import GraphClient

log = logging.getLogger(__name__)
WORKERS = 4
THREAD_PREFIX = "configuration-checks"


class BackgroundChecks:
    """One pool of worker threads per process; a configuration is checked by at most one of them at a time."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=THREAD_PREFIX)
        self._running: dict[tuple[str, int], Future[CheckRun | None]] = {}
        self._lock = threading.Lock()

    def start(
        self,
        *,
        engine: Engine,
        graph: GraphClient,
        vault: TokenVault,
        configuration_id: int,
        actor: Actor,
        clock: Callable[[], datetime],
    ) -> Future[CheckRun | None]:
        """Check the stored Processing configuration on a worker; the run already under way, if there is one."""
        key = (str(engine.url), configuration_id)
        with self._lock:
            running = self._running.get(key)
            if running is not None and not running.done():
                return running

            def check() -> CheckRun | None:
                try:
                    return run_checks(
                        engine=engine,
                        graph=graph,
                        vault=vault,
                        configuration_id=configuration_id,
                        actor=actor,
                        now=clock(),
                    )
                except ConfigurationRefused as refused:  # deleted, or finished by another process meanwhile
                    log.info("checks of configuration %s not stored: %s", configuration_id, refused)
                    return None
                except Exception:
                    # Left Processing in the store: the next start of the console checks it again.
                    log.exception("checks of configuration %s stopped; it stays Processing", configuration_id)
                    return None
                finally:
                    with self._lock:
                        if self._running.get(key) is future:
                            del self._running[key]

            future = self._pool.submit(check)
            self._running[key] = future
            return future

    def running(self, engine: Engine) -> set[int]:
        """The configurations of this store that this process is checking now."""
        url = str(engine.url)
        with self._lock:
            return {configuration_id for (key, configuration_id) in self._running if key == url}


# The console process's one pool: Streamlit sessions, the webhook routes and the command line share it.
CHECKS = BackgroundChecks()
