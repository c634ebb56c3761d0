import pytest

from services.graph.errors import (
    BadParameter,
    GraphError,
    GraphServerError,
    GraphTimeout,
    GraphUnreachable,
    PermissionMissing,
    RateLimited,
    TokenExpired,
    TokenInvalid,
    UnreadableResponse,
)
from services.graph.retry import MAX_DELAY_S, backoff_s, retryable, with_retries


@pytest.mark.parametrize(
    "error",
    [
        GraphServerError("s"),
        GraphTimeout("s"),
        GraphUnreachable("s"),
        UnreadableResponse("s"),
        RateLimited("s", retry_after_s=60),
        RateLimited("s", retry_after_s=None),
    ],
)
def test_transient_errors_are_retried(error):
    assert retryable(error)


@pytest.mark.parametrize(
    "error",
    [
        TokenExpired("s"),
        TokenInvalid("s"),
        PermissionMissing("s"),
        BadParameter("s"),
        GraphError("s"),
        RateLimited("s", retry_after_s=61),
        RateLimited("s", retry_after_s=300),
    ],
)
def test_non_transient_errors_and_long_rate_limits_are_not(error):
    assert not retryable(error)


def test_backoff_doubles_and_is_capped():
    server = GraphServerError("s")
    assert [backoff_s(n, server, jitter=lambda: 0.0) for n in range(6)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        MAX_DELAY_S,
        MAX_DELAY_S,
    ]


def test_jitter_adds_up_to_half_the_delay():
    server = GraphServerError("s")
    assert backoff_s(2, server, jitter=lambda: 1.0) == 3.0
    samples = {backoff_s(1, server) for _ in range(50)}
    assert all(1.0 <= s <= 1.5 for s in samples) and len(samples) > 1


def test_short_rate_limit_waits_as_long_as_meta_asks():
    assert backoff_s(0, RateLimited("s", retry_after_s=60), jitter=lambda: 0.0) == 60
    assert backoff_s(0, RateLimited("s", retry_after_s=None), jitter=lambda: 0.0) == 0.5


def test_with_retries_retries_transient_errors_only():
    outcomes = [GraphServerError("s"), GraphTimeout("s"), "done"]
    sleeps: list[float] = []

    def attempt() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert with_retries(attempt, max_retries=3, sleep=sleeps.append, what="/v24.0/1") == "done"
    assert len(sleeps) == 2 and sleeps[0] < sleeps[1]

    calls = []

    def refused() -> str:
        calls.append(1)
        raise TokenInvalid("s")

    with pytest.raises(TokenInvalid):
        with_retries(refused, max_retries=3, sleep=sleeps.append, what="/v24.0/1")
    assert len(calls) == 1
