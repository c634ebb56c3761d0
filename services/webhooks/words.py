"""Each webhook event in the operator's words; Meta's values are put in words by services.health.vocabulary."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.health.vocabulary import limit_words, throughput_words
from services.moments import moment_words
from services.webhooks.events import Change, limit_of

BAN_STATES = {
    "DISABLE": "disabled (banned)",
    "REINSTATE": "reinstated",
    "SCHEDULE_FOR_DISABLE": "scheduled to be disabled",
}
QUALITY_EVENTS = {
    "ONBOARDING": "finished onboarding",
    "THROUGHPUT_UPGRADE": f"had its throughput raised to {throughput_words('HIGH')}",
    "UPGRADE": "had its messaging limit raised",
    "DOWNGRADE": "had its messaging limit lowered",
    "FLAGGED": "was Flagged (a state of Meta's older quality model)",
    "UNFLAGGED": "is no longer Flagged",
}
NAME_DECISIONS = {"APPROVED": "approved", "REJECTED": "rejected", "PENDING": "is reviewing", "DEFERRED": "deferred"}
NAME_STATUS_AFTER = {
    "APPROVED": "APPROVED",
    "REJECTED": "DECLINED",
    "PENDING": "PENDING_REVIEW",
    "DEFERRED": "PENDING_REVIEW",
}
RESTRICTIONS = {
    "RESTRICTED_BIZ_INITIATED_MESSAGING": "no messages the business starts (it may only reply)",
    "RESTRICTED_CUSTOMER_INITIATED_MESSAGING": "no replies to customers",
    "RESTRICTED_ADD_PHONE_NUMBER_ACTION": "no new phone numbers",
}
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


def _restrictions(value: dict[str, Any]) -> str:
    found = []
    for item in value.get("restriction_info") or []:
        if isinstance(item, dict):
            kind = str(item.get("restriction_type") or "").upper()
            what = RESTRICTIONS.get(kind) or _words(kind).removeprefix("restricted ")
            until = f" until {_moment(item['expiration'])}" if item.get("expiration") else ""
            found.append(f"{what}{until}")
    return "; ".join(found) or "no details given"


def _account_update(value: dict[str, Any], account: str) -> str:
    event = str(value.get("event") or "").upper()
    if event == "DISABLED_UPDATE":
        ban = value.get("ban_info") if isinstance(value.get("ban_info"), dict) else {}
        state = str(ban.get("waba_ban_state") or "").upper()
        when = f" (date given: {_moment(ban['waba_ban_date'])})" if ban.get("waba_ban_date") else ""
        return f"Meta {BAN_STATES.get(state, _words(state) or 'changed the ban state of')} {account}{when}"
    if event == "ACCOUNT_VIOLATION":
        info = value.get("violation_info") if isinstance(value.get("violation_info"), dict) else {}
        return f"Meta reports a policy violation by {account}: {_words(info.get('violation_type')) or 'no type given'}"
    if event == "ACCOUNT_RESTRICTION":
        return f"Meta restricted {account}: {_restrictions(value)}"
    if event == "ACCOUNT_DELETED":
        return f"Meta deleted {account}"
    if event == "PARTNER_REMOVED":
        return f"{account} removed its partner; the console may lose access to it"
    return f"Meta reports on {account}: {_words(event) or 'an account update'}"


def summary(change: Change, *, account: str, number: str) -> str:
    """One sentence for the event; `account` and `number` are how the operator knows them."""
    value = change.value
    field = change.field
    if field == "account_update":
        text = _account_update(value, account)
    elif field == "phone_number_quality_update":
        event = str(value.get("event") or "").upper()
        text = f"{number} {QUALITY_EVENTS.get(event, _words(event) or 'changed')}"
        if limit := limit_of(value):
            text += f"; its business portfolio may reach {limit_words(limit).lower()}"
        text += "; the poller reads its quality rating again"
    elif field == "business_capability_update":
        limit = limit_of(value)
        reach = limit_words(limit).lower() if limit else "new limits"
        text = f"Meta changed what the business portfolio of {account} may send: {reach}"
    elif field == "phone_number_name_update":
        decision = str(value.get("decision") or "").upper()
        name = value.get("requested_verified_name") or "a new name"
        text = f"Meta {NAME_DECISIONS.get(decision, _words(decision) or 'decided on')} the display name “{name}”"
        text += f" for {number}"
        if value.get("rejection_reason") and str(value["rejection_reason"]).upper() != "NONE":
            text += f": {_words(value['rejection_reason'])}"
    elif field == "account_alerts":
        info = value.get("alert_info") if isinstance(value.get("alert_info"), dict) else value
        severity = _words(info.get("alert_severity")) or "an"
        about = info.get("alert_description") or _words(info.get("alert_type")) or "no description given"
        text = f"Meta sent {severity} alert about {account}: {about}"
    elif field == "message_template_status_update":
        name = value.get("message_template_name") or value.get("message_template_id") or "a template"
        text = f"Template “{name}” of {account} is now {_words(value.get('event')) or 'changed'}"
        if value.get("reason") and str(value["reason"]).upper() != "NONE":
            text += f" ({_words(value['reason'])})"
    elif field == "message_template_quality_update":
        name = value.get("message_template_name") or value.get("message_template_id") or "a template"
        before, after = _words(value.get("previous_quality_score")), _words(value.get("new_quality_score"))
        text = f"Template “{name}” of {account} changed quality from {before or 'unknown'} to {after or 'unknown'}"
    else:
        text = f"Meta sent a “{field or 'unnamed'}” event about {account}; the console stores it as received"
    return (text[0].upper() + text[1:] + ".")[:MAX_SUMMARY]


def name_status_after(decision: str) -> str | None:
    """A display-name decision as the number's name status (the values services.health.vocabulary words)."""
    return NAME_STATUS_AFTER.get(decision.upper())
