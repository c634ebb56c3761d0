"""/metrics: the values Prometheus reads come from the shared store, through prometheus_client's own exposition."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.routing import Route

from services.health.model import Severity
from services.store.engine import create_store_engine
from services.store.models import Alert, PollRun, WebhookDelivery, WebhookEvent
from services.templates.recording import observe_templates
from services.templates.state import TemplateState
from services.web import metrics
from tests.health_history import T0, WABA_ID, number, record, spam_limit
from tests.services.web.event_loop import run_apart

TOKEN = "metrics-token-for-tests"


def scrape(engine: Engine) -> dict[str, list[Sample]]:
    body, content_type = metrics.exposition(engine)
    assert content_type.startswith("text/plain")
    return {family.name: family.samples for family in text_string_to_metric_families(body.decode())}


def by_number(samples: list[Sample]) -> dict[str, float]:
    return {sample.labels["phone_number_id"]: sample.value for sample in samples}


def fill_fleet(session: Session) -> None:
    """Four numbers of one WABA: green and sending, yellow and limited, red and blocked, unrated and unreported."""
    record(
        session,
        [
            (
                T0,
                [
                    number("301", "GREEN"),
                    number("302", "YELLOW", can_send="LIMITED", problems=(spam_limit("302"),)),
                    number("303", "RED", status="BANNED", can_send="BLOCKED"),
                    number("304", "NA", status="PENDING", can_send="UNKNOWN"),
                ],
            )
        ],
    )


def add_cycles(session: Session, *statuses: str) -> None:
    for minute, status in enumerate(statuses):
        started = T0 + timedelta(minutes=5 * minute)
        finished = None if status == "running" else started + timedelta(seconds=3)
        session.add(PollRun(started_at=started, finished_at=finished, status=status))
    session.commit()


def add_events(session: Session, *kinds: tuple[str, str]) -> None:
    delivery = WebhookDelivery(body_sha256=hashlib.sha256(repr(kinds).encode()).hexdigest(), body="{}")
    session.add(delivery)
    session.flush()
    assert delivery.id is not None
    for index, (field, outcome) in enumerate(kinds):
        key = hashlib.sha256(f"{field}:{index}".encode()).hexdigest()
        event = WebhookEvent(
            delivery_id=delivery.id, event_key=key, field=field, value={}, summary=field, outcome=outcome
        )
        session.add(event)
    session.commit()


def test_each_number_is_exported_with_its_quality_can_send_and_severity(
    store_engine: Engine, store_session: Session
) -> None:
    fill_fleet(store_session)
    families = scrape(store_engine)

    quality = families["whatsapp_phone_number_quality_rating"]
    assert by_number(quality) == {"301": 3.0, "302": 2.0, "303": 1.0, "304": 0.0}
    first = next(sample for sample in quality if sample.labels["phone_number_id"] == "301")
    assert first.labels == {"phone_number_id": "301", "waba_id": WABA_ID, "display_phone_number": "+1 631-555-0101"}
    # An unreported number has no can-send sample, so `can_send < 1` alerts only on what Meta reported.
    assert by_number(families["whatsapp_phone_number_can_send"]) == {"301": 1.0, "302": 0.5, "303": 0.0}
    assert by_number(families["whatsapp_phone_number_health_severity"]) == {
        "301": Severity.OK.value,
        "302": Severity.AT_RISK.value,
        "303": Severity.BLOCKED.value,
        "304": Severity.AT_RISK.value,  # pending registration
    }


def test_poll_cycles_are_counted_by_how_they_ended_and_the_last_success_is_a_timestamp(
    store_engine: Engine, store_session: Session
) -> None:
    add_cycles(store_session, "ok", "failed", "ok", "partial", "failed", "running")
    families = scrape(store_engine)

    cycles = {sample.labels["status"]: sample.value for sample in families["console_poll_cycles"]}
    assert cycles == {"ok": 2.0, "partial": 1.0, "failed": 2.0}
    assert {sample.name for sample in families["console_poll_cycles"]} == {"console_poll_cycles_total"}
    # The second "ok" started at T0 + 10 min and took 3 s; the partial and failed ones after it do not count.
    (last,) = families["console_poll_last_success_timestamp_seconds"]
    assert last.value == (T0 + timedelta(minutes=10, seconds=3)).timestamp()


def test_webhook_events_are_counted_by_field_and_outcome(store_engine: Engine, store_session: Session) -> None:
    add_events(
        store_session,
        ("account_update", "applied"),
        ("account_update", "applied"),
        ("phone_number_quality_update", "applied"),
        ("message_template_status_update", "stored"),
        ("something_new", "unknown_field"),
    )
    samples = scrape(store_engine)["console_webhook_events"]
    counts = {(s.labels["field"], s.labels["outcome"]): s.value for s in samples}
    assert counts == {
        ("account_update", "applied"): 2.0,
        ("phone_number_quality_update", "applied"): 1.0,
        ("message_template_status_update", "stored"): 1.0,
        ("something_new", "unknown_field"): 1.0,
    }
    assert {sample.name for sample in samples} == {"console_webhook_events_total"}


def test_an_empty_store_exports_zero_cycles_no_last_success_and_no_webhook_series(store_engine: Engine) -> None:
    families = scrape(store_engine)
    assert {s.labels["status"]: s.value for s in families["console_poll_cycles"]} == {
        "ok": 0.0,
        "partial": 0.0,
        "failed": 0.0,
    }
    assert families["console_poll_last_success_timestamp_seconds"] == []
    assert families["console_webhook_events"] == []
    assert families["whatsapp_phone_number_quality_rating"] == []


def test_two_replicas_on_one_store_answer_the_same(
    store_url: str, store_engine: Engine, store_session: Session
) -> None:
    fill_fleet(store_session)
    add_cycles(store_session, "ok")
    other_replica = create_store_engine(store_url)
    try:
        assert metrics.exposition(other_replica) == metrics.exposition(store_engine)
    finally:
        other_replica.dispose()


def test_openmetrics_is_served_when_prometheus_asks_for_it(store_engine: Engine) -> None:
    body, content_type = metrics.exposition(store_engine, "application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text")
    assert body.decode().endswith("# EOF\n")


@pytest.mark.parametrize(
    ("header", "allowed"),
    [
        (f"Bearer {TOKEN}", True),
        (f"bearer {TOKEN}", True),
        ("", False),
        (f"Basic {TOKEN}", False),
        ("Bearer wrong", False),
        (f"Bearer {TOKEN}x", False),
        (TOKEN, False),
    ],
)
def test_the_bearer_token_is_required_once_it_is_set(header: str, allowed: bool) -> None:
    assert metrics.authorised(header, TOKEN) is allowed
    assert metrics.authorised(header, None) is True


Scrape = Callable[..., httpx.Response]


@pytest.fixture
def metrics_client(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Scrape]:
    """GET /metrics of the route on the console's settings: this test's store, METRICS_TOKEN set."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("METRICS_TOKEN", TOKEN)
    metrics._settings.cache_clear()
    app = Starlette(routes=[Route(metrics.METRICS_PATH, metrics.metrics)])

    async def get(headers: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console") as client:
            return await client.get(metrics.METRICS_PATH, headers=headers)

    yield lambda **headers: run_apart(get(headers))
    metrics._settings.cache_clear()
    metrics._engine.cache_clear()


def test_the_route_refuses_a_scrape_without_the_token(metrics_client: Scrape) -> None:
    refused = metrics_client()
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert TOKEN not in refused.text
    assert metrics_client(Authorization="Bearer nope").status_code == 401

    answered = metrics_client(Authorization=f"Bearer {TOKEN}")
    assert answered.status_code == 200
    assert answered.headers["content-type"].startswith("text/plain")
    names = {family.name for family in text_string_to_metric_families(answered.text)}
    assert "whatsapp_phone_number_can_send" in names


def test_the_route_answers_503_while_the_store_is_gone(metrics_client: Scrape, database_url: str) -> None:
    path = Path(database_url.removeprefix("sqlite:///"))
    path.rename(path.with_suffix(".away"))
    gone = metrics_client(Authorization=f"Bearer {TOKEN}")
    assert gone.status_code == 503
    assert not path.exists(), "a scrape must never create an empty store in place of the missing one"


def test_alerts_not_resolved_are_counted_by_severity(store_session: Session, store_engine: Engine) -> None:
    def alert(subject: str, severity: str, state: str = "open") -> Alert:
        return Alert(
            rule="waba_banned", subject_kind="waba", subject_id=subject, severity=severity, state=state, title="t"
        )

    assert {s.labels["severity"]: s.value for s in scrape(store_engine)["console_alerts_open"]} == {
        "critical": 0.0,
        "warning": 0.0,
        "info": 0.0,
    }
    store_session.add_all(
        [
            alert("1", "critical"),
            alert("2", "critical", "acknowledged"),
            alert("3", "warning", "snoozed"),
            alert("4", "critical", "resolved"),
            alert("5", "info", "resolved"),
        ]
    )
    store_session.commit()
    assert {s.labels["severity"]: s.value for s in scrape(store_engine)["console_alerts_open"]} == {
        "critical": 2.0,
        "warning": 1.0,
        "info": 0.0,
    }


def test_each_template_is_exported_with_its_quality_and_status(store_session: Session, store_engine: Engine) -> None:
    fill_fleet(store_session)  # the WABA the templates belong to
    templates = [
        TemplateState("71", "spring_sale", "en_US", "MARKETING", "PAUSED", "RED", "FIRST_PAUSE"),
        TemplateState("72", "order_update", "pt_BR", "UTILITY", "APPROVED", "GREEN"),
        TemplateState("73", "login_code", "zh_CN", "AUTHENTICATION", "PENDING"),
    ]
    observe_templates(session=store_session, waba_id=WABA_ID, templates=templates, at=T0, poll_interval_s=900)
    store_session.commit()
    families = scrape(store_engine)

    quality = {s.labels["template_id"]: s.value for s in families["whatsapp_template_quality"]}
    assert quality == {"71": 1.0, "72": 3.0, "73": 0.0}
    statuses = {(s.labels["template_id"], s.labels["status"]): s.value for s in families["whatsapp_template_status"]}
    assert statuses == {("71", "PAUSED"): 1.0, ("72", "APPROVED"): 1.0, ("73", "PENDING"): 1.0}
    [paused] = [s for s in families["whatsapp_template_status"] if s.labels["template_id"] == "71"]
    assert paused.labels == {
        "template_id": "71",
        "name": "spring_sale",
        "language": "en_US",
        "waba_id": WABA_ID,
        "status": "PAUSED",
    }


def test_the_template_series_are_bounded_worst_first(
    store_session: Session, store_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_fleet(store_session)
    templates = [TemplateState(f"8{i}", f"offer_{i}", "es", "MARKETING", "APPROVED", "GREEN") for i in range(5)]
    templates.append(TemplateState("99", "zz_paused", "es", "MARKETING", "PAUSED", "RED"))
    observe_templates(session=store_session, waba_id=WABA_ID, templates=templates, at=T0, poll_interval_s=900)
    store_session.commit()
    monkeypatch.setattr(metrics, "MAX_TEMPLATE_SERIES", 3)
    shown = [s.labels["template_id"] for s in scrape(store_engine)["whatsapp_template_status"]]
    assert shown == ["99", "80", "81"]


def test_the_severity_help_stays_english_while_a_reader_speaks_chinese() -> None:
    from services.language.current import speaking
    from services.language.languages import CHINESE
    from services.web.metrics import _severity_help

    with speaking(CHINESE):
        assert _severity_help() == "0 blocked, 1 at risk, 2 watch, 3 unknown, 4 ok"
