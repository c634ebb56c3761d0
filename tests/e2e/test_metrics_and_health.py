"""/metrics and /healthz over real HTTP from `streamlit run app.py`, beside Streamlit's own routes.

A console of its own (METRICS_TOKEN set, on a SQLite file of its own) serves this module: its store holds four
numbers, three finished poll cycles, a poller lease and two webhook events, written before it starts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from services.poller import lease as poller_lease
from services.store.engine import create_store_engine
from services.store.migrate import upgrade_to_head
from services.store.models import PollRun, WebhookDelivery, WebhookEvent
from services.store.types import utcnow
from tests.e2e.servers import Process, start_console
from tests.health_history import number, record

pytestmark = pytest.mark.e2e
TOKEN = "e2e-metrics-token-4f1c"
HOLDER = "poller@e2e-host:4242:beefcafe"


@dataclass
class MetricsConsole:
    server: Process
    store: Path


def _fill(database_url: str) -> None:
    engine = create_store_engine(database_url)
    try:
        upgrade_to_head(engine)
        now = utcnow()
        with Session(engine) as session:
            numbers = [
                number("301", "GREEN"),
                number("302", "YELLOW", can_send="LIMITED"),
                number("303", "RED", can_send="BLOCKED"),
                number("304", "NA", can_send="UNKNOWN"),
            ]
            record(session, [(now - timedelta(minutes=10), numbers)])
            for minutes_ago, status in ((30, "ok"), (20, "failed"), (10, "ok")):
                started = now - timedelta(minutes=minutes_ago)
                session.add(PollRun(started_at=started, finished_at=started + timedelta(seconds=2), status=status))
            delivery = WebhookDelivery(body_sha256=hashlib.sha256(b"e2e").hexdigest(), body="{}")
            session.add(delivery)
            session.flush()
            assert delivery.id is not None
            for key, field in (("a", "account_update"), ("b", "phone_number_quality_update")):
                session.add(
                    WebhookEvent(
                        delivery_id=delivery.id,
                        event_key=hashlib.sha256(key.encode()).hexdigest(),
                        field=field,
                        value={},
                        summary=field,
                        outcome="applied",
                    )
                )
            session.commit()
        poller_lease.acquire(engine=engine, holder=HOLDER, ttl=timedelta(hours=2), now=now)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def metrics_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MetricsConsole]:
    folder = tmp_path_factory.mktemp("metrics-console")
    store = folder / "console.sqlite"
    _fill(f"sqlite:///{store}")
    env = {
        "DATABASE_URL": f"sqlite:///{store}",
        "GRAPH_API_URL": "http://127.0.0.1:9",  # no Graph API: nothing here polls
        "CONSOLE_SECRET_KEY": Fernet.generate_key().decode(),
        "CONSOLE_DATA_DIR": str(folder / "data"),
        "METRICS_TOKEN": TOKEN,
    }
    server = start_console(folder, env)
    yield MetricsConsole(server=server, store=store)
    server.stop()


def _metrics(console: MetricsConsole, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.get(f"{console.server.url}/metrics", headers=headers, timeout=10.0)


def _healthz(console: MetricsConsole) -> httpx.Response:
    return httpx.get(f"{console.server.url}/healthz", timeout=10.0)


def test_metrics_parse_as_prometheus_text_with_the_stores_values(metrics_console: MetricsConsole) -> None:
    response = _metrics(metrics_console, {"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = {family.name: family for family in text_string_to_metric_families(response.text)}

    quality = families["whatsapp_phone_number_quality_rating"]
    assert quality.type == "gauge"
    assert {s.labels["phone_number_id"]: s.value for s in quality.samples} == {
        "301": 3.0,
        "302": 2.0,
        "303": 1.0,
        "304": 0.0,
    }
    assert {s.labels["display_phone_number"] for s in quality.samples} >= {"+1 631-555-0101"}
    can_send = families["whatsapp_phone_number_can_send"]
    assert {s.labels["phone_number_id"]: s.value for s in can_send.samples} == {"301": 1.0, "302": 0.5, "303": 0.0}

    cycles = families["console_poll_cycles"]
    assert cycles.type == "counter"
    assert {s.labels["status"]: s.value for s in cycles.samples} == {"ok": 2.0, "failed": 1.0, "partial": 0.0}
    (last,) = families["console_poll_last_success_timestamp_seconds"].samples
    assert 0 < utcnow().timestamp() - last.value < 15 * 60
    events = families["console_webhook_events"]
    assert {(s.labels["field"], s.labels["outcome"]): s.value for s in events.samples} == {
        ("account_update", "applied"): 1.0,
        ("phone_number_quality_update", "applied"): 1.0,
    }


def test_metrics_want_the_bearer_token(metrics_console: MetricsConsole) -> None:
    assert _metrics(metrics_console).status_code == 401
    assert _metrics(metrics_console, {"Authorization": "Bearer not-the-token"}).status_code == 401
    assert _metrics(metrics_console, {"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert _metrics(metrics_console, {"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert TOKEN not in metrics_console.server.log_text()


def test_healthz_turns_503_while_the_store_is_moved_away_and_200_once_it_is_back(
    metrics_console: MetricsConsole,
) -> None:
    healthy = _healthz(metrics_console)
    assert healthy.status_code == 200
    body = healthy.json()
    assert body["status"] == "ok" and body["store"]["state"] == "ok"
    assert body["poller"]["lease_holder"] == HOLDER
    assert 0 < body["last_successful_cycle"]["age_seconds"] < 15 * 60

    store = metrics_console.store
    away = store.with_name("console.sqlite.away")
    store.rename(away)
    try:
        gone = _healthz(metrics_console)
        assert gone.status_code == 503
        assert gone.json()["status"] == "unavailable"
        assert gone.json()["store"]["state"] == "unreachable"
        assert "cannot open the database file" in gone.json()["store"]["problem"]
        assert not store.exists(), "the health check must not create an empty store in place of the missing one"
    finally:
        away.rename(store)

    back = _healthz(metrics_console)
    assert back.status_code == 200
    assert back.json()["poller"]["lease_holder"] == HOLDER
