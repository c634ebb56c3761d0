"""The demo's credentials and 35 days of history, written into the browser tests' store before the console starts.

A console that has polled for weeks is what the pages are for (and what the screenshots should show), but
weeks cannot pass during a test. `services.demo.bootstrap` already writes exactly that past through the real
Graph client, `credentials.connect` and the poller's `run_cycle`, against a twin simulator on a stepped clock;
here the twin gets the served simulator's anchor, so the past it writes is the one that simulator serves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from services import demo
from services.access.vault import TokenVault
from services.runtime import Console, open_store
from services.settings import DEMO, Settings
from services.simulator import Simulator

# The demo token was issued 15 days before the simulator's anchor (services/simulator/demo.py).
_ISSUED_BEFORE_ANCHOR = timedelta(days=15)


def simulator_anchor(simulator_url: str, *, version: str) -> datetime:
    """The served simulator's anchor, read back from the demo token's issue time."""
    response = httpx.get(
        f"{simulator_url}/{version}/debug_token",
        params={"input_token": demo.DEMO_TOKEN},
        headers={"Authorization": f"Bearer {demo.DEMO_TOKEN}"},
        timeout=10.0,
    )
    response.raise_for_status()
    return datetime.fromtimestamp(response.json()["data"]["issued_at"], UTC) + _ISSUED_BEFORE_ANCHOR


def write_demo_history(*, database_url: str, secret_key: str, simulator_url: str, version: str) -> None:
    """Store the demo credentials and poll 35 days of the served simulator's past into `database_url`."""
    # bootstrap() only runs for a demo console: this one is, with the served simulator's twin as its simulator.
    settings = Settings(
        database_url=database_url,
        graph_api_url=DEMO,
        graph_api_version=version,
        secret_key=secret_key,
        poll_interval_seconds=3600,
        data_dir=Path(database_url.split("///", 1)[-1]).parent / "data",
    )
    engine = open_store(settings)
    console = Console(
        settings=settings,
        engine=engine,
        graph=None,  # type: ignore[arg-type]  # bootstrap() brings its own client for the twin
        vault=TokenVault(secret_key.encode()),
        clock=lambda: datetime.now(UTC),
        simulator=Simulator(anchor=simulator_anchor(simulator_url, version=version)),
    )
    try:
        demo.bootstrap(console)
    finally:
        engine.dispose()
