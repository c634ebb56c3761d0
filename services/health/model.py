"""The one health model: what every value Meta reports means for sending, how bad it is, and what to do.

Every screen, check and later feature reads severities, sentences and advice from here; nothing
else decides whether a number is healthy. Meta's model of October 2025 applies (reference §9):
no Flagged state, limits per business portfolio, and `health_status` as the can-send truth.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from types import SimpleNamespace
from typing import Any

from services.graph.types import CanSend, HealthProblem, QualityRating
from services.health.vocabulary import entity_words, pause_reason_words, rejected_reason_words


class Severity(IntEnum):
    """Worst first: sorting by severity puts the numbers that cannot send on top."""

    BLOCKED = 0
    AT_RISK = 1
    WATCH = 2
    UNKNOWN = 3
    OK = 4

    @property
    def label(self) -> str:
        return {0: "Blocked", 1: "At risk", 2: "Watch", 3: "Unknown", 4: "OK"}[self.value]

    @property
    def icon(self) -> str:
        return {0: "⛔", 1: "🟠", 2: "🟡", 3: "❔", 4: "✅"}[self.value]

    @property
    def needs_attention(self) -> bool:
        return self <= Severity.WATCH


@dataclass(frozen=True)
class Meaning:
    severity: Severity
    sentence: str  # completes "<number> ...": "is disconnected from WhatsApp"
    advice: str = ""


# Phone number statuses (reference §9: gathered from SDK enums and vendor pages).
STATUSES: dict[str, Meaning] = {
    "CONNECTED": Meaning(Severity.OK, "is connected"),
    "PENDING": Meaning(
        Severity.AT_RISK,
        "is pending: it is not registered for sending yet",
        "Finish the number's registration in WhatsApp Manager (verify it and register it with the Cloud API).",
    ),
    "OFFLINE": Meaning(
        Severity.BLOCKED,
        "is offline: WhatsApp cannot reach it, so nothing is delivered",
        "Check the number's connection in WhatsApp Manager.",
    ),
    "DISCONNECTED": Meaning(
        Severity.BLOCKED,
        "is disconnected from WhatsApp and cannot send",
        "Reconnect the number in WhatsApp Manager; register it again if Meta asks.",
    ),
    "RESTRICTED": Meaning(
        Severity.AT_RISK,
        "is restricted: it reached its portfolio's messaging limit and can only reply to customers who wrote first",
        "Wait for the 24-hour window to reset, or send to fewer new customers until the limit rises.",
    ),
    "RATE_LIMITED": Meaning(
        Severity.AT_RISK,
        "is rate limited: Meta refuses messages sent faster than its throughput",
        "Send more slowly; spread campaigns over a longer time.",
    ),
    "FLAGGED": Meaning(
        Severity.WATCH,
        "is Flagged, a state of Meta's older quality model",
        "Check its quality rating in WhatsApp Manager; a low rating no longer lowers the limit.",
    ),
    "BANNED": Meaning(
        Severity.BLOCKED,
        "is banned from WhatsApp",
        "Open Account quality in WhatsApp Manager and request a review if you think the ban is wrong.",
    ),
    "MIGRATED": Meaning(
        Severity.AT_RISK,
        "was migrated to another WhatsApp Business Account and cannot send from this one",
        "Connect it through the account it moved to.",
    ),
    "DELETED": Meaning(
        Severity.BLOCKED,
        "was deleted from its WhatsApp Business Account",
        "Pick another sender number for its channel configurations.",
    ),
    "UNVERIFIED": Meaning(
        Severity.AT_RISK,
        "is unverified",
        "Verify the number with the code Meta sends, in WhatsApp Manager.",
    ),
    "UNKNOWN": Meaning(Severity.UNKNOWN, "has a status Meta reports as unknown", "Look in WhatsApp Manager."),
}
CAN_SEND: dict[CanSend, Meaning] = {
    CanSend.AVAILABLE: Meaning(Severity.OK, "can send messages"),
    CanSend.LIMITED: Meaning(
        Severity.AT_RISK, "can send only with limits Meta has set", "Read Meta's reason below and act on it."
    ),
    CanSend.BLOCKED: Meaning(
        Severity.BLOCKED, "cannot send messages", "Read Meta's reason below; nothing is sent until it is fixed."
    ),
    CanSend.UNKNOWN: Meaning(
        Severity.UNKNOWN,
        "has not been reported on by Meta yet (can it send?)",
        "Wait for the next poll, or look in WhatsApp Manager.",
    ),
}
QUALITY: dict[QualityRating, Meaning] = {
    QualityRating.GREEN: Meaning(Severity.OK, "has high quality"),
    QualityRating.YELLOW: Meaning(
        Severity.WATCH,
        "has medium quality (yellow): customers are blocking or reporting some messages",
        "Check recent campaigns for recipients who did not opt in.",
    ),
    QualityRating.RED: Meaning(
        Severity.AT_RISK,
        "has low quality (red): many customers block or report its messages, which can lead Meta to restrict it",
        "Pause campaigns to people who did not opt in and review the templates customers report.",
    ),
    QualityRating.NA: Meaning(Severity.OK, "is not rated yet"),
    QualityRating.UNKNOWN: Meaning(Severity.OK, "is not rated yet"),
}
NAME_STATUSES: dict[str, Meaning] = {
    "DECLINED": Meaning(
        Severity.WATCH,
        "has a display name Meta declined",
        "Request a new display name in WhatsApp Manager.",
    ),
    "EXPIRED": Meaning(
        Severity.WATCH,
        "has a display name request that expired",
        "Request the display name again in WhatsApp Manager.",
    ),
}
REVIEW: dict[str, Meaning] = {
    "REJECTED": Meaning(
        Severity.BLOCKED,
        "was rejected in Meta's review (the account is banned)",
        "Request a review of the WhatsApp Business Account in Business Support Home.",
    ),
    "PENDING": Meaning(Severity.WATCH, "is still in Meta's review", "Wait for Meta's review to finish."),
}


def status_meaning(status: str | None) -> Meaning:
    """A value Meta adds later, or none at all, is unknown: never healthy."""
    if not status:
        return Meaning(Severity.UNKNOWN, "has no status reported yet", "Wait for the next poll.")
    return STATUSES.get(
        status.upper(),
        Meaning(
            Severity.UNKNOWN,
            f"has a status the console does not know ({status})",
            "Look up the number in WhatsApp Manager.",
        ),
    )


@dataclass(frozen=True)
class Finding:
    """One reason a number (or WABA) is not simply OK; `meta_says` is Meta's own description, when it gave one."""

    severity: Severity
    aspect: str  # can send | status | quality | display name | review
    sentence: str
    advice: str = ""
    meta_says: str = ""
    error_code: int | None = None


@dataclass(frozen=True)
class Assessment:
    severity: Severity
    findings: tuple[Finding, ...]  # worst first; empty when everything is OK

    @property
    def headline(self) -> str:
        return self.findings[0].sentence if self.findings else "can send messages"


def _problem_finding(problem: HealthProblem) -> Finding:
    meaning = CAN_SEND[problem.can_send] if problem.can_send in CAN_SEND else CAN_SEND[CanSend.UNKNOWN]
    where = entity_words(problem.entity_type)
    verb = "blocks" if problem.can_send is CanSend.BLOCKED else "limits"
    sentence = f"cannot send messages: {where} {verb} sending"
    if problem.can_send is CanSend.LIMITED:
        sentence = f"can send only with limits: {where} {verb} sending"
    if problem.entity_type.upper() == "PHONE_NUMBER":
        sentence = meaning.sentence if problem.can_send is not CanSend.BLOCKED else "cannot send messages"
    code = f" (Meta error {problem.error_code})" if problem.error_code is not None else ""
    return Finding(
        meaning.severity,
        "can send",
        sentence + code,
        problem.solution or meaning.advice,
        problem.description,
        problem.error_code,
    )


def _ordered(findings: Iterable[Finding]) -> Assessment:
    kept = sorted((f for f in findings if f.severity is not Severity.OK), key=lambda f: f.severity)
    return Assessment(kept[0].severity if kept else Severity.OK, tuple(kept))


def assess(
    *,
    can_send: str | CanSend,
    problems: Sequence[HealthProblem] = (),
    status: str | None,
    quality: str | None,
    name_status: str | None = None,
) -> Assessment:
    """Everything known of one number, judged by the tables above."""
    verdict = CanSend.parse(can_send)
    findings = [_problem_finding(problem) for problem in problems]
    if not findings and verdict is not CanSend.AVAILABLE:
        meaning = CAN_SEND[verdict]
        findings.append(Finding(meaning.severity, "can send", meaning.sentence, meaning.advice))
    meaning = status_meaning(status)
    findings.append(Finding(meaning.severity, "status", meaning.sentence, meaning.advice))
    meaning = QUALITY[QualityRating.parse(quality)]
    findings.append(Finding(meaning.severity, "quality", meaning.sentence, meaning.advice))
    if name_status and name_status.upper() in NAME_STATUSES:
        meaning = NAME_STATUSES[name_status.upper()]
        findings.append(Finding(meaning.severity, "display name", meaning.sentence, meaning.advice))
    return _ordered(findings)


def assess_stored(number: object) -> Assessment:
    """A stored phone number row (or a history row): anything with the health columns."""
    raw = getattr(number, "health_problems", None) or []
    return assess(
        can_send=getattr(number, "can_send", CanSend.UNKNOWN),
        problems=[HealthProblem.from_json(row) for row in raw if isinstance(row, dict)],
        status=getattr(number, "status", None),
        quality=getattr(number, "quality_rating", None),
        name_status=getattr(number, "name_status", None),
    )


def severity_of_state(state: Mapping[str, Any]) -> Severity:
    """The verdict stored with a number's health columns (`PhoneNumber.severity`), from a mapping of those columns.

    Every writer of a number's health stores this with it, so SQL can sort, count and filter by the health model.
    """
    return assess_stored(SimpleNamespace(**state)).severity


def assess_account(
    *, review_status: str | None, can_send: str | CanSend, problems: Sequence[HealthProblem]
) -> Assessment:
    """A WABA: Meta's review (ban) state and its own health_status."""
    findings = [_problem_finding(problem) for problem in problems]
    verdict = CanSend.parse(can_send)
    if not findings and verdict in (CanSend.LIMITED, CanSend.BLOCKED):
        meaning = CAN_SEND[verdict]
        findings.append(Finding(meaning.severity, "can send", meaning.sentence, meaning.advice))
    if review_status and review_status.upper() in REVIEW:
        meaning = REVIEW[review_status.upper()]
        findings.append(Finding(meaning.severity, "review", meaning.sentence, meaning.advice))
    return _ordered(findings)


# --- Message templates --------------------------------------------------------------------------------------------
# A template's status and quality (reference §9; Meta's template-pausing page): a paused or disabled template is
# refused by Meta, so every journey that sends it stops; a red one is paused next (3 h, then 6 h, then disabled).

TEMPLATE_STATUSES: dict[str, Meaning] = {
    "APPROVED": Meaning(Severity.OK, "is active and can be sent"),
    "PAUSED": Meaning(
        Severity.BLOCKED,
        "is paused: Meta refuses to send it, so journeys that use it send nothing",
        "Hold the journeys and campaigns that send it until it is active again; send only to customers who opted in.",
    ),
    "DISABLED": Meaning(
        Severity.BLOCKED,
        "is disabled: customers kept blocking or reporting it, and Meta no longer sends it",
        "Switch its journeys to another template; create a new one with different content, or appeal in "
        "WhatsApp Manager.",
    ),
    "REJECTED": Meaning(
        Severity.AT_RISK,
        "was rejected in Meta's review and cannot be sent",
        "Fix what Meta's reason names and submit it again, or appeal the decision in WhatsApp Manager.",
    ),
    "FLAGGED": Meaning(
        Severity.WATCH,
        "is flagged: customers gave negative feedback, and Meta disables it unless its quality improves",
        "Send it only to customers who opted in and expect it; review its content.",
    ),
    "IN_APPEAL": Meaning(
        Severity.WATCH, "is in appeal: Meta is reviewing its rejection again", "Wait for the appeal's outcome."
    ),
    "PENDING": Meaning(
        Severity.WATCH, "is waiting for Meta's review and cannot be sent yet", "Wait for the review (usually minutes)."
    ),
    "LIMIT_EXCEEDED": Meaning(
        Severity.WATCH,
        "could not be added: its WhatsApp Business Account has as many templates as Meta allows",
        "Delete templates nobody sends any more, then create it again.",
    ),
    "LOCKED": Meaning(
        Severity.WATCH, "is locked: it can still be sent but not edited", "Create a new template to change its content."
    ),
    "PENDING_DELETION": Meaning(
        Severity.WATCH,
        "is being deleted and can no longer be sent",
        "Make sure no journey still sends it.",
    ),
    "DELETED": Meaning(Severity.WATCH, "was deleted and cannot be sent", "Make sure no journey still sends it."),
    "ARCHIVED": Meaning(
        Severity.WATCH,
        "is archived: it cannot be sent, and Meta deletes it after 28 days unless it is unarchived",
        "Unarchive it in WhatsApp Manager if a journey still sends it.",
    ),
}
TEMPLATE_QUALITY: dict[str, Meaning] = {
    "GREEN": Meaning(Severity.OK, "has high quality"),
    "YELLOW": Meaning(
        Severity.WATCH,
        "has medium quality (yellow): some customers block or report it",
        "Check who receives it: only customers who opted in and expect it.",
    ),
    "RED": Meaning(
        Severity.AT_RISK,
        "has low quality (red): many customers block or report it, and Meta pauses a red template",
        "Stop sending it to customers who did not opt in, and review its content before Meta pauses it.",
    ),
    "UNKNOWN": Meaning(Severity.OK, "is not rated yet"),
}
# Each pause lasts this long (Meta's template-pausing page); a third pause disables the template.
PAUSE_HOURS = {"FIRST_PAUSE": 3, "SECOND_PAUSE": 6}


def template_status_meaning(status: str | None) -> Meaning:
    """A status Meta adds later, or none at all, is unknown: never healthy."""
    if not status:
        return Meaning(Severity.UNKNOWN, "has no status reported yet", "Wait for the next template poll.")
    return TEMPLATE_STATUSES.get(
        status.upper(),
        Meaning(
            Severity.UNKNOWN,
            f"has a status the console does not know ({status})",
            "Look up the template in WhatsApp Manager.",
        ),
    )


def template_quality_meaning(score: str | None) -> Meaning:
    if not score:
        return TEMPLATE_QUALITY["UNKNOWN"]
    return TEMPLATE_QUALITY.get(
        score.upper(),
        Meaning(Severity.UNKNOWN, f"has a quality the console does not know ({score})", "Look in WhatsApp Manager."),
    )


def assess_template(
    *,
    status: str | None,
    quality_score: str | None,
    reason: str | None = None,
    status_info: Mapping[str, Any] | None = None,
) -> Assessment:
    """Everything known of one template, judged by the tables above; Meta's own words go in `meta_says`."""
    info = status_info or {}
    meaning = template_status_meaning(status)
    sentence, meta_says = meaning.sentence, str(info.get("description") or "")
    upper = (status or "").upper()
    if upper == "PAUSED" and reason:
        sentence = f"is {pause_reason_words(reason)}"
    elif upper == "REJECTED" and reason and reason.upper() != "NONE":
        sentence = f"was rejected in Meta's review: {rejected_reason_words(reason)}"
        meta_says = str(info.get("rejection_reason") or meta_says)
    advice = str(info.get("recommendation") or "") or meaning.advice
    findings = [Finding(meaning.severity, "status", sentence, advice, meta_says)]
    quality = template_quality_meaning(quality_score)
    findings.append(Finding(quality.severity, "quality", quality.sentence, quality.advice))
    return _ordered(findings)


def assess_stored_template(template: object) -> Assessment:
    """A stored template row (or a history row): anything with status, quality_score, reason and status_info."""
    return assess_template(
        status=getattr(template, "status", None),
        quality_score=getattr(template, "quality_score", None),
        reason=getattr(template, "reason", None),
        status_info=getattr(template, "status_info", None) or {},
    )
