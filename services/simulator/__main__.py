"""python -m services.simulator --port N [--host 127.0.0.1] [--wabas N --numbers-per-waba M]"""

from __future__ import annotations

import argparse
import signal
import threading

from services.simulator.app import Simulator
from services.simulator.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.simulator", description="Serve the Graph API simulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on start)")
    parser.add_argument("--wabas", type=int, default=0, help="scale portfolio: WABAs of business 1000000000000009")
    parser.add_argument("--numbers-per-waba", type=int, default=0, help="scale portfolio: numbers in each WABA")
    args = parser.parse_args(argv)
    if (args.wabas > 0) != (args.numbers_per_waba > 0):
        parser.error("--wabas and --numbers-per-waba go together (token EAASCALETOKEN reaches them all)")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with serve(Simulator(wabas=args.wabas, numbers_per_waba=args.numbers_per_waba), args.host, args.port) as running:
        print(f"Graph API simulator on {running.url}", flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
