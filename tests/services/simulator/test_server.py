"""Serving over real HTTP: serve(), concurrency, close(), and `python -m services.simulator`."""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from services.simulator import ManualClock, Simulator, serve
from tests.services.simulator.conftest import ANCHOR

ROOT = Path(__file__).resolve().parents[3]
AUTH = {"Authorization": "Bearer EAADEMOTOKEN"}


def test_serve_on_a_free_port_and_close() -> None:
    simulator = Simulator(clock=ManualClock(ANCHOR), anchor=ANCHOR)
    with serve(simulator) as running:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", running.url)
        assert httpx.get(f"{running.url}/v24.0/3000000000000101", headers=AUTH).status_code == 200
        url = running.url
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/_simulator/health", timeout=2)


def test_concurrent_requests_are_all_answered_and_counted(graph_simulator_url: str) -> None:
    paths = [f"/v24.0/30000000000001{i % 8 + 1:02d}" for i in range(40)]
    with httpx.Client(base_url=graph_simulator_url, headers=AUTH, timeout=10) as http:
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda path: http.get(path).status_code, paths))
        assert statuses == [200] * 40
        assert http.get("/_simulator/requests").json()["count"] == 40


def test_command_line_serves_a_scale_portfolio() -> None:
    command = [sys.executable, "-m", "services.simulator", "--port", "0", "--wabas", "3", "--numbers-per-waba", "120"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline())
        assert url is not None
        with httpx.Client(base_url=url.group(0), headers={"Authorization": "Bearer EAASCALETOKEN"}, timeout=10) as http:
            wabas = http.get("/v24.0/1000000000000009/owned_whatsapp_business_accounts").json()["data"]
            assert len(wabas) == 3
            numbers = http.get(f"/v24.0/{wabas[0]['id']}/phone_numbers", params={"limit": 100}).json()
            assert len(numbers["data"]) == 100 and "next" in numbers["paging"]
            assert http.get("/v24.0/3000000000000101").status_code == 400  # the demo is not this token's
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_command_line_refuses_half_a_scale_portfolio() -> None:
    command = [sys.executable, "-m", "services.simulator", "--wabas", "3"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--numbers-per-waba" in result.stderr
