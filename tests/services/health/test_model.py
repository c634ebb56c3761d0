"""The one severity table: every value Meta documents, and unknown ones, judged safely."""

from __future__ import annotations

import pytest

from services.graph.types import PHONE_STATUSES, CanSend, HealthProblem
from services.health.model import STATUSES, Severity, assess, assess_account, assess_template, status_meaning
from services.health.model import TEMPLATE_STATUSES as TEMPLATE_MEANINGS
from services.health.vocabulary import (
    LIMITS,
    TEMPLATE_STATUSES,
    can_send_words,
    limit_words,
    pause_reason_words,
    rejected_reason_words,
    status_words,
    template_category_words,
    template_quality_words,
    template_status_words,
    throughput_words,
)

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


# --- message templates --------------------------------------------------------------------------------------------

TEMPLATE_VERDICTS = [
    ("PAUSED", "GREEN", Severity.BLOCKED),
    ("DISABLED", "UNKNOWN", Severity.BLOCKED),
    ("REJECTED", "UNKNOWN", Severity.AT_RISK),
    ("APPROVED", "RED", Severity.AT_RISK),
    ("APPROVED", "YELLOW", Severity.WATCH),
    ("IN_APPEAL", "UNKNOWN", Severity.WATCH),
    ("PENDING", "UNKNOWN", Severity.WATCH),
    ("LIMIT_EXCEEDED", "UNKNOWN", Severity.WATCH),
    ("FLAGGED", "GREEN", Severity.WATCH),
    ("APPROVED", "GREEN", Severity.OK),
    ("APPROVED", "UNKNOWN", Severity.OK),
    ("SOMETHING_NEW", "GREEN", Severity.UNKNOWN),
    (None, "GREEN", Severity.UNKNOWN),
    ("APPROVED", "PURPLE", Severity.UNKNOWN),
]


@pytest.mark.parametrize(("status", "quality", "severity"), TEMPLATE_VERDICTS)
def test_every_template_status_and_quality_has_a_verdict(status: str | None, quality: str, severity: Severity) -> None:
    assert assess_template(status=status, quality_score=quality).severity is severity


def test_a_pause_says_how_long_and_why_and_meta_is_quoted() -> None:
    info = {"title": "SECOND_PAUSE", "description": "Your message template has been paused for 6 hours."}
    verdict = assess_template(status="PAUSED", quality_score="RED", reason="SECOND_PAUSE", status_info=info)
    first = verdict.findings[0]
    assert first.aspect == "status" and first.sentence.startswith("is paused for 6 hours")
    assert "a third disables it" in first.sentence and first.meta_says == info["description"]
    assert [f.aspect for f in verdict.findings] == ["status", "quality"]  # worst first; red quality too


def test_a_rejection_gives_meta_s_reason_in_words_and_its_recommendation_as_advice() -> None:
    info = {"rejection_reason": "Parameters at the start", "recommendation": "Move the parameter."}
    verdict = assess_template(status="REJECTED", quality_score=None, reason="INVALID_FORMAT", status_info=info)
    assert verdict.headline == "was rejected in Meta's review: its format is not valid (variables, length or layout)"
    assert verdict.findings[0].advice == "Move the parameter."


def test_template_words_never_show_meta_s_raw_values() -> None:
    assert set(TEMPLATE_MEANINGS) == set(TEMPLATE_STATUSES)  # every status the model judges has words
    for raw in TEMPLATE_STATUSES:
        assert raw not in template_status_words(raw)
    assert template_status_words("PAUSED") == "Paused" and template_status_words("APPROVED") == "Active"
    assert template_category_words("AUTHENTICATION") == "Authentication"
    assert template_quality_words(None) == "Not yet rated" and template_quality_words("RED") == "Red · low"
    assert pause_reason_words("FIRST_PAUSE").startswith("paused for 3 hours")
    assert "RATE_LIMITING" not in pause_reason_words("RATE_LIMITING_PAUSE")
    assert template_status_words("NEW_STATE") == "Not known to the console (new state)"
    assert rejected_reason_words("TAG_CONTENT_MISMATCH") == "its content does not match its category or language"
