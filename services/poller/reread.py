"""Targeted re-reads: a webhook marks its WABA (`reread_requested_at`), and the poller reads it again soon.

The lease holder looks for marks every REREAD_CHECK_S while it waits for its next cycle and reads just
those WABAs; any cycle that read a WABA clears the marks made before it started.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from services.store.models import PollRun, WhatsAppBusinessAccount

log = logging.getLogger("services.poller")
REREAD_CHECK_S = 5.0
TRIGGER = "webhook"


def requested(*, engine: Engine) -> list[str]:
    """The WABAs a webhook asked to be read again, oldest request first."""
    query = select(WhatsAppBusinessAccount.id).where(col(WhatsAppBusinessAccount.reread_requested_at).is_not(None))
    with Session(engine) as session:
        return list(session.exec(query.order_by(col(WhatsAppBusinessAccount.reread_requested_at))))


def clear(*, session: Session, waba_ids: Collection[str], before: datetime) -> None:
    """Forget the requests a read starting at `before` answers; a later request stays (no commit)."""
    if not waba_ids:
        return
    answered = update(WhatsAppBusinessAccount).where(
        col(WhatsAppBusinessAccount.id).in_(list(waba_ids)),
        col(WhatsAppBusinessAccount.reread_requested_at) <= before,
    )
    session.exec(answered.values(reread_requested_at=None))  # type: ignore[call-overload]


def wait_watching(
    *,
    engine: Engine,
    stop: threading.Event,
    until: float,
    read: Callable[[list[str]], PollRun],
    check_s: float = REREAD_CHECK_S,
) -> list[PollRun]:
    """Wait until `until` (time.monotonic()) or `stop`, reading the WABAs webhooks mark meanwhile."""
    runs: list[PollRun] = []
    while not stop.is_set():
        left = until - time.monotonic()
        if left <= 0 or stop.wait(min(left, check_s)):
            break
        try:
            wanted = requested(engine=engine)
            if wanted:
                runs.append(read(wanted))
        except Exception:  # the next check, or the next cycle, reads them
            log.exception("a targeted re-read after a webhook failed; the next cycle reads every WABA")
    return runs
