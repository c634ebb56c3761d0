"""Rule switches as an admin sees them: each rule on or off with its severity; a change is audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from services.access import audit
from services.access.roles import Actor, require_admin
from services.alerts.rules import RULES, set_rule
from services.store.models import AlertRule


@dataclass(frozen=True)
class RuleSetting:
    rule: str
    title: str
    enabled: bool
    severity: str


def rule_settings(*, session: Session) -> list[RuleSetting]:
    """Every rule with its switch and severity (the defaults where no admin changed them)."""
    stored = {row.rule: row for row in session.exec(select(AlertRule))}
    found = []
    for rule, spec in RULES.items():
        row = stored.get(rule)
        enabled, severity = (row.enabled, row.severity) if row else (True, spec.severity)
        found.append(RuleSetting(rule=rule, title=str(spec.title), enabled=enabled, severity=severity))
    return found


def switch_rule(*, session: Session, actor: Actor, rule: str, enabled: bool, severity: str) -> bool:
    """Store the rule's switch and severity and audit it (the caller commits); False when nothing changed."""
    require_admin(actor, "switch alert rules")
    [before] = [s for s in rule_settings(session=session) if s.rule == rule]
    if (before.enabled, before.severity) == (enabled, severity):
        return False
    set_rule(session, rule, enabled=enabled, severity=severity)
    audit.record(
        session=session,
        actor=actor,
        action="update",
        object_type="alert_rule",
        object_id=rule,
        object_name=RULES[rule].title.message,  # the audit trail keeps the English
        before={"enabled": before.enabled, "severity": before.severity},
        after={"enabled": enabled, "severity": severity},
    )
    return True
