"""The one health model: what every value Meta reports means for sending, how bad it is, and what to do.

Every screen, check and later feature reads severities, sentences and advice from here; nothing
else decides whether a number is healthy. Meta's model of October 2025 applies (reference §9):
no Flagged state, limits per business portfolio, and `health_status` as the can-send truth.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from services.graph.types import CanSend, HealthProblem, QualityRating
from services.health.vocabulary import entity_words, pause_reason_words, rejected_reason_words
from services.language.current import Language, current
from services.language.translate import LazyText, _, lazy


class Severity(IntEnum):
    """Worst first: sorting by severity puts the numbers that cannot send on top."""

    BLOCKED = 0
    AT_RISK = 1
    WATCH = 2
    UNKNOWN = 3
    OK = 4

    @property
    def label(self) -> str:
        """In the reader's language: 'Blocked', 'At risk' (`name` is the English key)."""
        return {0: _("Blocked"), 1: _("At risk"), 2: _("Watch"), 3: _("Unknown"), 4: _("OK")}[self.value]

    @property
    def icon(self) -> str:
        return {0: "⛔", 1: "🟠", 2: "🟡", 3: "❔", 4: "✅"}[self.value]

    @property
    def needs_attention(self) -> bool:
        return self <= Severity.WATCH


@dataclass(frozen=True)
class Meaning:
    """`sentence` and `advice` read in the current language each time (a `lazy()` or a sentence already said)."""

    severity: Severity
    sentence: str | LazyText  # completes "<number> ...": "is disconnected from WhatsApp"
    advice: str | LazyText = ""


# Phone number statuses (reference §9: gathered from SDK enums and vendor pages).
STATUSES: dict[str, Meaning] = {
    "CONNECTED": Meaning(Severity.OK, lazy("is connected")),
    "PENDING": Meaning(
        Severity.AT_RISK,
        lazy("is pending: it is not registered for sending yet"),
        lazy("Finish the number's registration in WhatsApp Manager (verify it and register it with the Cloud API)."),
    ),
    "OFFLINE": Meaning(
        Severity.BLOCKED,
        lazy("is offline: WhatsApp cannot reach it, so nothing is delivered"),
        lazy("Check the number's connection in WhatsApp Manager."),
    ),
    "DISCONNECTED": Meaning(
        Severity.BLOCKED,
        lazy("is disconnected from WhatsApp and cannot send"),
        lazy("Reconnect the number in WhatsApp Manager; register it again if Meta asks."),
    ),
    "RESTRICTED": Meaning(
        Severity.AT_RISK,
        lazy(
            "is restricted: it reached its portfolio's messaging limit and can only reply to customers who wrote first"
        ),
        lazy("Wait for the 24-hour window to reset, or send to fewer new customers until the limit rises."),
    ),
    "RATE_LIMITED": Meaning(
        Severity.AT_RISK,
        lazy("is rate limited: Meta refuses messages sent faster than its throughput"),
        lazy("Send more slowly; spread campaigns over a longer time."),
    ),
    "FLAGGED": Meaning(
        Severity.WATCH,
        lazy("is Flagged, a state of Meta's older quality model"),
        lazy("Check its quality rating in WhatsApp Manager; a low rating no longer lowers the limit."),
    ),
    "BANNED": Meaning(
        Severity.BLOCKED,
        lazy("is banned from WhatsApp"),
        lazy("Open Account quality in WhatsApp Manager and request a review if you think the ban is wrong."),
    ),
    "MIGRATED": Meaning(
        Severity.AT_RISK,
        lazy("was migrated to another WhatsApp Business Account and cannot send from this one"),
        lazy("Connect it through the account it moved to."),
    ),
    "DELETED": Meaning(
        Severity.BLOCKED,
        lazy("was deleted from its WhatsApp Business Account"),
        lazy("Pick another sender number for its channel configurations."),
    ),
    "UNVERIFIED": Meaning(
        Severity.AT_RISK,
        lazy("is unverified"),
        lazy("Verify the number with the code Meta sends, in WhatsApp Manager."),
    ),
    "UNKNOWN": Meaning(
        Severity.UNKNOWN, lazy("has a status Meta reports as unknown"), lazy("Look in WhatsApp Manager.")
    ),
}
CAN_SEND: dict[CanSend, Meaning] = {
    CanSend.AVAILABLE: Meaning(Severity.OK, lazy("can send messages")),
    CanSend.LIMITED: Meaning(
        Severity.AT_RISK,
        lazy("can send only with limits Meta has set"),
        lazy("Read Meta's reason below and act on it."),
    ),
    CanSend.BLOCKED: Meaning(
        Severity.BLOCKED,
        lazy("cannot send messages"),
        lazy("Read Meta's reason below; nothing is sent until it is fixed."),
    ),
    CanSend.UNKNOWN: Meaning(
        Severity.UNKNOWN,
        lazy("has not been reported on by Meta yet (can it send?)"),
        lazy("Wait for the next poll, or look in WhatsApp Manager."),
    ),
}
QUALITY: dict[QualityRating, Meaning] = {
    QualityRating.GREEN: Meaning(Severity.OK, lazy("has high quality")),
    QualityRating.YELLOW: Meaning(
        Severity.WATCH,
        lazy("has medium quality (yellow): customers are blocking or reporting some messages"),
        lazy("Check recent campaigns for recipients who did not opt in."),
    ),
    QualityRating.RED: Meaning(
        Severity.AT_RISK,
        lazy("has low quality (red): many customers block or report its messages, which can lead Meta to restrict it"),
        lazy("Pause campaigns to people who did not opt in and review the templates customers report."),
    ),
    QualityRating.NA: Meaning(Severity.OK, lazy("is not rated yet")),
    QualityRating.UNKNOWN: Meaning(Severity.OK, lazy("is not rated yet")),
}
NAME_STATUSES: dict[str, Meaning] = {
    "DECLINED": Meaning(
        Severity.WATCH,
        lazy("has a display name Meta declined"),
        lazy("Request a new display name in WhatsApp Manager."),
    ),
    "EXPIRED": Meaning(
        Severity.WATCH,
        lazy("has a display name request that expired"),
        lazy("Request the display name again in WhatsApp Manager."),
    ),
}
REVIEW: dict[str, Meaning] = {
    "REJECTED": Meaning(
        Severity.BLOCKED,
        lazy("was rejected in Meta's review (the account is banned)"),
        lazy("Request a review of the WhatsApp Business Account in Business Support Home."),
    ),
    "PENDING": Meaning(Severity.WATCH, lazy("is still in Meta's review"), lazy("Wait for Meta's review to finish.")),
}


def status_meaning(status: str | None) -> Meaning:
    """A value Meta adds later, or none at all, is unknown: never healthy."""
    if not status:
        return Meaning(Severity.UNKNOWN, lazy("has no status reported yet"), lazy("Wait for the next poll."))
    return STATUSES.get(
        status.upper(),
        Meaning(
            Severity.UNKNOWN,
            _("has a status the console does not know ({status})", status=status),
            _("Look up the number in WhatsApp Manager."),
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
        return self.findings[0].sentence if self.findings else _("can send messages")


def _problem_finding(problem: HealthProblem) -> Finding:
    meaning = CAN_SEND[problem.can_send] if problem.can_send in CAN_SEND else CAN_SEND[CanSend.UNKNOWN]
    where = entity_words(problem.entity_type)
    if problem.can_send is CanSend.BLOCKED:
        sentence = _("cannot send messages: {where} blocks sending", where=where)
    elif problem.can_send is CanSend.LIMITED:
        sentence = _("can send only with limits: {where} limits sending", where=where)
    else:
        sentence = _("cannot send messages: {where} limits sending", where=where)
    if problem.entity_type.upper() == "PHONE_NUMBER":
        sentence = str(meaning.sentence) if problem.can_send is not CanSend.BLOCKED else _("cannot send messages")
    if problem.error_code is not None:
        sentence = _("{sentence} (Meta error {code})", sentence=sentence, code=str(problem.error_code))
    return Finding(
        meaning.severity,
        "can send",
        sentence,
        problem.solution or str(meaning.advice),
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
        findings.append(Finding(meaning.severity, "can send", str(meaning.sentence), str(meaning.advice)))
    meaning = status_meaning(status)
    findings.append(Finding(meaning.severity, "status", str(meaning.sentence), str(meaning.advice)))
    meaning = QUALITY[QualityRating.parse(quality)]
    findings.append(Finding(meaning.severity, "quality", str(meaning.sentence), str(meaning.advice)))
    if name_status and name_status.upper() in NAME_STATUSES:
        meaning = NAME_STATUSES[name_status.upper()]
        findings.append(Finding(meaning.severity, "display name", str(meaning.sentence), str(meaning.advice)))
    return _ordered(findings)


def assess_stored(number: object) -> Assessment:
    """A stored phone number row (or a history row): anything with the health columns."""
    raw = getattr(number, "health_problems", None) or []
    problems = tuple(tuple(row.items()) for row in raw if isinstance(row, dict))
    state = (
        getattr(number, "can_send", CanSend.UNKNOWN),
        problems,
        getattr(number, "status", None),
        getattr(number, "quality_rating", None),
        getattr(number, "name_status", None),
    )
    try:
        return _assessed(current(), *state)
    except TypeError:  # a problem holding something unhashable: judge it afresh
        return _assessed.__wrapped__(current(), *state)


@lru_cache(maxsize=4096)
def _assessed(
    language: Language,  # noqa: ARG001 - a key of the cache: the findings are sentences in it
    can_send: str | CanSend,
    problems: tuple[tuple[tuple[str, object], ...], ...],
    status: str | None,
    quality: str | None,
    name_status: str | None,
) -> Assessment:
    """`assess` of stored columns, remembered: a fleet's rows repeat a few states thousands of times."""
    return assess(
        can_send=can_send,
        problems=[HealthProblem.from_json(dict(row)) for row in problems],
        status=status,
        quality=quality,
        name_status=name_status,
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
        findings.append(Finding(meaning.severity, "can send", str(meaning.sentence), str(meaning.advice)))
    if review_status and review_status.upper() in REVIEW:
        meaning = REVIEW[review_status.upper()]
        findings.append(Finding(meaning.severity, "review", str(meaning.sentence), str(meaning.advice)))
    return _ordered(findings)


# --- Message templates --------------------------------------------------------------------------------------------
# A template's status and quality (reference §9; Meta's template-pausing page): a paused or disabled template is
# refused by Meta, so every journey that sends it stops; a red one is paused next (3 h, then 6 h, then disabled).

TEMPLATE_STATUSES: dict[str, Meaning] = {
    "APPROVED": Meaning(Severity.OK, lazy("is active and can be sent")),
    "PAUSED": Meaning(
        Severity.BLOCKED,
        lazy("is paused: Meta refuses to send it, so journeys that use it send nothing"),
        lazy(
            "Hold the journeys and campaigns that send it until it is active again; "
            "send only to customers who opted in."
        ),
    ),
    "DISABLED": Meaning(
        Severity.BLOCKED,
        lazy("is disabled: customers kept blocking or reporting it, and Meta no longer sends it"),
        lazy(
            "Switch its journeys to another template; create a new one with different content, or appeal in "
            "WhatsApp Manager."
        ),
    ),
    "REJECTED": Meaning(
        Severity.AT_RISK,
        lazy("was rejected in Meta's review and cannot be sent"),
        lazy("Fix what Meta's reason names and submit it again, or appeal the decision in WhatsApp Manager."),
    ),
    "FLAGGED": Meaning(
        Severity.WATCH,
        lazy("is flagged: customers gave negative feedback, and Meta disables it unless its quality improves"),
        lazy("Send it only to customers who opted in and expect it; review its content."),
    ),
    "IN_APPEAL": Meaning(
        Severity.WATCH,
        lazy("is in appeal: Meta is reviewing its rejection again"),
        lazy("Wait for the appeal's outcome."),
    ),
    "PENDING": Meaning(
        Severity.WATCH,
        lazy("is waiting for Meta's review and cannot be sent yet"),
        lazy("Wait for the review (usually minutes)."),
    ),
    "LIMIT_EXCEEDED": Meaning(
        Severity.WATCH,
        lazy("could not be added: its WhatsApp Business Account has as many templates as Meta allows"),
        lazy("Delete templates nobody sends any more, then create it again."),
    ),
    "LOCKED": Meaning(
        Severity.WATCH,
        lazy("is locked: it can still be sent but not edited"),
        lazy("Create a new template to change its content."),
    ),
    "PENDING_DELETION": Meaning(
        Severity.WATCH,
        lazy("is being deleted and can no longer be sent"),
        lazy("Make sure no journey still sends it."),
    ),
    "DELETED": Meaning(
        Severity.WATCH, lazy("was deleted and cannot be sent"), lazy("Make sure no journey still sends it.")
    ),
    "ARCHIVED": Meaning(
        Severity.WATCH,
        lazy("is archived: it cannot be sent, and Meta deletes it after 28 days unless it is unarchived"),
        lazy("Unarchive it in WhatsApp Manager if a journey still sends it."),
    ),
}
TEMPLATE_QUALITY: dict[str, Meaning] = {
    "GREEN": Meaning(Severity.OK, lazy("has high quality")),
    "YELLOW": Meaning(
        Severity.WATCH,
        lazy("has medium quality (yellow): some customers block or report it"),
        lazy("Check who receives it: only customers who opted in and expect it."),
    ),
    "RED": Meaning(
        Severity.AT_RISK,
        lazy("has low quality (red): many customers block or report it, and Meta pauses a red template"),
        lazy("Stop sending it to customers who did not opt in, and review its content before Meta pauses it."),
    ),
    "UNKNOWN": Meaning(Severity.OK, lazy("is not rated yet")),
}
# Each pause lasts this long (Meta's template-pausing page); a third pause disables the template.
PAUSE_HOURS = {"FIRST_PAUSE": 3, "SECOND_PAUSE": 6}


def template_status_meaning(status: str | None) -> Meaning:
    """A status Meta adds later, or none at all, is unknown: never healthy."""
    if not status:
        return Meaning(Severity.UNKNOWN, lazy("has no status reported yet"), lazy("Wait for the next template poll."))
    return TEMPLATE_STATUSES.get(
        status.upper(),
        Meaning(
            Severity.UNKNOWN,
            _("has a status the console does not know ({status})", status=status),
            _("Look up the template in WhatsApp Manager."),
        ),
    )


def template_quality_meaning(score: str | None) -> Meaning:
    if not score:
        return TEMPLATE_QUALITY["UNKNOWN"]
    return TEMPLATE_QUALITY.get(
        score.upper(),
        Meaning(
            Severity.UNKNOWN,
            _("has a quality the console does not know ({score})", score=score),
            _("Look in WhatsApp Manager."),
        ),
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
    sentence, meta_says = str(meaning.sentence), str(info.get("description") or "")
    upper = (status or "").upper()
    if upper == "PAUSED" and reason:
        sentence = _("is {reason}", reason=pause_reason_words(reason))
    elif upper == "REJECTED" and reason and reason.upper() != "NONE":
        sentence = _("was rejected in Meta's review: {reason}", reason=rejected_reason_words(reason))
        meta_says = str(info.get("rejection_reason") or meta_says)
    advice = str(info.get("recommendation") or "") or str(meaning.advice)
    findings = [Finding(meaning.severity, "status", sentence, advice, meta_says)]
    quality = template_quality_meaning(quality_score)
    findings.append(Finding(quality.severity, "quality", str(quality.sentence), str(quality.advice)))
    return _ordered(findings)


def assess_stored_template(template: object) -> Assessment:
    """A stored template row (or a history row): anything with status, quality_score, reason and status_info."""
    return assess_template(
        status=getattr(template, "status", None),
        quality_score=getattr(template, "quality_score", None),
        reason=getattr(template, "reason", None),
        status_info=getattr(template, "status_info", None) or {},
    )
