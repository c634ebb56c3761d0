"""Reading a cycle's WABAs from the Graph API: each once, on a few threads, through the first token that works.

A WABA reached by several credentials is read through the first usable one; if that token fails,
the next one is tried. A token that fails for good (expired, invalid, rate-limited) is not used
again in the cycle. Meta's longer waits are never slept out here: the credential is skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime

from services.graph.client import GraphClient
from services.graph.errors import GraphError, RateLimited, TokenExpired, TokenInvalid
from services.graph.types import AccountHealth, PhoneNumberHealth
from services.poller.backoff import UsageWatch
from services.poller.plan import Plan

# Calls in flight: enough to hide network latency (8 beat 3, 4 and 6 on 2 cores), far below Meta's limits.
WORKERS = 8
# Short waits (a retried server error) are slept inside the cycle; a longer one skips the credential instead.
LONGEST_WAIT_IN_CYCLE_S = 5.0
# A missing permission or an unknown WABA concerns one WABA only: the token may still read its others.
CREDENTIAL_FAILURES = (TokenExpired, TokenInvalid, RateLimited)


def cycle_client(shared: GraphClient) -> tuple[GraphClient, UsageWatch]:
    """A GraphClient on the shared connection pool with its own call count, usage watch and short waits."""
    watch = UsageWatch()
    return shared.sharing(longest_wait_s=LONGEST_WAIT_IN_CYCLE_S, on_response=watch.note), watch


@dataclass
class Outcome:
    """What reading one WABA gave: its numbers (None if no token could read it) and each failure on the way."""

    waba_id: str
    at: datetime
    numbers: list[PhoneNumberHealth] | None = None
    account: AccountHealth | None = None
    credential_id: int | None = None
    failures: list[tuple[int, GraphError]] = field(default_factory=list)


class Reader:
    """Reads WABAs (thread-safe), remembering which credentials failed for good."""

    def __init__(self, plan: Plan, graph: GraphClient, clock: Callable[[], datetime]) -> None:
        self.plan, self.graph, self.clock = plan, graph, clock
        self.failed: dict[int, GraphError] = {}  # credential id -> its first credential-level failure

    def read(self, waba_id: str) -> Outcome:
        outcome = Outcome(waba_id=waba_id, at=self.clock())
        for credential_id in self.plan.candidates[waba_id]:
            if credential_id in self.failed:
                outcome.failures.append((credential_id, self.failed[credential_id]))
                continue
            try:
                # One expanded read: the WABA's own health and its numbers' (more calls only for more pages).
                outcome.account = self.graph.account_health(self.plan.tokens[credential_id], waba_id)
                outcome.numbers = list(outcome.account.numbers)
            except GraphError as failure:
                error = failure
            else:
                outcome.credential_id, outcome.at = credential_id, self.clock()
                return outcome
            outcome.failures.append((credential_id, error))
            if isinstance(error, CREDENTIAL_FAILURES):
                self.failed.setdefault(credential_id, error)
            elif error.transient:
                return outcome  # Meta (or the network) is down for this WABA; another token would not help
        return outcome

    def start(self, waba_ids: list[str], *, workers: int = WORKERS) -> list[Future[Outcome]]:
        """Start reading the WABAs on the long-lived pool; each outcome arrives in its future."""
        pool = _pool(workers)
        return [pool.submit(self.read, waba_id) for waba_id in waba_ids]

    def read_all(self, waba_ids: list[str], *, workers: int = WORKERS) -> Iterator[Outcome]:
        """Each WABA's outcome as soon as it is in (in order when `workers` is 1)."""
        if workers <= 1 or len(waba_ids) <= 1:
            yield from (self.read(waba_id) for waba_id in waba_ids)
            return
        for future in as_completed([_pool(workers).submit(self.read, waba_id) for waba_id in waba_ids]):
            yield future.result()


_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(workers: int) -> ThreadPoolExecutor:
    """One long-lived pool per size: starting threads anew each cycle cost more than a cycle's store writes."""
    with _pools_lock:
        if workers not in _pools:
            _pools[workers] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="poll")
        return _pools[workers]
