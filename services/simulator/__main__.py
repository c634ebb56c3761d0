"""python -m services.simulator --port N [--host 127.0.0.1] [--wabas N --numbers-per-waba M]
[--webhook-url URL --app-secret SECRET [--replay-days D]]"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from datetime import timedelta

from services.simulator.app import Simulator
from services.simulator.server import serve
from services.simulator.webhook_feed import start_feed


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.simulator", description="Serve the Graph API simulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on start)")
    parser.add_argument("--wabas", type=int, default=0, help="scale portfolio: WABAs of business 1000000000000009")
    parser.add_argument("--numbers-per-waba", type=int, default=0, help="scale portfolio: numbers in each WABA")
    parser.add_argument("--webhook-url", help="post the schedule's changes and /_simulator/webhooks events here")
    parser.add_argument(
        "--app-secret",
        default=os.environ.get("META_APP_SECRET"),
        help="the app secret that signs each webhook (default: META_APP_SECRET)",
    )
    parser.add_argument(
        "--replay-days", type=float, default=0.0, help="also send the changes of the last D days at start"
    )
    args = parser.parse_args(argv)
    if (args.wabas > 0) != (args.numbers_per_waba > 0):
        parser.error("--wabas and --numbers-per-waba go together (token EAASCALETOKEN reaches them all)")
    if args.webhook_url and not args.app_secret:
        parser.error("--webhook-url needs --app-secret (or META_APP_SECRET) to sign the webhooks")
    if args.replay_days < 0:
        parser.error("--replay-days must be 0 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    simulator = Simulator(wabas=args.wabas, numbers_per_waba=args.numbers_per_waba)
    feed = None
    if args.webhook_url:
        since = simulator.now() - timedelta(days=args.replay_days)
        feed = start_feed(simulator, url=args.webhook_url, app_secret=args.app_secret, since=since)
    with serve(simulator, args.host, args.port) as running:
        print(f"Graph API simulator on {running.url}", flush=True)
        if feed is not None:
            print(f"Sending signed webhooks to {args.webhook_url}", flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            if feed is not None:
                feed.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
