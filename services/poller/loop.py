"""The poller: `python -m services.poller [--once] [--interval SECONDS]`, or a thread of the app in demo mode.

Each round takes (or renews) the database's poller lease, runs one poll cycle and sleeps until the
next tick, so any number of processes may run it and only one polls. The lease is short (a minute)
and a heartbeat thread renews it while the holder polls or sleeps; a standby asks for it every
third of that, so a holder that dies is replaced within LEASE_TTL + a third of it (80 s), not after
poll intervals. SIGINT or SIGTERM stops it after the cycle in flight and gives the lease up at once.

On PostgreSQL every poller polls: each tick's WABAs are divided between them through work rows
(`work`, `share`), and the lease only picks the one that coordinates (closes cycles of dead pollers,
prunes old work rows, does the re-reads webhooks ask for).
"""

from __future__ import annotations

import argparse
import atexit
import logging
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError

from services import demo
from services.alerts import sender as alert_sender
from services.poller import lease as poller_lease
from services.poller import reread, work
from services.poller.cycle import close_abandoned, interval_of, run_cycle
from services.poller.share import run_share
from services.runtime import Console, open_console
from services.settings import SettingsError
from services.store.migrate import MigrationError
from services.store.models import PollRun
from services.templates.background import start_template_poller

__all__ = ["interval_of", "failover_bound", "main", "poll_loop", "run_cycle", "start_background", "stop_background"]

log = logging.getLogger("services.poller")
_background: dict[str, tuple[threading.Thread, threading.Event]] = {}
_background_lock = threading.Lock()


def standby_retry_s(interval_s: float, ttl: timedelta) -> float:
    """How often a standby asks for the lease: as often as a heartbeat beats (or polls, if that is sooner)."""
    return min(interval_s, ttl.total_seconds() / poller_lease.BEATS_PER_TTL)


def failover_bound(interval_s: float, ttl: timedelta = poller_lease.LEASE_TTL) -> timedelta:
    """The longest a dead holder stays unreplaced: its lease lapses within ttl, a standby asks a retry later."""
    return ttl + timedelta(seconds=standby_retry_s(interval_s, ttl))


def describe(run: PollRun) -> str:
    """One log line for a finished cycle (ids, counts and error kinds only: never a token)."""
    took = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
    kinds = Counter(str(error.get("kind")) for error in run.errors)
    problems = ", ".join(f"{kind} x{count}" for kind, count in sorted(kinds.items())) or "none"
    return (
        f"poll run {run.id} {run.status}: {run.credentials_polled} credentials, {run.numbers_seen} numbers, "
        f"{run.graph_calls} Graph calls in {took:.2f} s; errors: {problems}"
    )


def _cycle(
    console: Console, *, holder: str, interval_s: float, trigger: str, only: Sequence[str] | None = None
) -> PollRun:
    if closed := close_abandoned(engine=console.engine, now=console.clock()):
        log.warning("%d poll cycle(s) left running by a poller that stopped were marked failed", closed)
    run = run_cycle(console=console, trigger=trigger, poller_id=holder, poll_interval_s=interval_s, only=only)
    log.info(describe(run))
    return run


def _share(
    console: Console,
    *,
    holder: str,
    interval_s: float,
    tick: datetime,
    claim_ttl: timedelta,
    stop: threading.Event,
    coordinator: bool,
) -> list[PollRun]:
    run = run_share(
        console=console,
        tick=tick,
        holder=holder,
        interval_s=interval_s,
        ttl=claim_ttl,
        stop=stop,
        always_record=coordinator,
    )
    if run is None:
        return []
    log.info(describe(run))
    return [run]


def _coordinate(console: Console) -> None:
    """What one poller does per round for all of them: close cycles left by dead pollers, prune old work rows."""
    now = console.clock()
    if closed := close_abandoned(engine=console.engine, now=now):
        log.warning("%d poll cycle(s) left running by a poller that stopped were marked failed", closed)
    work.prune(engine=console.engine, now=now)


def _between_ticks(
    console: Console,
    *,
    holder: str,
    interval_s: float,
    tick: datetime,
    stop: threading.Event,
    until: float,
    ttl: timedelta,
    claim_ttl: timedelta,
    check_s: float = reread.REREAD_CHECK_S,
) -> list[PollRun]:
    """Until `until` (time.monotonic()): take over lapsed claims of this tick, and (holding the lease) read the WABAs
    webhooks mark. Every poller asks for the lease too, so the coordinating role moves on within seconds."""
    runs: list[PollRun] = []
    while not stop.is_set():
        left = until - time.monotonic()
        if left <= 0 or stop.wait(min(left, check_s)):
            break
        try:
            if work.claimable(engine=console.engine, tick=tick, now=console.clock()):
                runs += _share(
                    console,
                    holder=holder,
                    interval_s=interval_s,
                    tick=tick,
                    claim_ttl=claim_ttl,
                    stop=stop,
                    coordinator=False,
                )
            if poller_lease.acquire(engine=console.engine, holder=holder, ttl=ttl, now=console.clock()):
                if wanted := reread.requested(engine=console.engine):
                    runs.append(
                        _cycle(console, holder=holder, interval_s=interval_s, trigger=reread.TRIGGER, only=wanted)
                    )
        except Exception:  # the next check, or the next cycle, tries again
            log.exception("a check between poll cycles failed; the next one runs as planned")
    return runs


def poll_loop(
    *,
    console: Console,
    interval_s: float,
    stop: threading.Event,
    holder: str,
    once: bool = False,
    trigger: str = "schedule",
    wait: Callable[[float], object] | None = None,
    ttl: timedelta = poller_lease.LEASE_TTL,
    heartbeat_s: float | None = None,
    claim_ttl: timedelta = work.CLAIM_TTL,
) -> list[PollRun]:
    """Poll every `interval_s` until `stop` is set (or once); releases the lease on exit.

    On SQLite only the lease holder polls, and between cycles it reads the WABAs webhooks mark for a re-read
    (unless a test gives its own `wait`). On PostgreSQL every poller takes a share of each tick's cycle
    (`share.run_share`); the lease holder also coordinates (`_coordinate`) and does the re-reads.
    """
    watch = wait is None
    wait = wait or stop.wait
    shared = work.shares_cycles(console.engine)
    runs: list[PollRun] = []
    heartbeat: poller_lease.Heartbeat | None = None
    standing_by_for: str | None = None
    try:
        while not stop.is_set():
            started, held, tick = time.monotonic(), False, work.tick_of(console.clock(), interval_s)
            try:
                held = poller_lease.acquire(engine=console.engine, holder=holder, ttl=ttl, now=console.clock())
                if not held:
                    if heartbeat is not None:
                        heartbeat.stop()
                        heartbeat = None
                    lease = poller_lease.current(engine=console.engine, now=console.clock())
                    other = lease.holder if lease else "another poller"
                    if other != standing_by_for:  # one line per holder, not one per retry
                        what = "shares the cycles and coordinates" if shared else "holds the poller lease"
                        log.info("%s: %s %s", "sharing cycles" if shared else "standing by", other, what)
                        standing_by_for = other
                # A standby may get the lease from a poller that released it because it was told to stop; if it
                # was told too (one stop for both, as in one process), it must not start a cycle after that one.
                elif not stop.is_set():
                    standing_by_for = None
                    if heartbeat is None or not heartbeat.beating:
                        heartbeat = poller_lease.Heartbeat(
                            engine=console.engine, holder=holder, clock=console.clock, ttl=ttl, every_s=heartbeat_s
                        ).start()
                    if not shared:
                        runs.append(_cycle(console, holder=holder, interval_s=interval_s, trigger=trigger))
                if shared and not stop.is_set():
                    if held:
                        _coordinate(console)
                    runs += _share(
                        console,
                        holder=holder,
                        interval_s=interval_s,
                        tick=tick,
                        claim_ttl=claim_ttl,
                        stop=stop,
                        coordinator=held,
                    )
            except Exception:  # the store or the network may be back by the next round; the loop must outlive this
                log.exception("poll round failed; the next one runs as planned")
            if once:
                break
            if shared:
                # Every poller wakes at the next tick, the same moment for all of them.
                next_tick = tick + timedelta(seconds=interval_s)
                until = time.monotonic() + max(0.0, (next_tick - console.clock()).total_seconds())
                if watch:
                    runs += _between_ticks(
                        console,
                        holder=holder,
                        interval_s=interval_s,
                        tick=tick,
                        stop=stop,
                        until=until,
                        ttl=ttl,
                        claim_ttl=claim_ttl,
                    )
                else:
                    wait(max(0.0, until - time.monotonic()))
                continue
            # A holder's rounds start an interval apart; a standby asks again soon, to take over a dead holder's lease.
            pause = interval_s if held else standby_retry_s(interval_s, ttl)
            if held and watch:
                runs += reread.wait_watching(
                    engine=console.engine,
                    stop=stop,
                    until=started + pause,
                    read=lambda wanted: _cycle(
                        console, holder=holder, interval_s=interval_s, trigger=reread.TRIGGER, only=wanted
                    ),
                )
            else:
                wait(max(0.0, started + pause - time.monotonic()))
    finally:
        if heartbeat is not None:
            heartbeat.stop()  # before the release, so no renewal can follow it
        try:
            poller_lease.release(engine=console.engine, holder=holder)
        except Exception:
            log.warning("could not release the poller lease; another poller takes over when it expires")
    return runs


def start_background(console: Console) -> threading.Thread | None:
    """In demo mode: the demo's history (first start only), then a daemon thread polling; else None."""
    if not console.settings.demo:
        return None
    key = console.settings.database_url
    with _background_lock:
        running = _background.get(key)
        if running is not None and running[0].is_alive():
            return running[0]
    # Before the thread, so the past is written before the present (an older answer never follows a newer one).
    demo.bootstrap(console)
    with _background_lock:
        running = _background.get(key)
        if running is not None and running[0].is_alive():
            return running[0]
        holder, stop = poller_lease.holder_id("demo-poller"), threading.Event()
        thread = threading.Thread(
            target=poll_loop,
            kwargs={"console": console, "interval_s": interval_of(console.settings), "stop": stop, "holder": holder},
            name="demo-poller",
            daemon=True,
        )
        thread.start()
        _background[key] = (thread, stop)
        # The alert sender beside it (stopped by the same event; it holds a lease of its own).
        _start_alert_sender(console, stop)
        start_template_poller(console, stop)  # message templates at their own interval, under a lease of its own
    # A daemon thread dies with the process without its finally: give the lease up on the way out.
    atexit.register(stop.set)
    atexit.register(poller_lease.release, engine=console.engine, holder=holder)
    return thread


def _start_alert_sender(console: Console, stop: threading.Event) -> threading.Thread:
    return alert_sender.start_sender(
        engine=console.engine,
        vault=console.vault,
        clock=console.clock,
        base_url=console.settings.console_base_url,
        stop=stop,
        poll_interval_s=interval_of(console.settings),
        quiet=timedelta(minutes=console.settings.alert_quiet_minutes),
    )


def stop_background(console: Console, *, timeout_s: float = 10.0) -> None:
    """Stop this console's background poller after its cycle in flight (it releases the lease)."""
    with _background_lock:
        running = _background.pop(console.settings.database_url, None)
    if running is not None:
        running[1].set()
        running[0].join(timeout_s)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.poller", description="Poll every number's health.")
    parser.add_argument(
        "--once",
        action="store_true",
        help="run one cycle (SQLite: if no other poller holds the lease; PostgreSQL: this poller's share)",
    )
    parser.add_argument("--interval", type=int, metavar="SECONDS", help="seconds between cycles (default: settings)")
    default_lease = int(poller_lease.LEASE_TTL.total_seconds())
    parser.add_argument(
        "--lease",
        type=int,
        default=default_lease,
        metavar="SECONDS",
        help=f"the poller lease's time to live, renewed every third of it (default: {default_lease})",
    )
    default_claim = int(work.CLAIM_TTL.total_seconds())
    parser.add_argument(
        "--claim",
        type=int,
        default=default_claim,
        metavar="SECONDS",
        help=f"on PostgreSQL: how long a claim on a batch of WABAs lasts unrenewed (default: {default_claim})",
    )
    arguments = parser.parse_args(argv)
    if arguments.interval is not None and arguments.interval < 1:
        parser.error("--interval must be a whole number of seconds, 1 or more")
    if arguments.lease < 3:
        parser.error("--lease must be a whole number of seconds, 3 or more")
    if arguments.claim < 3:
        parser.error("--claim must be a whole number of seconds, 3 or more")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    """Run the poller until SIGINT/SIGTERM (or one cycle with --once); 1 if that one cycle failed."""
    arguments = _arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per cycle, not one per Graph call
    try:
        console = open_console()
    except (SettingsError, MigrationError) as exc:
        print(f"poller: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        print(f"poller: cannot open the database: {exc.orig}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    interval = arguments.interval or interval_of(console.settings)
    demo.bootstrap(console)  # a demo store gets its past first (does nothing elsewhere, or once written)
    holder = poller_lease.holder_id()
    ttl = timedelta(seconds=arguments.lease)
    log.info("poller %s started: every %d s, lease %d s", holder, interval, arguments.lease)
    sender = None if arguments.once else _start_alert_sender(console, stop)
    templates = None if arguments.once else start_template_poller(console, stop)
    claim = timedelta(seconds=arguments.claim)
    runs = poll_loop(
        console=console, interval_s=interval, stop=stop, holder=holder, once=arguments.once, ttl=ttl, claim_ttl=claim
    )
    if sender is not None:
        sender.join(10.0)  # it stops on the same event and releases its lease
    if templates is not None:
        templates.join(10.0)
    log.info("poller %s stopped; lease released", holder)
    return 1 if arguments.once and runs and runs[-1].status == "failed" else 0
