"""/healthz: the store's state, the poller lease holder and the age of the last good cycle, from the store itself."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.routing import Route

from services.poller import lease as poller_lease
from services.store.models import PollRun
from services.web import health_check
from tests.e2e.servers import free_port
from tests.health_history import T0
from tests.services.web.event_loop import run_apart

NOW = T0 + timedelta(minutes=30)


def test_a_store_that_answers_is_healthy_with_the_lease_holder_and_the_last_success_age(
    store_url: str, store_engine: Engine, store_session: Session
) -> None:
    store_session.add(PollRun(started_at=T0, finished_at=T0 + timedelta(seconds=4), status="ok"))
    store_session.add(
        PollRun(started_at=T0 + timedelta(minutes=5), finished_at=T0 + timedelta(minutes=6), status="failed")
    )
    store_session.commit()
    poller_lease.acquire(engine=store_engine, holder="poller@host-a:41:cafe", ttl=timedelta(minutes=1), now=NOW)

    report = health_check.check(store_url, now=NOW)

    assert report.healthy
    assert report.as_json() == {
        "status": "ok",
        "store": {"state": "ok", "problem": None},
        "poller": {"lease_holder": "poller@host-a:41:cafe", "lease_expires_at": "2025-11-20T12:31:00+00:00"},
        "last_successful_cycle": {"finished_at": "2025-11-20T12:00:04+00:00", "age_seconds": 1796.0},
        "checked_at": "2025-11-20T12:30:00+00:00",
    }


def test_an_expired_lease_and_no_successful_cycle_read_as_nobody_and_never(
    store_url: str, store_engine: Engine
) -> None:
    poller_lease.acquire(engine=store_engine, holder="gone", ttl=timedelta(minutes=1), now=NOW - timedelta(minutes=2))
    body = health_check.check(store_url, now=NOW).as_json()
    assert body["poller"] == {"lease_holder": None, "lease_expires_at": None}
    assert body["last_successful_cycle"] == {"finished_at": None, "age_seconds": None}


def test_a_missing_sqlite_file_is_unreachable_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "moved away.sqlite"
    report = health_check.check(f"sqlite:///{path}", now=NOW)
    assert not report.healthy
    assert report.as_json()["status"] == "unavailable"
    assert report.store_problem is not None and "cannot open the database file" in report.store_problem
    assert not path.exists()


def test_a_postgresql_that_refuses_connections_is_unreachable_and_its_password_is_never_shown() -> None:
    url = f"postgresql+psycopg://console:s3cret-pw@127.0.0.1:{free_port()}/console"
    report = health_check.check(url, now=NOW)
    assert report.store_state == "unreachable"
    assert report.store_problem is not None and "refuses connections" in report.store_problem
    assert "s3cret-pw" not in repr(report.as_json())


@pytest.mark.parametrize(
    ("given", "probed"),
    [
        ("sqlite:////data/console.sqlite", "sqlite:///file:/data/console.sqlite?mode=rw&uri=true"),
        ("sqlite:////data/a b#1.sqlite", "sqlite:///file:/data/a%20b%231.sqlite?mode=rw&uri=true"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("postgresql+psycopg://u:p@db:5432/console", "postgresql+psycopg://u:p@db:5432/console?connect_timeout=5"),
        ("postgresql+psycopg://u@db/console?connect_timeout=2", "postgresql+psycopg://u@db/console?connect_timeout=2"),
    ],
)
def test_the_probe_never_creates_a_database_and_never_waits_long(given: str, probed: str) -> None:
    assert health_check.existing_store_url(given) == probed


def _get(app: Starlette) -> httpx.Response:
    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console") as client:
            return await client.get(health_check.HEALTH_PATH)

    return run_apart(call())


def test_the_route_answers_200_then_503_once_the_store_is_gone(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    health_check._settings.cache_clear()
    app = Starlette(routes=[Route(health_check.HEALTH_PATH, health_check.healthz)])
    try:
        healthy = _get(app)
        assert healthy.status_code == 200
        assert healthy.json()["store"]["state"] == "ok"
        assert healthy.headers["cache-control"] == "no-store"

        path = Path(database_url.removeprefix("sqlite:///"))
        path.rename(path.with_suffix(".away"))
        gone = _get(app)
        assert gone.status_code == 503
        assert gone.json()["store"]["state"] == "unreachable"
    finally:
        health_check._settings.cache_clear()
