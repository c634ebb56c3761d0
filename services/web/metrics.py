"""GET /metrics: the fleet's health and the console's own work, in Prometheus' text format.

Every value is read from the shared store when Prometheus scrapes, so every replica behind a load balancer answers
the same; nothing is counted in this process's memory. Each scrape builds a fresh registry holding one collector
over the store, and the exposition is `prometheus_client`'s own.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from sqlalchemy import Engine, func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from services.graph.types import CanSend, QualityRating
from services.health.model import Severity, assess_stored
from services.language.current import speaking
from services.language.languages import ENGLISH
from services.settings import Settings, load_settings
from services.store.engine import create_store_engine
from services.store.models import Alert, MessageTemplate, PhoneNumber, PollRun, WebhookEvent
from services.web.health_check import existing_store_url, last_success

METRICS_PATH = "/metrics"
NUMBER_LABELS = ("phone_number_id", "waba_id", "display_phone_number")
QUALITY_VALUES = {QualityRating.GREEN: 3.0, QualityRating.YELLOW: 2.0, QualityRating.RED: 1.0}  # else 0: not rated
# A number Meta has not reported on gets no can-send sample at all: an alert on `< 1` must not fire for it.
CAN_SEND_VALUES = {CanSend.AVAILABLE: 1.0, CanSend.LIMITED: 0.5, CanSend.BLOCKED: 0.0}
ALERT_SEVERITIES = ("critical", "warning", "info")
FINISHED_CYCLES = ("ok", "partial", "failed")  # a running cycle is counted once it ends
TEMPLATE_LABELS = ("template_id", "name", "language", "waba_id")
TEMPLATE_QUALITY_VALUES = {"GREEN": 3.0, "YELLOW": 2.0, "RED": 1.0}  # else 0: not rated
# A scrape carries at most this many templates, worst first, so a fleet with a large catalogue stays scrapable.
MAX_TEMPLATE_SERIES = 5000


def _severity_help() -> str:
    """Prometheus help text is read by people and tools alike: always English, whoever's language is current."""
    with speaking(ENGLISH):
        return ", ".join(f"{severity.value} {severity.label.lower()}" for severity in Severity)


SEVERITY_HELP = _severity_help()


class StoreCollector:
    """Reads the store at each collect(): the numbers' health, the poll cycles and the webhook events."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        with Session(self.engine) as session:
            yield from self._numbers(session)
            yield from self._poll_cycles(session)
            yield from self._webhook_events(session)
            yield from self._alerts(session)
            yield from self._templates(session)

    def _numbers(self, session: Session) -> Iterator[Metric]:
        quality = GaugeMetricFamily(
            "whatsapp_phone_number_quality_rating",
            "Meta's quality rating of the number: 3 green, 2 yellow, 1 red, 0 not rated.",
            labels=NUMBER_LABELS,
        )
        can_send = GaugeMetricFamily(
            "whatsapp_phone_number_can_send",
            "Whether the number can send (health_status): 1 available, 0.5 limited, 0 blocked; "
            "no sample while Meta has not reported it.",
            labels=NUMBER_LABELS,
        )
        severity = GaugeMetricFamily(
            "whatsapp_phone_number_health_severity",
            f"The console's verdict on the number, worst first: {SEVERITY_HELP}.",
            labels=NUMBER_LABELS,
        )
        for number in session.exec(select(PhoneNumber).order_by(col(PhoneNumber.id))):
            labels = [number.id, number.waba_id, number.display_phone_number]
            quality.add_metric(labels, QUALITY_VALUES.get(QualityRating.parse(number.quality_rating), 0.0))
            verdict = CanSend.parse(number.can_send)
            if verdict in CAN_SEND_VALUES:
                can_send.add_metric(labels, CAN_SEND_VALUES[verdict])
            severity.add_metric(labels, float(assess_stored(number).severity.value))
        yield from (quality, can_send, severity)

    def _poll_cycles(self, session: Session) -> Iterator[Metric]:
        cycles = CounterMetricFamily(
            "console_poll_cycles", "Poll cycles finished, by how they ended (ok, partial, failed).", labels=["status"]
        )
        by_status = select(PollRun.status, func.count()).where(col(PollRun.status) != "running")
        counts = {**dict.fromkeys(FINISHED_CYCLES, 0), **dict(session.exec(by_status.group_by(PollRun.status)).all())}
        for status, count in sorted(counts.items()):
            cycles.add_metric([status], float(count))
        last = GaugeMetricFamily(
            "console_poll_last_success_timestamp_seconds",
            "When the newest poll cycle that read every WABA without an error finished (Unix time); "
            "no sample before the first.",
        )
        succeeded = last_success(session)
        if succeeded is not None:
            last.add_metric([], succeeded.timestamp())
        yield from (cycles, last)

    def _webhook_events(self, session: Session) -> Iterator[Metric]:
        events = CounterMetricFamily(
            "console_webhook_events",
            "Webhook events recorded (each change once), by field and outcome (applied, stored, unknown_field).",
            labels=["field", "outcome"],
        )
        by_kind = select(WebhookEvent.field, WebhookEvent.outcome, func.count()).group_by(
            WebhookEvent.field, WebhookEvent.outcome
        )
        for field, outcome, count in sorted(session.exec(by_kind).all()):
            events.add_metric([field, outcome], float(count))
        yield events

    def _alerts(self, session: Session) -> Iterator[Metric]:
        alerts = GaugeMetricFamily(
            "console_alerts_open",
            "Alerts not resolved (open, acknowledged or snoozed), by severity: critical, warning, info.",
            labels=["severity"],
        )
        counts = dict.fromkeys(ALERT_SEVERITIES, 0)
        not_resolved = (
            select(Alert.severity, func.count()).where(col(Alert.state) != "resolved").group_by(Alert.severity)
        )
        for severity, count in session.exec(not_resolved).all():
            counts[severity] = count
        for severity, count in counts.items():  # every severity, so `> 0` alerts have a series to watch
            alerts.add_metric([severity], float(count))
        yield alerts

    def _templates(self, session: Session) -> Iterator[Metric]:
        quality = GaugeMetricFamily(
            "whatsapp_template_quality",
            "Meta's quality score of the message template: 3 green, 2 yellow, 1 red, 0 not rated.",
            labels=TEMPLATE_LABELS,
        )
        status = GaugeMetricFamily(
            "whatsapp_template_status",
            "The message template's status as Meta reports it (label `status`); always 1.",
            labels=(*TEMPLATE_LABELS, "status"),
        )
        columns = select(
            MessageTemplate.id,
            MessageTemplate.name,
            MessageTemplate.language,
            MessageTemplate.waba_id,
            MessageTemplate.quality_score,
            MessageTemplate.status,
        )
        worst_first = columns.order_by(
            col(MessageTemplate.severity), col(MessageTemplate.name), col(MessageTemplate.id)
        )
        for template_id, name, language, waba_id, score, state in session.exec(worst_first.limit(MAX_TEMPLATE_SERIES)):
            labels = [template_id, name, language, waba_id]
            quality.add_metric(labels, TEMPLATE_QUALITY_VALUES.get((score or "").upper(), 0.0))
            status.add_metric([*labels, state], 1.0)
        yield from (quality, status)


def exposition(engine: Engine, accept: str | None = None) -> tuple[bytes, str]:
    """One scrape: the text (OpenMetrics when `accept` asks for it) and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(engine))
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type


def authorised(authorization: str, token: str | None) -> bool:
    """No token set: anyone may scrape. Otherwise `Bearer <token>`, compared in constant time."""
    if not token:
        return True
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@functools.cache
def _settings() -> Settings:
    return load_settings()


@functools.cache
def _engine(database_url: str) -> Engine:
    return create_store_engine(existing_store_url(database_url))


async def metrics(request: Request) -> Response:
    """The exposition; 401 without the bearer token METRICS_TOKEN names, 503 while the store does not answer."""
    settings = _settings()
    if not authorised(request.headers.get("authorization", ""), getattr(settings, "metrics_token", None)):
        return PlainTextResponse(
            "401 Unauthorized", status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
        )
    try:
        body, content_type = await run_in_threadpool(
            exposition, _engine(settings.database_url), request.headers.get("accept")
        )
    except (SQLAlchemyError, OSError):
        return PlainTextResponse("503 The console's store does not answer; see /healthz.", status_code=503)
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})
