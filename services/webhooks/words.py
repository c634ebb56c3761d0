"""Each webhook event in the operator's words; Meta's values are put in words by services.health.vocabulary.

The sentence is stored with the event in English (the language of the process that applies it); a page in another
language says it again from the stored value (`summary` in the reader's language).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.health.vocabulary import limit_words, throughput_words
from services.language.translate import LazyText, _, lazy
from services.moments import moment_words
from services.webhooks.events import Change, limit_of

BAN_STATES = {
    "DISABLE": lazy("Meta disabled (banned) {account}{when}"),
    "REINSTATE": lazy("Meta reinstated {account}{when}"),
    "SCHEDULE_FOR_DISABLE": lazy("Meta scheduled to be disabled {account}{when}"),
}
QUALITY_EVENTS = {
    "ONBOARDING": lazy("{number} finished onboarding"),
    "THROUGHPUT_UPGRADE": lazy("{number} had its throughput raised to {throughput}"),
    "UPGRADE": lazy("{number} had its messaging limit raised"),
    "DOWNGRADE": lazy("{number} had its messaging limit lowered"),
    "FLAGGED": lazy("{number} was Flagged (a state of Meta's older quality model)"),
    "UNFLAGGED": lazy("{number} is no longer Flagged"),
}
NAME_DECISIONS = {
    "APPROVED": lazy("Meta approved the display name “{name}” for {number}"),
    "REJECTED": lazy("Meta rejected the display name “{name}” for {number}"),
    "PENDING": lazy("Meta is reviewing the display name “{name}” for {number}"),
    "DEFERRED": lazy("Meta deferred the display name “{name}” for {number}"),
}
NAME_STATUS_AFTER = {
    "APPROVED": "APPROVED",
    "REJECTED": "DECLINED",
    "PENDING": "PENDING_REVIEW",
    "DEFERRED": "PENDING_REVIEW",
}
RESTRICTIONS = {
    "RESTRICTED_BIZ_INITIATED_MESSAGING": lazy("no messages the business starts (it may only reply)"),
    "RESTRICTED_CUSTOMER_INITIATED_MESSAGING": lazy("no replies to customers"),
    "RESTRICTED_ADD_PHONE_NUMBER_ACTION": lazy("no new phone numbers"),
}
# Meta's values that events carry, in words (each reads as its English value, lower case, where untranslated).
ALERT_SEVERITIES = {"CRITICAL": lazy("critical"), "WARNING": lazy("warning"), "INFORMATIONAL": lazy("informational")}
TEMPLATE_EVENTS = {
    "APPROVED": lazy("approved"),
    "REJECTED": lazy("rejected"),
    "PENDING": lazy("pending"),
    "PAUSED": lazy("paused"),
    "DISABLED": lazy("disabled"),
    "FLAGGED": lazy("flagged"),
    "REINSTATED": lazy("reinstated"),
    "IN_APPEAL": lazy("in appeal"),
    "PENDING_DELETION": lazy("pending deletion"),
    "DELETED": lazy("deleted"),
    "ARCHIVED": lazy("archived"),
    "LIMIT_EXCEEDED": lazy("limit exceeded"),
}
QUALITY_SCORES = {"GREEN": lazy("green"), "YELLOW": lazy("yellow"), "RED": lazy("red"), "UNKNOWN": lazy("unknown")}
MAX_SUMMARY = 500


def _words(raw: object) -> str:
    """SOME_META_VALUE -> 'some meta value', for values no table knows yet."""
    return str(raw or "").replace("_", " ").lower().strip()


def _moment(raw: object) -> str:
    """Meta's Unix seconds (or an ISO date) as the console's one format, in UTC (summaries are stored)."""
    try:
        return moment_words(datetime.fromtimestamp(int(str(raw)), UTC))
    except (ValueError, OverflowError, OSError):
        try:
            return moment_words(datetime.fromisoformat(str(raw)).replace(tzinfo=UTC))
        except ValueError:
            return str(raw)


def _known(table: dict[str, LazyText], raw: object) -> str:
    """Meta's value in words from `table`, else as itself in lower case ('' when there is none)."""
    words = table.get(str(raw or "").upper())
    return str(words) if words is not None else _words(raw)


def _restrictions(value: dict[str, Any]) -> str:
    found = []
    for item in value.get("restriction_info") or []:
        if isinstance(item, dict):
            kind = str(item.get("restriction_type") or "").upper()
            what = str(RESTRICTIONS.get(kind) or _words(kind).removeprefix("restricted "))
            if item.get("expiration"):
                what = _("{restriction} until {moment}", restriction=what, moment=_moment(item["expiration"]))
            found.append(what)
    return _("; ").join(found) or _("no details given")


def _account_update(value: dict[str, Any], account: str) -> str:
    event = str(value.get("event") or "").upper()
    if event == "DISABLED_UPDATE":
        ban = value.get("ban_info") if isinstance(value.get("ban_info"), dict) else {}
        state = str(ban.get("waba_ban_state") or "").upper()
        when = _(" (date given: {moment})", moment=_moment(ban["waba_ban_date"])) if ban.get("waba_ban_date") else ""
        if state in BAN_STATES:
            return str(BAN_STATES[state]).format(account=account, when=when)
        if _words(state):
            return _("Meta {action} {account}{when}", action=_words(state), account=account, when=when)
        return _("Meta changed the ban state of {account}{when}", account=account, when=when)
    if event == "ACCOUNT_VIOLATION":
        info = value.get("violation_info") if isinstance(value.get("violation_info"), dict) else {}
        violation = _words(info.get("violation_type")) or _("no type given")
        return _("Meta reports a policy violation by {account}: {violation}", account=account, violation=violation)
    if event == "ACCOUNT_RESTRICTION":
        return _("Meta restricted {account}: {restrictions}", account=account, restrictions=_restrictions(value))
    if event == "ACCOUNT_DELETED":
        return _("Meta deleted {account}", account=account)
    if event == "PARTNER_REMOVED":
        return _("{account} removed its partner; the console may lose access to it", account=account)
    return _("Meta reports on {account}: {event}", account=account, event=_words(event) or _("an account update"))


def _quality_update(value: dict[str, Any], number: str) -> str:
    event = str(value.get("event") or "").upper()
    if event in QUALITY_EVENTS:
        text = str(QUALITY_EVENTS[event]).format(number=number, throughput=throughput_words("HIGH"))
    elif _words(event):
        text = _("{number} {event}", number=number, event=_words(event))
    else:
        text = _("{number} changed", number=number)
    if limit := limit_of(value):
        text = _("{event}; its business portfolio may reach {limit}", event=text, limit=limit_words(limit).lower())
    return _("{event}; the poller reads its quality rating again", event=text)


def _name_update(value: dict[str, Any], number: str) -> str:
    decision = str(value.get("decision") or "").upper()
    name = value.get("requested_verified_name") or _("a new name")
    if decision in NAME_DECISIONS:
        text = str(NAME_DECISIONS[decision]).format(name=name, number=number)
    elif _words(decision):
        text = _(
            "Meta {decision} the display name “{name}” for {number}",
            decision=_words(decision),
            name=name,
            number=number,
        )
    else:
        text = _("Meta decided on the display name “{name}” for {number}", name=name, number=number)
    if value.get("rejection_reason") and str(value["rejection_reason"]).upper() != "NONE":
        text = _("{event}: {reason}", event=text, reason=_words(value["rejection_reason"]))
    return text


def summary(change: Change, *, account: str, number: str) -> str:
    """One sentence for the event; `account` and `number` are how the operator knows them."""
    value = change.value
    field = change.field
    if field == "account_update":
        text = _account_update(value, account)
    elif field == "phone_number_quality_update":
        text = _quality_update(value, number)
    elif field == "business_capability_update":
        limit = limit_of(value)
        reach = limit_words(limit).lower() if limit else _("new limits")
        text = _(
            "Meta changed what the business portfolio of {account} may send: {reach}", account=account, reach=reach
        )
    elif field == "phone_number_name_update":
        text = _name_update(value, number)
    elif field == "account_alerts":
        info = value.get("alert_info") if isinstance(value.get("alert_info"), dict) else value
        about = info.get("alert_description") or _words(info.get("alert_type")) or _("no description given")
        if severity := _known(ALERT_SEVERITIES, info.get("alert_severity")):
            text = _(
                "Meta sent {severity} alert about {account}: {about}", severity=severity, account=account, about=about
            )
        else:
            text = _("Meta sent an alert about {account}: {about}", account=account, about=about)
    elif field == "message_template_status_update":
        name = value.get("message_template_name") or value.get("message_template_id") or _("a template")
        status = _known(TEMPLATE_EVENTS, value.get("event")) or _("changed")
        text = _("Template “{name}” of {account} is now {status}", name=name, account=account, status=status)
        if value.get("reason") and str(value["reason"]).upper() != "NONE":
            text = _("{event} ({reason})", event=text, reason=_words(value["reason"]))
    elif field == "message_template_quality_update":
        name = value.get("message_template_name") or value.get("message_template_id") or _("a template")
        before = _known(QUALITY_SCORES, value.get("previous_quality_score")) or _("unknown")
        after = _known(QUALITY_SCORES, value.get("new_quality_score")) or _("unknown")
        text = _(
            "Template “{name}” of {account} changed quality from {before} to {after}",
            name=name,
            account=account,
            before=before,
            after=after,
        )
    else:
        text = _(
            "Meta sent a “{field}” event about {account}; the console stores it as received",
            field=field or _("unnamed"),
            account=account,
        )
    return _("{sentence}.", sentence=text[0].upper() + text[1:])[:MAX_SUMMARY]


def name_status_after(decision: str) -> str | None:
    """A display-name decision as the number's name status (the values services.health.vocabulary words)."""
    return NAME_STATUS_AFTER.get(decision.upper())
