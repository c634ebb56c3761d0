"""The alert rules: what each watches, its title and default severity, and which an admin switched off."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from services.language.translate import LazyText, lazy
from services.store.models import AlertRule

CRITICAL, WARNING, INFO = "critical", "warning", "info"
SEVERITIES = (CRITICAL, WARNING, INFO)  # worst first
_RANK = {CRITICAL: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class RuleSpec:
    title: LazyText  # says itself in the reader's language; `.message` is the English
    severity: str  # the default: critical | warning | info


RULES: dict[str, RuleSpec] = {
    "number_cannot_send": RuleSpec(lazy("A number cannot send (blocked, limited or not connected)"), CRITICAL),
    "quality_dropped": RuleSpec(lazy("A number's quality rating dropped"), WARNING),
    "portfolio_limit_lowered": RuleSpec(lazy("A business portfolio's messaging limit was lowered"), WARNING),
    "display_name_rejected": RuleSpec(lazy("A number's display name was rejected"), WARNING),
    "waba_banned": RuleSpec(lazy("A WhatsApp Business Account is banned or blocked"), CRITICAL),
    "token_expiring": RuleSpec(lazy("An API credential's token expires within 7 days"), WARNING),
    "token_expired": RuleSpec(lazy("An API credential's token has expired"), CRITICAL),
    "token_revoked": RuleSpec(lazy("An API credential's token was revoked or is invalid"), CRITICAL),
    "poller_silent": RuleSpec(lazy("The poller has not finished a cycle for 3 poll intervals"), CRITICAL),
    "webhook_bad_signatures": RuleSpec(lazy("Many webhook posts with a bad signature (10 in 5 minutes)"), WARNING),
    "template_paused": RuleSpec(lazy("A message template is paused: Meta refuses to send it"), CRITICAL),
    "template_disabled": RuleSpec(lazy("A message template is disabled"), CRITICAL),
    "template_rejected": RuleSpec(lazy("A message template was rejected in Meta's review"), WARNING),
    "template_quality_red": RuleSpec(lazy("A message template's quality is red (low)"), WARNING),
}


def meets(severity: str, minimum: str) -> bool:
    """Whether an alert of `severity` is at least as bad as a channel's `minimum`."""
    return _RANK.get(severity, len(_RANK)) <= _RANK.get(minimum, len(_RANK))


def milder(severity: str) -> str:
    """One step less severe (critical -> warning -> info)."""
    return SEVERITIES[min(_RANK.get(severity, 2) + 1, len(SEVERITIES) - 1)]


def active_rules(session: Session) -> dict[str, str]:
    """Each rule switched on, with the severity it raises (an admin's choice, else its default)."""
    chosen = {row.rule: row for row in session.exec(select(AlertRule))}
    active: dict[str, str] = {}
    for rule, spec in RULES.items():
        row = chosen.get(rule)
        if row is None:
            active[rule] = spec.severity
        elif row.enabled:
            active[rule] = row.severity if row.severity in _RANK else spec.severity
    return active


def set_rule(session: Session, rule: str, *, enabled: bool, severity: str | None = None) -> AlertRule:
    """Switch a rule on or off, or change its severity (no commit)."""
    if rule not in RULES:
        raise ValueError(f"There is no alert rule {rule!r}.")
    if severity is not None and severity not in _RANK:
        raise ValueError(f"An alert's severity is one of {', '.join(SEVERITIES)}, not {severity!r}.")
    row = session.get(AlertRule, rule) or AlertRule(rule=rule, severity=RULES[rule].severity)
    row.enabled = enabled
    row.severity = severity or row.severity
    session.add(row)
    return row
