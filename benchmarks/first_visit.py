"""Benchmark 5: a person's first visit in a real browser, against `streamlit hello` in the same harness.

Each run starts its server afresh (`streamlit run app.py` or `streamlit hello`), waits for its health check, then
opens a fresh context of one headless Debian Chromium (Playwright) and times from the navigation to a rendered
page: its content present and Streamlit's "running" state gone. The demo's first start is timed from the launch
of the process, on an empty data folder, to the overview with its fleet table in the browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.figures import Figure, Samples, Stage, Target
from benchmarks.sizes import Sizes

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
START_TIMEOUT_S = 60.0
RENDER_TIMEOUT_MS = 60_000
FIRST_VISIT_RATIO_TARGET = Target("<=", 1.5)
DEMO_FIRST_START_TARGET = Target("<=", 4.0)
# What each page shows once rendered: the overview's fleet table, the hello page's welcome heading.
OVERVIEW_CONTENT = "[data-testid='stMain'] [data-testid='stDataFrame']:visible"
HELLO_CONTENT = "[data-testid='stMain'] h1:has-text('Welcome to Streamlit')"
EXCEPTION = "[data-testid='stException']"
SERVER_FLAGS = ["--server.headless=true", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"]
SERVER_FLAGS += ["--server.fileWatcherType=none"]


class VisitFailed(RuntimeError):
    """A server did not start, or its page did not render; the message carries the server's log."""


@dataclass
class Server:
    url: str
    popen: subprocess.Popen[bytes]
    log: Path
    launched_at: float

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _served(arguments: list[str], *, environment: dict[str, str], log: Path) -> Iterator[Server]:
    """A Streamlit server process on a free port, healthy; stopped afterwards."""
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", *arguments, *SERVER_FLAGS, f"--server.port={port}"]
    with log.open("wb") as handle:
        launched = time.perf_counter()
        popen = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=os.environ | environment, stdout=handle, stderr=subprocess.STDOUT
        )
    server = Server(url=f"http://127.0.0.1:{port}", popen=popen, log=log, launched_at=launched)
    try:
        _wait_healthy(server)
        yield server
    finally:
        popen.terminate()
        try:
            popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=5)


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.popen.poll() is not None:
                raise VisitFailed(f"the server exited with {server.popen.returncode}:\n{server.log_text()[-3000:]}")
            try:
                if client.get(f"{server.url}/_stcore/health").text.strip() == "ok":
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.02)
    raise VisitFailed(f"the server did not answer its health check in {START_TIMEOUT_S:g} s")


def _rendered(browser: object, server: Server, content: str) -> float:
    """The moment `content` shows and no script runs any more, on a fresh context sent to the server's page."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(server.url, wait_until="commit")
        page.locator(f"{content}, {EXCEPTION}").first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        if page.locator(EXCEPTION).count():
            raise VisitFailed(f"the page raised: {page.locator(EXCEPTION).first.inner_text()[:500]}")
        page.wait_for_selector(
            "[data-testid='stApp'][data-test-script-state='notRunning']", state="attached", timeout=RENDER_TIMEOUT_MS
        )
        page.get_by_test_id("stSkeleton").first.wait_for(state="detached", timeout=RENDER_TIMEOUT_MS)
        return time.perf_counter()
    except VisitFailed:
        raise
    except Exception as exc:
        raise VisitFailed(f"{server.url} did not render {content!r}: {exc}\n{server.log_text()[-3000:]}") from exc
    finally:
        context.close()


def _visit(browser: object, server: Server, content: str) -> float:
    started = time.perf_counter()
    return _rendered(browser, server, content) - started


def _demo_environment(data_dir: Path) -> dict[str, str]:
    environment = {"GRAPH_API_URL": "demo", "CONSOLE_DATA_DIR": str(data_dir)}
    return environment | {"DATABASE_URL": f"sqlite:///{data_dir / 'console.sqlite'}"}


def run(*, sizes: Sizes, workdir: Path) -> Stage:
    """The demo's first starts, then first visits of the console (demo store already written) and of hello."""
    from playwright.sync_api import sync_playwright

    runs = sizes.first_visit_runs
    first_start, console, hello, hello_start = Samples(), Samples(), Samples(), Samples()
    logs = workdir / "first-visit"
    logs.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        warm = browser.new_context()  # the browser's own first page, untimed
        warm.new_page().goto("about:blank")
        warm.close()
        data_dir = workdir
        for k in range(runs):
            data_dir = Path(tempfile.mkdtemp(prefix="demo-", dir=workdir))
            with _served(["run", "app.py"], environment=_demo_environment(data_dir), log=logs / f"demo-{k}.log") as s:
                first_start.add(_rendered(browser, s, OVERVIEW_CONTENT) - s.launched_at)
        for k in range(runs):  # interleaved, so both see the same machine
            with _served(["run", "app.py"], environment=_demo_environment(data_dir), log=logs / f"app-{k}.log") as s:
                console.add(_visit(browser, s, OVERVIEW_CONTENT))
            with _served(["hello"], environment={}, log=logs / f"hello-{k}.log") as s:
                started = time.perf_counter()
                shown = _rendered(browser, s, HELLO_CONTENT)
                hello.add(shown - started)
                hello_start.add(shown - s.launched_at)
        browser.close()
    figures = [
        Figure("first_visit_s", console.median, console, unit="s"),
        Figure("hello_first_visit_s", hello.median, hello, unit="s"),
        Figure("first_visit_ratio", console.median / hello.median, target=FIRST_VISIT_RATIO_TARGET),
        Figure("demo_first_start_s", first_start.median, first_start, DEMO_FIRST_START_TARGET, "s"),
        # What the demo's first start is up against: hello, from its launch to its page in the same browser.
        Figure("hello_first_start_s", hello_start.median, hello_start, unit="s"),
    ]
    details = {
        "browser": CHROMIUM,
        "first_visit": "fresh browser context after the server is healthy: navigation to content shown, no script "
        "running (the overview's fleet table on the demo store; hello's welcome heading)",
        "demo_first_start": "process launch on an empty data folder to the overview's fleet table in the browser",
        "hello_first_start": "process launch of `streamlit hello` to its welcome heading in the same browser",
    }
    return Stage(figures, details)
