"""Meta's enum values in the operator's words: the only place a screen learns what TIER_2K or BLOCKED means."""

from __future__ import annotations

from services.graph.types import CanSend, QualityRating, ThroughputLevel

# Since October 2025 the limit is the business portfolio's, shared by all its numbers (reference §9).
LIMITS = {
    "TIER_50": "50 customers a day",
    "TIER_250": "250 customers a day",
    "TIER_1K": "1,000 customers a day",
    "TIER_2K": "2,000 customers a day",
    "TIER_10K": "10,000 customers a day",
    "TIER_100K": "100,000 customers a day",
    "TIER_UNLIMITED": "Unlimited",
    "TIER_NOT_SET": "Not set yet",
    "UNTIERED": "Not set yet",
}
CAN_SEND = {
    CanSend.AVAILABLE: "Can send",
    CanSend.LIMITED: "Limited",
    CanSend.BLOCKED: "Blocked",
    CanSend.UNKNOWN: "Not reported",
}
STATUSES = {
    "CONNECTED": "Connected",
    "PENDING": "Pending registration",
    "OFFLINE": "Offline",
    "DISCONNECTED": "Disconnected",
    "RESTRICTED": "Restricted",
    "RATE_LIMITED": "Rate limited",
    "FLAGGED": "Flagged (retired state)",
    "BANNED": "Banned",
    "MIGRATED": "Migrated",
    "DELETED": "Deleted",
    "UNVERIFIED": "Unverified",
    "UNKNOWN": "Unknown",
}
QUALITY = {"GREEN": "Green · high", "YELLOW": "Yellow · medium", "RED": "Red · low"}
ENTITIES = {
    "PHONE_NUMBER": "the phone number",
    "WABA": "its WhatsApp Business Account",
    "BUSINESS": "its business portfolio",
    "APP": "the Meta app",
    "MESSAGE_TEMPLATE": "a message template",
}


def limit_words(limit: str | None) -> str:
    """'2,000 customers a day'; a value Meta adds later reads as itself, in words, not as an error."""
    if not limit:
        return "Not reported"
    return LIMITS.get(limit.upper(), f"Not known to the console ({limit})")


def limit_short(limit: str | None) -> str:
    """'2,000' under a 'Customers a day' heading; words for the rest."""
    words = limit_words(limit)
    return words.removesuffix(" customers a day")


def throughput_short(level: str | None) -> str:
    """'80/s' under a 'Throughput' heading."""
    words = throughput_words(level)
    return words.split(" · ")[1].replace(" messages/s", "/s") if " · " in words else words.split(" (")[0]


def can_send_words(value: str | CanSend) -> str:
    return CAN_SEND[CanSend.parse(value)]


def status_words(status: str | None) -> str:
    if not status:
        return "Not reported"
    return STATUSES.get(status.upper(), f"Not known to the console ({status})")


def quality_words(rating: str | None) -> str:
    value = QualityRating.parse(rating)
    return QUALITY.get(value.value, "Not yet rated")


def throughput_words(level: str | None) -> str:
    """A missing level is 'not reported', not 'not applicable': only Meta says a number has none."""
    if not level or str(level).upper() not in ThroughputLevel.__members__:
        return "Not reported"
    value = ThroughputLevel.parse(level)
    mps = value.messages_per_second
    if mps is None:
        return "Not applicable (not on Cloud API)"
    return f"{value.value.title()} · {mps:,} messages/s"


def entity_words(entity_type: str) -> str:
    return ENTITIES.get(entity_type.upper(), entity_type.lower().replace("_", " "))


def field_words(what: str, value: str | None) -> str:
    """A history field's value in words, for the change sentences."""
    if value is None:
        return "none"
    return {
        "quality": quality_words,
        "throughput": throughput_words,
        "messaging limit": limit_words,
        "status": status_words,
        "can send": can_send_words,
    }.get(what, str)(value)


NAME_STATUSES = {
    "APPROVED": "Approved",
    "AVAILABLE_WITHOUT_REVIEW": "Shown without review",
    "DECLINED": "Declined by Meta",
    "EXPIRED": "Request expired",
    "PENDING_REVIEW": "Waiting for Meta's review",
    "NONE": "Not requested",
}
REVIEW_STATUSES = {
    "APPROVED": "Approved",
    "PENDING": "Waiting for Meta's review",
    "REJECTED": "Rejected by Meta",
}


def name_status_words(status: str | None) -> str:
    """A display name's review: 'Approved', 'Declined by Meta'."""
    if not status:
        return "Not reported"
    return NAME_STATUSES.get(status.upper(), f"Not known to the console ({status})")


def review_words(status: str | None) -> str:
    """A WhatsApp Business Account's review by Meta."""
    if not status:
        return "Not reported"
    return REVIEW_STATUSES.get(status.upper(), f"Not known to the console ({status})")


WEBHOOK_FIELDS = {
    "account_update": "Account update",
    "account_alerts": "Account alert",
    "business_capability_update": "Portfolio limits",
    "phone_number_quality_update": "Phone number limits and throughput",
    "phone_number_name_update": "Display name review",
    "message_template_status_update": "Template status",
    "message_template_quality_update": "Template quality",
}


def webhook_field_words(field: str | None) -> str:
    """A webhook's `field` (what Meta reports on): 'Account update'; a field Meta adds later reads in words."""
    if not field:
        return "Not named"
    return WEBHOOK_FIELDS.get(field, f"Not known to the console ({field.replace('_', ' ')})")
