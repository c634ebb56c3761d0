"""An alert in the reader's language.

An alert's title, detail and advice are stored as the English the evaluating process wrote (the poller, the
sender, a webhook's drain: they speak English). In English they are shown as stored. In another language the
condition is said again from the store, for the alert's subject alone, in that language: what holds now is what
an alert not resolved says (each evaluation writes it again). An alert whose condition no longer holds (resolved,
or clearing) is said by its rule's title and its subject, which the row keeps in a form any language can say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from services.alerts import console_conditions as console
from services.alerts import fleet_conditions as fleet
from services.alerts import template_conditions as templates
from services.alerts.condition import Condition
from services.alerts.rules import RULES
from services.language.current import current
from services.language.languages import ENGLISH
from services.language.translate import _, lazy
from services.store.models import Alert, Credential, PhoneNumber, WhatsAppBusinessAccount
from services.templates.languages import language_words

DEFAULT_POLL_INTERVAL_S = 300.0
# The console's own subjects are named by the console, so their names can be said in any language.
CONSOLE_SUBJECTS = {"poller": lazy("Poller"), "webhooks": lazy("Webhooks")}
_TEMPLATE_LABEL = re.compile(r"(?P<name>.+) \((?P<code>[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]+)*)\)")


@dataclass(frozen=True)
class Words:
    title: str
    detail: str
    advice: str


def stored(alert: Alert) -> Words:
    """The words as the row keeps them (English)."""
    return Words(title=alert.title, detail=alert.detail, advice=alert.advice)


def subject_words(alert: Alert) -> str:
    """The subject's name: as Meta or a person named it, or the console's own part in the reader's language.

    A template is its name in one language: 'spring_sale (en_US)' as stored; in another language than English its
    language code reads in words, as the Templates page says it ('spring_sale · 英语（美国）').
    """
    if alert.subject_kind == "console" and alert.subject_id in CONSOLE_SUBJECTS:
        return str(CONSOLE_SUBJECTS[alert.subject_id])
    if alert.subject_kind == "template" and current() != ENGLISH:
        if found := _TEMPLATE_LABEL.fullmatch(alert.subject_name):
            return f"{found['name']} · {language_words(found['code'])}"
    return alert.subject_name


def _rule_words(alert: Alert) -> Words:
    rule = str(RULES[alert.rule].title) if alert.rule in RULES else alert.rule
    subject = subject_words(alert)
    title = _("{rule}: {subject}", rule=rule, subject=subject) if subject else rule
    return Words(title=title[:300], detail="", advice="")


def _portfolio_wabas(session: Session, subject_id: str) -> list[str]:
    if subject_id.startswith("waba:"):
        return [subject_id.removeprefix("waba:")]
    query = select(WhatsAppBusinessAccount.id).where(col(WhatsAppBusinessAccount.portfolio_id) == subject_id)
    return list(session.exec(query))


def _conditions(session: Session, alert: Alert, now: datetime, poll_interval_s: float) -> Iterable[Condition | None]:
    """The conditions of the alert's rule that hold now for its subject alone, in the current language."""
    kind, subject, rule, severity = alert.subject_kind, alert.subject_id, alert.rule, alert.severity
    if kind == "number":
        number = session.get(PhoneNumber, subject)
        return fleet.number_conditions(number, {rule: severity}) if number is not None else ()
    if kind == "waba" and rule == "waba_banned":
        account = session.get(WhatsAppBusinessAccount, subject)
        return [fleet.account_condition(account, severity)] if account is not None else ()
    if kind == "portfolio" and rule == "portfolio_limit_lowered":
        return fleet.limit_conditions(session, now, severity, waba_ids=_portfolio_wabas(session, subject))
    if kind == "credential" and subject.isdigit():
        credential = session.get(Credential, int(subject))
        return [console.token_condition(credential, now, {rule: severity})] if credential is not None else ()
    if kind == "console" and rule == "poller_silent":
        credentials = list(session.exec(select(Credential)))
        return [console.poller_condition(session, credentials, now, poll_interval_s, severity)]
    if kind == "console" and rule == "webhook_bad_signatures":
        return [console.refusal_condition(session, now, severity)]
    if kind == "template":
        return templates.template_conditions(session, {rule: severity}, template_ids=[subject])
    return ()


def said_again(
    session: Session, alert: Alert, *, now: datetime, poll_interval_s: float = DEFAULT_POLL_INTERVAL_S
) -> Words:
    """The alert in the current language (as stored in English)."""
    if current() == ENGLISH:
        return stored(alert)
    if alert.state != "resolved" and alert.clear_since is None:
        key = (alert.rule, alert.subject_kind, alert.subject_id)
        for condition in _conditions(session, alert, now, poll_interval_s):
            if condition is not None and condition.key == key:
                return Words(title=condition.title[:300], detail=condition.detail[:2000], advice=condition.advice[:500])
    return _rule_words(alert)


def said(
    session: Session, alerts: Sequence[Alert], *, now: datetime, poll_interval_s: float = DEFAULT_POLL_INTERVAL_S
) -> dict[int, Words]:
    """Alert id -> its words in the current language."""
    return {a.id: said_again(session, a, now=now, poll_interval_s=poll_interval_s) for a in alerts if a.id is not None}
