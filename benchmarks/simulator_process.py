"""The Graph API simulator in its own process, so the poller under test does not share a GIL with it."""

from __future__ import annotations

import selectors
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 30.0


class SimulatorProcess:
    """`python -m services.simulator` with a scale portfolio on a free port; `.url` once started."""

    def __init__(self, *, wabas: int, numbers_per_waba: int) -> None:
        command = [sys.executable, "-m", "services.simulator", "--port", "0"]
        command += ["--wabas", str(wabas), "--numbers-per-waba", str(numbers_per_waba)]
        self._process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
        self.url = self._announced_url()

    def _announced_url(self) -> str:
        assert self._process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            deadline = time.monotonic() + START_TIMEOUT_S
            while time.monotonic() < deadline:
                if selector.select(timeout=0.2):
                    line = self._process.stdout.readline()
                    if " on http" in line:
                        return line.rsplit(" on ", 1)[1].strip()
                    if not line:
                        break
        self.close()
        raise RuntimeError(f"The simulator process did not announce its address within {START_TIMEOUT_S:g} s.")

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def __enter__(self) -> SimulatorProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
