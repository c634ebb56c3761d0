"""The two processes a browser test talks to: the Graph API simulator and `streamlit run app.py`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0


class ServerDidNotStart(RuntimeError):
    """A server process died or never answered its health check; the message carries its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Process:
    """A started server process, its base URL and its log file."""

    name: str
    url: str
    popen: subprocess.Popen[bytes]
    log: Path
    healthy_at: float = 0.0  # time.perf_counter() when the health check first answered
    _read: int = field(default=0, repr=False)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def new_log(self) -> str:
        """Log lines written since the previous call."""
        text = self.log_text()
        fresh, self._read = text[self._read :], len(text)
        return fresh

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=5)


def _start(name: str, args: list[str], *, env: dict[str, str], log: Path, url: str) -> Process:
    handle = log.open("wb")
    popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    handle.close()
    return Process(name=name, url=url, popen=popen, log=log)


def _wait_healthy(process: Process, path: str, healthy: Callable[[httpx.Response], bool]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.popen.poll() is not None:
                raise ServerDidNotStart(f"{process.name} exited with {process.popen.returncode}:\n{process.log_text()}")
            try:
                if healthy(client.get(f"{process.url}{path}")):
                    process.healthy_at = time.perf_counter()
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    process.stop()
    raise ServerDidNotStart(f"{process.name} did not answer {path} in {START_TIMEOUT_S:.0f} s:\n{process.log_text()}")


def start_simulator(log_dir: Path) -> Process:
    """`python -m services.simulator` on a free port, answering /_simulator/health."""
    port = free_port()
    process = _start(
        "Graph API simulator",
        [sys.executable, "-m", "services.simulator", "--port", str(port)],
        env=dict(os.environ),
        log=log_dir / "simulator.log",
        url=f"http://127.0.0.1:{port}",
    )
    _wait_healthy(process, "/_simulator/health", lambda r: r.status_code == 200 and r.json().get("ok") is True)
    return process


def start_console(log_dir: Path, env: dict[str, str]) -> Process:
    """`streamlit run app.py` headless on a free port with `env` added, answering /_stcore/health."""
    port = free_port()
    args = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true"]
    args += ["--server.address=127.0.0.1", f"--server.port={port}", "--browser.gatherUsageStats=false"]
    args += ["--server.fileWatcherType=none"]
    process = _start(
        "streamlit run app.py",
        args,
        env={**os.environ, **env},
        log=log_dir / "streamlit.log",
        url=f"http://127.0.0.1:{port}",
    )
    _wait_healthy(process, "/_stcore/health", lambda r: r.status_code == 200 and r.text.strip() == "ok")
    return process


def simulator_control(simulator: Process, method: str, path: str, body: Any = None) -> Any:
    """Call one of the simulator's /_simulator/ control endpoints and return its JSON answer."""
    response = httpx.request(method, f"{simulator.url}/_simulator/{path}", json=body, timeout=10.0)
    response.raise_for_status()
    return response.json()
