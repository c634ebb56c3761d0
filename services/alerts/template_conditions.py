"""What is wrong with message templates now: paused, disabled, rejected or red, judged by the one health model.

Only templates the model rates at risk or worse are read (an index on severity), so the cost follows the
templates in trouble, not all of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from services.alerts.condition import Condition
from services.health.model import Severity, assess_stored_template
from services.language.translate import _
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
        return _("Meta sends it again from about {moment}, unless it pauses it again.", moment=moment_words(at))
    if template.status == "DISABLED" and (at := when_of(info.get("disable_date"))):
        return _("Meta disabled it on {moment}.", moment=moment_words(at))
    return ""


def template_conditions(
    session: Session, active: dict[str, str], *, template_ids: Sequence[str] | None = None
) -> Iterator[Condition]:
    """A condition per template and rule that holds now, for the active template rules (of `template_ids` only)."""
    wanted = [rule for rule in TEMPLATE_RULES if rule in active]
    if not wanted:
        return
    query = (
        select(MessageTemplate, WhatsAppBusinessAccount.name)
        .join(WhatsAppBusinessAccount, col(WhatsAppBusinessAccount.id) == col(MessageTemplate.waba_id))
        .where(col(MessageTemplate.severity) <= int(Severity.AT_RISK))
        .order_by(col(MessageTemplate.id))
    )
    if template_ids is not None:
        query = query.where(col(MessageTemplate.id).in_(list(template_ids)))
    for template, waba_name in session.exec(query):
        assessment = assess_stored_template(template)
        label, account = template_label(template), waba_name or template.waba_id
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
            detail = _(
                "Template {template} of WhatsApp Business Account {account} {finding}.",
                template=label,
                account=account,
                finding=finding.sentence,
            )
            if finding.aspect == "status" and (until := _until(template)):
                detail += " " + until
            if finding.meta_says:
                detail += "\n" + _("Meta says: {meta_says}", meta_says=finding.meta_says)
            yield Condition(
                rule,
                "template",
                template.id,
                label,
                active[rule],
                _("Template {template} {finding}", template=label, finding=finding.sentence)[:300],
                detail[:2000],
                str(finding.advice)[:500],
            )
