"""Webhooks as Meta sends them: the envelope, the `X-Hub-Signature-256` signature, and a sender that retries.

The sender posts in order from one thread; a delivery answered with anything but 200 (or not answered) is tried
again after a backoff that doubles, up to a bounded number of attempts, as Meta retries a callback that fails.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import httpx

SIGNATURE_HEADER = "X-Hub-Signature-256"
OBJECT = "whatsapp_business_account"
USER_AGENT = "facebookexternalua"
OUTCOME_LOG_SIZE = 200
log = logging.getLogger(__name__)


def signature(body: bytes, app_secret: str) -> str:
    """The header value Meta sends: `sha256=` and the hex HMAC-SHA256 of the raw body with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(waba_id: str, changes: Iterable[tuple[str, dict[str, Any]]], at: datetime) -> dict[str, Any]:
    """Meta's envelope of one WABA's changes (`field`, `value`) at `at`."""
    entry = {
        "id": waba_id,
        "time": int(at.timestamp()),
        "changes": [{"value": value, "field": field} for field, value in changes],
    }
    return {"object": OBJECT, "entry": [entry]}


def encode(payload: dict[str, Any]) -> bytes:
    """The raw body: compact JSON, so the same envelope is always the same bytes (and the same signature)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def fields_of(payload: dict[str, Any]) -> list[str]:
    return [str(c.get("field")) for e in payload.get("entry", []) for c in e.get("changes", []) if isinstance(c, dict)]


@dataclass(frozen=True)
class Outcome:
    """How one delivery ended: delivered after `attempts`, or given up with the last answer."""

    sequence: int
    fields: tuple[str, ...]
    attempts: int
    delivered: bool
    last_answer: str  # "200", "500", or the transport error's name


class WebhookSender:
    """Posts signed envelopes to one callback URL from a background thread; `close()` stops it."""

    def __init__(
        self,
        url: str,
        app_secret: str,
        *,
        attempts: int = 6,
        first_retry_s: float = 1.0,
        max_retry_s: float = 60.0,
        timeout_s: float = 10.0,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be 1 or more")
        self.url = url
        self._secret = app_secret
        self._attempts, self._first_retry_s, self._max_retry_s = attempts, first_retry_s, max_retry_s
        self._timeout_s = timeout_s
        # Opened on the sender's own thread: its first TLS set-up costs a tenth of a second nobody should wait for.
        self._http: httpx.Client | None = None
        self._queue: queue.Queue[tuple[int, dict[str, Any]] | None] = queue.Queue()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sequence = 0
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._outcomes: deque[Outcome] = deque(maxlen=OUTCOME_LOG_SIZE)
        self._thread = threading.Thread(target=self._run, name="simulator-webhooks", daemon=True)

    def start(self) -> WebhookSender:
        self._thread.start()
        return self

    def send(self, payload: dict[str, Any]) -> int:
        """Queue one envelope for delivery; its sequence number."""
        with self._lock:
            self._sequence += 1
            self._pending += 1
            sequence = self._sequence
        self._queue.put((sequence, payload))
        return sequence

    def outcomes(self) -> list[Outcome]:
        """The most recent deliveries that ended, oldest first."""
        with self._lock:
            return list(self._outcomes)

    def outcomes_json(self) -> list[dict[str, Any]]:
        return [asdict(outcome) for outcome in self.outcomes()]

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until every queued delivery has ended (delivered or given up); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout_s)

    def close(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        if self._http is not None:
            self._http.close()

    def retry_delay_s(self, attempt: int) -> float:
        """The pause after failed attempt `attempt` (1-based): doubling from the first, capped."""
        return min(self._max_retry_s, self._first_retry_s * 2 ** (attempt - 1))

    def _run(self) -> None:
        http = self._http = httpx.Client(timeout=self._timeout_s, headers={"User-Agent": USER_AGENT})
        while not self._stop.is_set():
            item = self._queue.get()
            if item is None:
                break
            sequence, payload = item
            try:
                outcome = self._deliver(http, sequence, payload)
            except Exception:  # the thread must outlive one bad delivery
                log.exception("webhook delivery %d failed unexpectedly", sequence)
                outcome = Outcome(sequence, tuple(fields_of(payload)), 0, False, "error")
            with self._idle:
                self._outcomes.append(outcome)
                self._pending -= 1
                self._idle.notify_all()

    def _deliver(self, http: httpx.Client, sequence: int, payload: dict[str, Any]) -> Outcome:
        body = encode(payload)
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(body, self._secret)}
        fields = tuple(fields_of(payload))
        answer = ""
        for attempt in range(1, self._attempts + 1):
            try:
                answer = str(http.post(self.url, content=body, headers=headers).status_code)
            except httpx.HTTPError as exc:
                answer = type(exc).__name__
            if answer == "200":
                log.info("webhook %d (%s) delivered on attempt %d", sequence, ", ".join(fields), attempt)
                return Outcome(sequence, fields, attempt, True, answer)
            if attempt == self._attempts:
                break
            delay = self.retry_delay_s(attempt)
            log.warning(
                "webhook %d to %s answered %s (attempt %d of %d); retrying in %.2f s",
                sequence,
                self.url,
                answer,
                attempt,
                self._attempts,
                delay,
            )
            if self._stop.wait(delay):
                break
        log.error("webhook %d (%s) given up after %d attempts: last answer %s", sequence, fields, attempt, answer)
        return Outcome(sequence, fields, attempt, False, answer)
