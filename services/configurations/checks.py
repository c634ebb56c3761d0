"""The checks a submitted channel configuration must pass, each a sentence an operator can act on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from services.access.vault import VaultError, masked
from services.configurations import marketing_actions
from services.configurations.fields import taken_sentence
from services.graph.client import GraphClient
from services.graph.errors import GraphError, RateLimited
from services.graph.expiry import spoken
from services.graph.types import PhoneNumberHealth
from services.health import model as health_model
from services.health.model import Finding, Severity

CHECKS = {
    "token": "The credential's token is valid and not expired",
    "waba": "The token reaches the WhatsApp Business Account",
    "sender_in_waba": "The sender number belongs to that WABA",
    "sender_connected": "The sender number is connected and Meta lets it send",
    "name_unique": "The name is still unique",
    "marketing_action": "The marketing action exists",
}
EXPIRY_WARNING = timedelta(days=7)


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome; `skipped` when an earlier check it needs did not pass."""

    check: str
    passed: bool
    sentence: str
    skipped: bool = False
    warning: str | None = None

    @property
    def label(self) -> str:
        return CHECKS.get(self.check, self.check)

    @property
    def failed(self) -> bool:
        """A failure worth a reason of its own (a skipped check only waits on another)."""
        return not self.passed and not self.skipped

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        return cls(**{key: data[key] for key in ("check", "passed", "sentence", "skipped", "warning") if key in data})


@dataclass(frozen=True)
class Subject:
    """What the checks look at: the values submitted and the facts of the credential they name."""

    name: str
    marketing_action: str | None
    sender_phone_number_id: str
    sender_display: str  # "+1 631-555-0101", or the ID when the number is not in the fleet
    credential_name: str | None  # None: the credential no longer exists
    waba_id: str = ""
    token_last4: str = ""


def evaluate(
    *,
    subject: Subject,
    graph: GraphClient,
    token: Callable[[], str],
    name_is_free: Callable[[], bool],
    now: datetime,
) -> Iterator[CheckResult]:
    """Run every check in order, yielding each result as soon as it is known."""
    secret: str | None = None
    if subject.credential_name is None:
        yield _failed("token", "The API credential chosen no longer exists; choose another WhatsApp API configuration.")
    else:
        try:
            secret = token()
        except VaultError as exc:
            yield _failed("token", str(exc))
        else:
            result = _token(subject, graph, secret, now)
            secret = secret if result.passed else None
            yield result
    number: PhoneNumberHealth | None = None
    if secret is None:
        yield from (_skipped(check, "token") for check in ("waba", "sender_in_waba", "sender_connected"))
    else:
        reached = _waba(subject, graph, secret)
        yield reached
        if not reached.passed:
            yield from (_skipped(check, "waba") for check in ("sender_in_waba", "sender_connected"))
        else:
            belongs, number = _sender_in_waba(subject, graph, secret)
            yield belongs
            yield _sender_connected(number) if number else _skipped("sender_connected", "sender_in_waba")
    if name_is_free():
        free = f"No other configuration that is not deactivated is named “{subject.name}”."
        yield CheckResult("name_unique", True, free)
    else:
        yield _failed("name_unique", taken_sentence(subject.name))
    yield _marketing_action(subject.marketing_action)


def _failed(check: str, sentence: str) -> CheckResult:
    return CheckResult(check, False, sentence)


def _skipped(check: str, waits_on: str) -> CheckResult:
    sentence = f"Not checked: “{CHECKS[waits_on]}” must pass first."
    return CheckResult(check, False, sentence, skipped=True)


def _graph_failure(check: str, exc: GraphError, fix: str) -> CheckResult:
    if isinstance(exc, RateLimited):  # Meta answered and named its wait; "in a few minutes" would contradict it
        return _failed(check, f"{exc} Then submit again.")
    if exc.transient:
        return _failed(check, f"{exc} The Graph API did not answer properly; submit again in a few minutes.")
    return _failed(check, f"{exc} {fix}")


def _token(subject: Subject, graph: GraphClient, token: str, now: datetime) -> CheckResult:
    shown = f"“{subject.credential_name}” ({masked(subject.token_last4)})"
    fix = f"Then replace the token of API credential {shown} on the API credentials page and submit again."
    try:
        info = graph.debug_token(token)
    except GraphError as exc:
        return _graph_failure("token", exc, fix)
    if info.expires_at is not None and info.expires_at <= now:
        return _failed("token", f"The token of API credential {shown} expired on {spoken(info.expires_at)}. {fix}")
    if info.expires_at is None:
        return CheckResult("token", True, f"The token of API credential {shown} is valid and does not expire.")
    warning = None
    if info.expires_at - now < EXPIRY_WARNING:
        warning = f"The token of API credential {shown} expires on {spoken(info.expires_at)}; replace it before then."
    sentence = f"The token of API credential {shown} is valid until {spoken(info.expires_at)}."
    return CheckResult("token", True, sentence, warning=warning)


def _waba(subject: Subject, graph: GraphClient, token: str) -> CheckResult:
    fix = (
        f"Give the token's system user access to WhatsApp Business Account {subject.waba_id} in Meta Business "
        "Suite, or choose another API credential, then submit again."
    )
    try:
        account = graph.business_account(token, subject.waba_id)
    except GraphError as exc:
        return _graph_failure("waba", exc, fix)
    return CheckResult("waba", True, f"The token reaches WhatsApp Business Account {account.name} ({account.id}).")


def _sender_in_waba(subject: Subject, graph: GraphClient, token: str) -> tuple[CheckResult, PhoneNumberHealth | None]:
    try:
        numbers = graph.phone_numbers(token, subject.waba_id)
    except GraphError as exc:
        return _graph_failure("sender_in_waba", exc, "Then submit again."), None
    number = next((n for n in numbers if n.id == subject.sender_phone_number_id), None)
    if number is None:
        sentence = (
            f"Sender number {subject.sender_display} is not a number of WhatsApp Business Account {subject.waba_id}, "
            "the one the chosen API credential was set up for; choose one of that account's numbers, or the API "
            "credential of the number's own account, then submit again."
        )
        return _failed("sender_in_waba", sentence), None
    sentence = f"{number.display_phone_number} ({number.verified_name}) belongs to WABA {subject.waba_id}."
    return CheckResult("sender_in_waba", True, sentence), number


def _sender_connected(number: PhoneNumberHealth) -> CheckResult:
    """Fails when the number cannot send (the health model's verdict), warns when it is at risk or to watch."""
    assessment = health_model.assess(
        can_send=number.can_send,
        problems=number.problems,
        status=number.status,
        quality=number.quality_rating.value,
        name_status=number.name_status,
    )
    who = f"Sender number {number.display_phone_number}"
    status_ok = (number.status or "").upper() == "CONNECTED"
    blocking = [
        f for f in assessment.findings if f.severity is Severity.BLOCKED or (f.aspect == "status" and not status_ok)
    ]
    warnings = [f for f in assessment.findings if f not in blocking and f.severity.needs_attention]
    warning = " ".join(_finding_sentence(who, f, then="") for f in warnings) or None
    if not blocking:
        return CheckResult(
            "sender_connected", True, f"{number.display_phone_number} is connected and can send.", warning=warning
        )
    return CheckResult(
        "sender_connected", False, _finding_sentence(who, blocking[0], then=", then submit again"), warning=warning
    )


def _finding_sentence(who: str, finding: Finding, *, then: str) -> str:
    meta = f" Meta says: “{finding.meta_says.rstrip('.')}.”" if finding.meta_says else ""
    advice = f" {finding.advice.rstrip('.')}{then}." if finding.advice else (f" Resolve it in WhatsApp Manager{then}.")
    return f"{who} {finding.sentence}.{meta}{advice}"


def _marketing_action(key: str | None) -> CheckResult:
    if marketing_actions.exists(key):
        return CheckResult("marketing_action", True, f"Marketing action “{marketing_actions.label_of(key)}” exists.")
    return _failed("marketing_action", f"Marketing action “{key}” does not exist; choose one listed and submit again.")
