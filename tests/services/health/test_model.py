"""The one severity table: every value Meta documents, and unknown ones, judged safely."""

from __future__ import annotations

import pytest

from services.graph.types import PHONE_STATUSES, CanSend, HealthProblem
from services.health.model import STATUSES, Severity, assess, assess_account, status_meaning
from services.health.vocabulary import LIMITS, can_send_words, limit_words, status_words, throughput_words

PAYMENT = HealthProblem("WABA", "2000000000000012", CanSend.BLOCKED, 141006, "Payment method problem.", "Fix it.")


@pytest.mark.parametrize(
    ("can_send", "problems", "status", "severity"),
    [
        ("BLOCKED", (PAYMENT,), "CONNECTED", Severity.BLOCKED),
        ("LIMITED", (), "CONNECTED", Severity.AT_RISK),
        ("AVAILABLE", (), "BANNED", Severity.BLOCKED),
        ("AVAILABLE", (), "DISCONNECTED", Severity.BLOCKED),
        ("AVAILABLE", (), "PENDING", Severity.AT_RISK),
    ],
)
def test_every_state_that_stops_or_limits_sending_needs_attention(
    can_send: str, problems: tuple[HealthProblem, ...], status: str, severity: Severity
) -> None:
    assessment = assess(can_send=can_send, problems=problems, status=status, quality="GREEN")
    assert assessment.severity is severity and severity.needs_attention
    assert assessment.findings[0].advice


def test_a_green_connected_number_that_meta_blocks_is_blocked_with_metas_words() -> None:
    assessment = assess(can_send="BLOCKED", problems=(PAYMENT,), status="CONNECTED", quality="GREEN")
    worst = assessment.findings[0]
    assert (worst.aspect, worst.error_code, worst.meta_says, worst.advice) == (
        "can send",
        141006,
        "Payment method problem.",
        "Fix it.",
    )
    assert worst.sentence == "cannot send messages: its WhatsApp Business Account blocks sending (Meta error 141006)"


def test_every_documented_status_has_a_meaning_and_only_connected_is_ok() -> None:
    assert set(PHONE_STATUSES) <= set(STATUSES)
    assert [s for s, meaning in STATUSES.items() if meaning.severity is Severity.OK] == ["CONNECTED"]


@pytest.mark.parametrize("status", [None, "", "SOMETHING_META_ADDS_LATER"])
def test_an_unknown_or_missing_status_is_unknown_never_ok(status: str | None) -> None:
    assert status_meaning(status).severity is Severity.UNKNOWN
    assessment = assess(can_send="AVAILABLE", status=status, quality="GREEN")
    assert assessment.severity is Severity.UNKNOWN


def test_can_send_not_reported_is_unknown() -> None:
    assert assess(can_send="UNKNOWN", status="CONNECTED", quality="GREEN").severity is Severity.UNKNOWN


def test_flagged_is_only_watched_and_never_said_to_lower_a_limit() -> None:
    meaning = STATUSES["FLAGGED"]
    assert meaning.severity is Severity.WATCH
    assert "drop" not in meaning.sentence + meaning.advice and "no longer lowers" in meaning.advice


def test_a_waba_rejected_in_review_is_blocked() -> None:
    assert assess_account(review_status="REJECTED", can_send="AVAILABLE", problems=()).severity is Severity.BLOCKED
    assert assess_account(review_status="APPROVED", can_send="AVAILABLE", problems=()).severity is Severity.OK


def test_the_vocabulary_never_shows_a_raw_enum() -> None:
    assert all("TIER" not in limit_words(tier) for tier in LIMITS)
    assert limit_words("TIER_NOT_SET") == "Not set yet" and limit_words(None) == "Not reported"
    assert limit_words("TIER_2K") == "2,000 customers a day"
    assert throughput_words(None) == "Not reported"  # missing is not "not applicable"
    assert throughput_words("NOT_APPLICABLE") == "Not applicable (not on Cloud API)"
    assert can_send_words("BLOCKED") == "Blocked" and can_send_words("nonsense") == "Not reported"
    assert status_words("RATE_LIMITED") == "Rate limited"
