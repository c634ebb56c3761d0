"""What is wrong with message templates now: paused, disabled, rejected or red, judged by the one health model.

Only templates the model rates at risk or worse are read (an index on severity), so the cost follows the
templates in trouble, not all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from services.alerts.condition import Condition
from services.health.model import Severity, assess_stored_template
from services.moments import moment_words
from services.store.models import MessageTemplate, WhatsAppBusinessAccount

TEMPLATE_RULES = ("template_paused", "template_disabled", "template_rejected", "template_quality_red")
_BY_STATUS = {"PAUSED": "template_paused", "DISABLED": "template_disabled", "REJECTED": "template_rejected"}


def template_label(template: MessageTemplate) -> str:
    """'spring_sale (en_US)': a template is its name in one language."""
    return f"{template.name} ({template.language})"


def when_of(raw: object) -> datetime | None:
    """A moment Meta or the console stored: ISO text, or Unix seconds (Meta's disable_date)."""
    try:
        if isinstance(raw, int | float) or (isinstance(raw, str) and raw.isdigit()):
            return datetime.fromtimestamp(int(raw), tz=UTC)
        return datetime.fromisoformat(raw) if isinstance(raw, str) and raw else None
    except (ValueError, OverflowError, OSError):
        return None


def _until(template: MessageTemplate) -> str:
    info = template.status_info or {}
    if template.status == "PAUSED" and (at := when_of(info.get("paused_until"))):
        return f" Meta sends it again from about {moment_words(at)}, unless it pauses it again."
    if template.status == "DISABLED" and (at := when_of(info.get("disable_date"))):
        return f" Meta disabled it on {moment_words(at)}."
    return ""


def template_conditions(session: Session, active: dict[str, str]) -> Iterator[Condition]:
    """A condition per template and rule that holds now, for the active template rules."""
    wanted = [rule for rule in TEMPLATE_RULES if rule in active]
    if not wanted:
        return
    query = (
        select(MessageTemplate, WhatsAppBusinessAccount.name)
        .join(WhatsAppBusinessAccount, col(WhatsAppBusinessAccount.id) == col(MessageTemplate.waba_id))
        .where(col(MessageTemplate.severity) <= int(Severity.AT_RISK))
        .order_by(col(MessageTemplate.id))
    )
    for template, waba_name in session.exec(query):
        assessment = assess_stored_template(template)
        label, where = template_label(template), f"WhatsApp Business Account {waba_name or template.waba_id}"
        for finding in assessment.findings:
            if finding.severity > Severity.AT_RISK:
                continue
            if finding.aspect == "status":
                rule = _BY_STATUS.get(template.status)
            else:
                red = template.quality_score == "RED" and template.status not in ("PAUSED", "DISABLED")
                rule = "template_quality_red" if red else None
            if rule is None or rule not in active:
                continue
            detail = f"Template {label} of {where} {finding.sentence}."
            if finding.aspect == "status":
                detail += _until(template)
            if finding.meta_says:
                detail += f"\nMeta says: {finding.meta_says}"
            yield Condition(
                rule,
                "template",
                template.id,
                label,
                active[rule],
                f"Template {label} {finding.sentence}"[:300],
                detail[:2000],
                finding.advice[:500],
            )
