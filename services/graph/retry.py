"""Which Graph errors are worth another try, and how long to wait before it (exponential backoff with jitter)."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import TypeVar

from services.graph.errors import GraphError, RateLimited

# A longer rate-limit wait is the caller's to show ("retry after N minutes") or to back off from; we never sit on it.
SHORT_WAIT_S = 60.0
BASE_DELAY_S = 0.5
MAX_DELAY_S = 8.0

log = logging.getLogger(__name__)
T = TypeVar("T")


def retryable(error: GraphError, *, longest_wait_s: float = SHORT_WAIT_S) -> bool:
    """Transient errors, except a rate limit that asks for a longer wait than the caller will sit out."""
    if isinstance(error, RateLimited):
        return error.retry_after_s is None or error.retry_after_s <= longest_wait_s
    return error.transient


def backoff_s(attempt: int, error: GraphError, *, jitter: Callable[[], float] = random.random) -> float:
    """Seconds before retry number `attempt + 1`: 0.5, 1, 2, 4, 8 s (+ up to half again), or Meta's short wait."""
    delay = min(MAX_DELAY_S, BASE_DELAY_S * 2**attempt) * (1.0 + 0.5 * jitter())
    if isinstance(error, RateLimited) and error.retry_after_s:
        return max(delay, error.retry_after_s)
    return delay


def with_retries(
    attempt: Callable[[], T],
    *,
    max_retries: int,
    sleep: Callable[[float], None],
    what: str,
    longest_wait_s: float = SHORT_WAIT_S,
) -> T:
    """`attempt()` again after each retryable GraphError, at most `max_retries` times; the last error is raised.

    A wait longer than `longest_wait_s` is never slept out: the error is raised for the caller to back off.
    """
    retries = 0
    while True:
        try:
            return attempt()
        except GraphError as error:
            if retries >= max_retries or not retryable(error, longest_wait_s=longest_wait_s):
                raise
            delay = backoff_s(retries, error)
            if delay > longest_wait_s:
                raise
            retries += 1
            log.debug("GET %s %s; retry %d of %d in %.1f s", what, error.kind, retries, max_retries, delay)
            sleep(delay)
