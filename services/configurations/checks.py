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
from services.graph.said import Said, Stripped, joined, said_of
from services.graph.types import PhoneNumberHealth
from services.health import model as health_model
from services.health.model import Finding, Severity
from services.language.translate import N_, _, lazy

CHECKS = {
    "token": lazy("The credential's token is valid and not expired"),
    "waba": lazy("The token reaches the WhatsApp Business Account"),
    "sender_in_waba": lazy("The sender number belongs to that WABA"),
    "sender_connected": lazy("The sender number is connected and Meta lets it send"),
    "name_unique": lazy("The name is still unique"),
    "marketing_action": lazy("The marketing action exists"),
}
EXPIRY_WARNING = timedelta(days=7)


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome; `skipped` when an earlier check it needs did not pass.

    `sentence` and `warning` are English (the audit trail's words); `said` and `warning_said` keep their msgids
    and values, so `text` and `warning_text` read in the reader's language. Results stored before those were
    kept have only the English, which reads translated when it is a sentence of the catalogue.
    """

    check: str
    passed: bool
    sentence: str
    skipped: bool = False
    warning: str | None = None
    said: dict[str, Any] | None = None
    warning_said: dict[str, Any] | None = None

    @classmethod
    def of(
        cls, check: str, passed: bool, sentence: Said, *, skipped: bool = False, warning: Said | None = None
    ) -> CheckResult:
        """A result from sentences kept to be said in each reader's language."""
        return cls(
            check,
            passed,
            sentence.english(),
            skipped=skipped,
            warning=warning.english() if warning is not None else None,
            said=sentence.to_json(),
            warning_said=warning.to_json() if warning is not None else None,
        )

    @property
    def label(self) -> str:
        label = CHECKS.get(self.check)
        return str(label) if label is not None else self.check

    @property
    def text(self) -> str:
        """The sentence in the reader's language."""
        return str(Said.from_json(self.said)) if self.said else _(self.sentence)

    @property
    def warning_text(self) -> str | None:
        """The warning in the reader's language (None when there is none)."""
        if self.warning_said:
            return str(Said.from_json(self.warning_said))
        return _(self.warning) if self.warning else None

    @property
    def failed(self) -> bool:
        """A failure worth a reason of its own (a skipped check only waits on another)."""
        return not self.passed and not self.skipped

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        keys = ("check", "passed", "sentence", "skipped", "warning", "said", "warning_said")
        return cls(**{key: data[key] for key in keys if key in data})


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
        yield _failed(
            "token",
            Said(N_("The API credential chosen no longer exists; choose another WhatsApp API configuration.")),
        )
    else:
        try:
            secret = token()
        except VaultError as exc:
            yield _failed("token", said_of(str(exc)))
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
        free = Said(N_("No other configuration that is not deactivated is named “{name}”."), name=subject.name)
        yield CheckResult.of("name_unique", True, free)
    else:
        yield _failed("name_unique", taken_sentence(subject.name))
    yield _marketing_action(subject.marketing_action)


def _failed(check: str, sentence: Said | str) -> CheckResult:
    return CheckResult.of(
        check, False, sentence if isinstance(sentence, Said) else Said(N_("{sentence}"), sentence=sentence)
    )


def _skipped(check: str, waits_on: str) -> CheckResult:
    label = CHECKS[waits_on]
    sentence = Said(N_("Not checked: “{check}” must pass first."), check=Said(label.message))
    return CheckResult.of(check, False, sentence, skipped=True)


def _graph_failure(check: str, exc: GraphError, fix: Said) -> CheckResult:
    if isinstance(exc, RateLimited):  # Meta answered and named its wait; "in a few minutes" would contradict it
        return _failed(check, joined(exc.said, Said(N_("Then submit again."))))
    if exc.transient:
        again = Said(N_("The Graph API did not answer properly; submit again in a few minutes."))
        return _failed(check, joined(exc.said, again))
    return _failed(check, joined(exc.said, fix))


def _token(subject: Subject, graph: GraphClient, token: str, now: datetime) -> CheckResult:
    shown = f"“{subject.credential_name}” ({masked(subject.token_last4)})"
    fix = Said(
        N_("Then replace the token of API credential {credential} on the API credentials page and submit again."),
        credential=shown,
    )
    try:
        info = graph.debug_token(token)
    except GraphError as exc:
        return _graph_failure("token", exc, fix)
    if info.expires_at is not None and info.expires_at <= now:
        expired = Said(
            N_("The token of API credential {credential} expired on {moment}."),
            credential=shown,
            moment=info.expires_at,
        )
        return _failed("token", joined(expired, fix))
    if info.expires_at is None:
        sentence = Said(N_("The token of API credential {credential} is valid and does not expire."), credential=shown)
        return CheckResult.of("token", True, sentence)
    warning = None
    if info.expires_at - now < EXPIRY_WARNING:
        warning = Said(
            N_("The token of API credential {credential} expires on {moment}; replace it before then."),
            credential=shown,
            moment=info.expires_at,
        )
    sentence = Said(
        N_("The token of API credential {credential} is valid until {moment}."),
        credential=shown,
        moment=info.expires_at,
    )
    return CheckResult.of("token", True, sentence, warning=warning)


def _waba(subject: Subject, graph: GraphClient, token: str) -> CheckResult:
    fix = Said(
        N_(
            "Give the token's system user access to WhatsApp Business Account {waba_id} in Meta Business "
            "Suite, or choose another API credential, then submit again."
        ),
        waba_id=subject.waba_id,
    )
    try:
        account = graph.business_account(token, subject.waba_id)
    except GraphError as exc:
        return _graph_failure("waba", exc, fix)
    sentence = Said(
        N_("The token reaches WhatsApp Business Account {name} ({waba_id})."), name=account.name, waba_id=account.id
    )
    return CheckResult.of("waba", True, sentence)


def _sender_in_waba(subject: Subject, graph: GraphClient, token: str) -> tuple[CheckResult, PhoneNumberHealth | None]:
    try:
        numbers = graph.phone_numbers(token, subject.waba_id)
    except GraphError as exc:
        return _graph_failure("sender_in_waba", exc, Said(N_("Then submit again."))), None
    number = next((n for n in numbers if n.id == subject.sender_phone_number_id), None)
    if number is None:
        sentence = Said(
            N_(
                "Sender number {number} is not a number of WhatsApp Business Account {waba_id}, the one the chosen "
                "API credential was set up for; choose one of that account's numbers, or the API credential of the "
                "number's own account, then submit again."
            ),
            number=subject.sender_display,
            waba_id=subject.waba_id,
        )
        return _failed("sender_in_waba", sentence), None
    sentence = Said(
        N_("{number} ({verified_name}) belongs to WABA {waba_id}."),
        number=number.display_phone_number,
        verified_name=number.verified_name,
        waba_id=subject.waba_id,
    )
    return CheckResult.of("sender_in_waba", True, sentence), number


def _sender_connected(number: PhoneNumberHealth) -> CheckResult:
    """Fails when the number cannot send (the health model's verdict), warns when it is at risk or to watch."""
    assessment = health_model.assess(
        can_send=number.can_send,
        problems=number.problems,
        status=number.status,
        quality=number.quality_rating.value,
        name_status=number.name_status,
    )
    who = number.display_phone_number
    status_ok = (number.status or "").upper() == "CONNECTED"
    blocking = [
        f for f in assessment.findings if f.severity is Severity.BLOCKED or (f.aspect == "status" and not status_ok)
    ]
    warnings = [f for f in assessment.findings if f not in blocking and f.severity.needs_attention]
    warning = joined(*(_finding_sentence(who, f, then=False) for f in warnings)) if warnings else None
    if not blocking:
        sentence = Said(N_("{number} is connected and can send."), number=number.display_phone_number)
        return CheckResult.of("sender_connected", True, sentence, warning=warning)
    return CheckResult.of("sender_connected", False, _finding_sentence(who, blocking[0], then=True), warning=warning)


def _finding_sentence(who: str, finding: Finding, *, then: bool) -> Said:
    """'Sender number … cannot send messages: …. Meta says: “…” Add a valid payment method …, then submit again.'"""
    parts = [Said(N_("Sender number {number} {finding}."), number=who, finding=Stripped(said_of(finding.sentence)))]
    if finding.meta_says:
        parts.append(Said(N_("Meta says: “{meta_says}.”"), meta_says=finding.meta_says.rstrip(".")))
    if finding.advice and then:
        parts.append(Said(N_("{advice}, then submit again."), advice=Stripped(said_of(finding.advice))))
    elif finding.advice:
        parts.append(Said(N_("{advice}."), advice=Stripped(said_of(finding.advice))))
    else:
        parts.append(
            Said(N_("Resolve it in WhatsApp Manager, then submit again."))
            if then
            else Said(N_("Resolve it in WhatsApp Manager."))
        )
    return joined(*parts)


def _marketing_action(key: str | None) -> CheckResult:
    if marketing_actions.exists(key):
        sentence = Said(N_("Marketing action “{action}” exists."), action=marketing_actions.label_said(key))
        return CheckResult.of("marketing_action", True, sentence)
    sentence = Said(
        N_("Marketing action “{action}” does not exist; choose one listed and submit again."), action=str(key)
    )
    return _failed("marketing_action", sentence)
