"""A template cycle: read the message templates of every reachable WABA that is due, and record them.

A WABA is due once its templates were last read TEMPLATE_POLL_INTERVAL_SECONDS ago (or never). Each is read
through the first credential that reaches it and works, one Graph call per 100 templates; everything read is
recorded, with the alerts it opens or clears, in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from services.alerts import lifecycle as alerts
from services.graph.errors import GraphError, RateLimited, TokenExpired, TokenInvalid
from services.poller.plan import plan_cycle
from services.runtime import Console
from services.settings import Settings
from services.store.models import WhatsAppBusinessAccount
from services.templates.recording import observe_templates
from services.templates.state import GRAPH_FIELDS, TemplateState, from_graph

DEMO_INTERVAL_S = 300  # the demo shows its scripted template changes within minutes
LONGEST_WAIT_S = 5.0
CREDENTIAL_FAILURES = (TokenExpired, TokenInvalid, RateLimited)
log = logging.getLogger(__name__)


@dataclass
class TemplateRun:
    """What one template cycle did: WABAs read, templates seen and changed, Graph calls, failures in words."""

    started_at: datetime
    wabas_due: int = 0
    wabas_read: int = 0
    templates_seen: int = 0
    templates_changed: int = 0
    graph_calls: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # {waba_id, credential_id, kind, sentence}


def template_interval_of(settings: Settings) -> int:
    """Seconds between reads of one WABA's templates: TEMPLATE_POLL_INTERVAL_SECONDS (at most 5 minutes in demo)."""
    interval = settings.template_poll_interval_seconds
    return min(interval, DEMO_INTERVAL_S) if settings.demo else interval


def _due(session: Session, *, reachable: Sequence[str], now: datetime, interval_s: int) -> list[str]:
    cutoff = now - timedelta(seconds=interval_s)
    polled = col(WhatsAppBusinessAccount.templates_polled_at)
    query = (
        select(WhatsAppBusinessAccount.id)
        .where(col(WhatsAppBusinessAccount.id).in_(list(reachable)))
        .where(polled.is_(None) | (polled <= cutoff))
        .order_by(polled.is_(None).desc(), polled, col(WhatsAppBusinessAccount.id))  # never read first, then oldest
    )
    return list(session.exec(query))


def run_template_cycle(*, console: Console, now: datetime, only: Sequence[str] | None = None) -> TemplateRun:
    """Read and record the templates of every due WABA (or of `only`, due or not); never raises for Graph errors."""
    run = TemplateRun(started_at=now)
    interval = template_interval_of(console.settings)
    with Session(console.engine) as session:
        plan = plan_cycle(session=session, vault=console.vault, now=now)
        reachable = [w for w in plan.candidates if only is None or w in only]
        due = reachable if only is not None else _due(session, reachable=reachable, now=now, interval_s=interval)
    run.wabas_due = len(due)
    if not due:
        return run
    graph = console.graph.sharing(longest_wait_s=LONGEST_WAIT_S)
    failed: set[int] = set()
    read: dict[str, list[TemplateState]] = {}
    for waba_id in due:
        for credential_id in plan.candidates[waba_id]:
            if credential_id in failed:
                continue
            try:
                read[waba_id] = graph.message_templates(
                    plan.tokens[credential_id], waba_id, fields=GRAPH_FIELDS, convert=from_graph
                )
                break
            except GraphError as error:
                if isinstance(error, CREDENTIAL_FAILURES):
                    failed.add(credential_id)
                entry = {"waba_id": waba_id, "credential_id": credential_id, "kind": error.kind}
                run.errors.append(entry | {"sentence": error.sentence})
    run.graph_calls = graph.calls
    with Session(console.engine) as session:
        for waba_id, templates in read.items():
            run.templates_changed += observe_templates(
                session=session, waba_id=waba_id, templates=templates, at=now, poll_interval_s=interval
            )
            run.templates_seen += len(templates)
            account = session.get(WhatsAppBusinessAccount, waba_id)
            if account is not None:
                account.templates_polled_at = now
                session.add(account)
        run.wabas_read = len(read)
        alerts.evaluate(session, now=now, poll_interval_s=console.settings.poll_interval_seconds)
        session.commit()
    log.info(
        "template cycle: %d of %d due WABAs read, %d templates (%d changed), %d Graph calls, %d errors",
        run.wabas_read,
        run.wabas_due,
        run.templates_seen,
        run.templates_changed,
        run.graph_calls,
        len(run.errors),
    )
    return run
