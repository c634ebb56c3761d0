"""The template poller: a thread that runs template cycles under a lease of its own, one per database.

It ticks every minute (or every template interval, if shorter); a cycle reads only the WABAs that are due, so a
tick with nothing due costs one query. Its lease ("template-poller") is apart from the number poller's, so either
may run in another process; a heartbeat renews it while a cycle runs.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from services.poller import lease as poller_lease
from services.runtime import Console
from services.templates.polling import TemplateRun, run_template_cycle, template_interval_of

LEASE = "template-poller"
TICK_S = 60.0
log = logging.getLogger(__name__)


def template_loop(
    *,
    console: Console,
    stop: threading.Event,
    holder: str,
    once: bool = False,
    tick_s: float | None = None,
    ttl: timedelta = poller_lease.LEASE_TTL,
) -> list[TemplateRun]:
    """Run template cycles while holding the lease, until `stop` is set (or once); releases the lease on exit."""
    tick = tick_s if tick_s is not None else min(TICK_S, float(template_interval_of(console.settings)))
    runs: list[TemplateRun] = []
    heartbeat: poller_lease.Heartbeat | None = None
    try:
        while not stop.is_set():
            try:
                if poller_lease.acquire(engine=console.engine, holder=holder, ttl=ttl, now=console.clock(), name=LEASE):
                    if heartbeat is None or not heartbeat.beating:
                        heartbeat = poller_lease.Heartbeat(
                            engine=console.engine, holder=holder, clock=console.clock, ttl=ttl, name=LEASE
                        ).start()
                    runs.append(run_template_cycle(console=console, now=console.clock()))
                elif heartbeat is not None:
                    heartbeat.stop()
                    heartbeat = None
            except Exception:  # the store or the network may be back by the next tick; the loop must outlive this
                log.exception("template cycle failed; the next tick tries again")
            if once:
                break
            stop.wait(tick)
    finally:
        if heartbeat is not None:
            heartbeat.stop()
        try:
            poller_lease.release(engine=console.engine, holder=holder, name=LEASE)
        except Exception:
            log.warning("could not release the template poller lease; another takes over when it expires")
    return runs


def start_template_poller(console: Console, stop: threading.Event) -> threading.Thread:
    """`template_loop` on a daemon thread until `stop` is set (the poller process, and the console in demo mode)."""
    thread = threading.Thread(
        target=template_loop,
        kwargs={"console": console, "stop": stop, "holder": poller_lease.holder_id(LEASE)},
        name=LEASE,
        daemon=True,
    )
    thread.start()
    return thread
