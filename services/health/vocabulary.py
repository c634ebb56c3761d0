"""Meta's enum values in the operator's words: the only place a screen learns what TIER_2K or BLOCKED means."""

from __future__ import annotations

from services.graph.types import CanSend, QualityRating, ThroughputLevel
from services.language.formatting import number_text
from services.language.translate import LazyText, _, lazy

# Since October 2025 the limit is the business portfolio's, shared by all its numbers (reference §9).
LIMITS = {
    "TIER_50": lazy("50 customers a day"),
    "TIER_250": lazy("250 customers a day"),
    "TIER_1K": lazy("1,000 customers a day"),
    "TIER_2K": lazy("2,000 customers a day"),
    "TIER_10K": lazy("10,000 customers a day"),
    "TIER_100K": lazy("100,000 customers a day"),
    "TIER_UNLIMITED": lazy("Unlimited"),
    "TIER_NOT_SET": lazy("Not set yet"),
    "UNTIERED": lazy("Not set yet"),
}
CAN_SEND = {
    CanSend.AVAILABLE: lazy("Can send"),
    CanSend.LIMITED: lazy("Limited"),
    CanSend.BLOCKED: lazy("Blocked"),
    CanSend.UNKNOWN: lazy("Not reported"),
}
STATUSES = {
    "CONNECTED": lazy("Connected"),
    "PENDING": lazy("Pending registration"),
    "OFFLINE": lazy("Offline"),
    "DISCONNECTED": lazy("Disconnected"),
    "RESTRICTED": lazy("Restricted"),
    "RATE_LIMITED": lazy("Rate limited"),
    "FLAGGED": lazy("Flagged (retired state)"),
    "BANNED": lazy("Banned"),
    "MIGRATED": lazy("Migrated"),
    "DELETED": lazy("Deleted"),
    "UNVERIFIED": lazy("Unverified"),
    "UNKNOWN": lazy("Unknown"),
}
THROUGHPUT_LEVELS = {"STANDARD": lazy("Standard"), "HIGH": lazy("High")}
# Journey Optimizer's words in Chinese: 绿色：高品质, 黄色：中等品质, 红色：低品质.
QUALITY = {"GREEN": lazy("Green · high"), "YELLOW": lazy("Yellow · medium"), "RED": lazy("Red · low")}
ENTITIES = {
    "PHONE_NUMBER": lazy("the phone number"),
    "WABA": lazy("its WhatsApp Business Account"),
    "BUSINESS": lazy("its business portfolio"),
    "APP": lazy("the Meta app"),
    "MESSAGE_TEMPLATE": lazy("a message template"),
}


def _unknown(value: str) -> str:
    return _("Not known to the console ({value})", value=value)


def _known_or(table: dict[str, LazyText], key: str, shown: str) -> str:
    """The words for `key` (any case); a value Meta adds later reads as itself, said to be unknown."""
    words = table.get(key.upper())
    return str(words) if words is not None else _unknown(shown)


def limit_words(limit: str | None) -> str:
    """'2,000 customers a day'; a value Meta adds later reads as itself, in words, not as an error."""
    if not limit:
        return _("Not reported")
    return _known_or(LIMITS, limit, limit)


def limit_short(limit: str | None) -> str:
    """'2,000' under a 'Customers a day' heading; words for the rest."""
    words = limit_words(limit)
    if limit and limit.upper() in LIMITS and LIMITS[limit.upper()].message.endswith(" customers a day"):
        return LIMITS[limit.upper()].message.removesuffix(" customers a day")
    return words


def throughput_short(level: str | None) -> str:
    """'80/s' under a 'Throughput' heading."""
    if not level or str(level).upper() not in ThroughputLevel.__members__:
        return _("Not reported")
    mps = ThroughputLevel.parse(level).messages_per_second
    return _("{rate}/s", rate=number_text(mps)) if mps is not None else _("Not applicable")


def can_send_words(value: str | CanSend) -> str:
    return str(CAN_SEND[CanSend.parse(value)])


def status_words(status: str | None) -> str:
    if not status:
        return _("Not reported")
    return _known_or(STATUSES, status, status)


def quality_words(rating: str | None) -> str:
    value = QualityRating.parse(rating)
    return str(QUALITY[value.value]) if value.value in QUALITY else _("Not yet rated")


def throughput_words(level: str | None) -> str:
    """A missing level is 'not reported', not 'not applicable': only Meta says a number has none."""
    if not level or str(level).upper() not in ThroughputLevel.__members__:
        return _("Not reported")
    value = ThroughputLevel.parse(level)
    mps = value.messages_per_second
    if mps is None:
        return _("Not applicable (not on Cloud API)")
    return _(
        "{level} · {rate} messages/s",
        level=str(THROUGHPUT_LEVELS.get(value.value, value.value.title())),
        rate=number_text(mps),
    )


def entity_words(entity_type: str) -> str:
    words = ENTITIES.get(entity_type.upper())
    return str(words) if words is not None else entity_type.lower().replace("_", " ")


def field_words(what: str, value: str | None) -> str:
    """A history field's value in words, for the change sentences."""
    if value is None:
        return _("none")
    return {
        "quality": quality_words,
        "throughput": throughput_words,
        "messaging limit": limit_words,
        "status": status_words,
        "can send": can_send_words,
    }.get(what, str)(value)


NAME_STATUSES = {
    "APPROVED": lazy("Approved"),
    "AVAILABLE_WITHOUT_REVIEW": lazy("Shown without review"),
    "DECLINED": lazy("Declined by Meta"),
    "EXPIRED": lazy("Request expired"),
    "PENDING_REVIEW": lazy("Waiting for Meta's review"),
    "NONE": lazy("Not requested"),
}
REVIEW_STATUSES = {
    "APPROVED": lazy("Approved"),
    "PENDING": lazy("Waiting for Meta's review"),
    "REJECTED": lazy("Rejected by Meta"),
}


def name_status_words(status: str | None) -> str:
    """A display name's review: 'Approved', 'Declined by Meta'."""
    if not status:
        return _("Not reported")
    return _known_or(NAME_STATUSES, status, status)


def review_words(status: str | None) -> str:
    """A WhatsApp Business Account's review by Meta."""
    if not status:
        return _("Not reported")
    return _known_or(REVIEW_STATUSES, status, status)


WEBHOOK_FIELDS = {
    "account_update": lazy("Account update"),
    "account_alerts": lazy("Account alert"),
    "business_capability_update": lazy("Portfolio limits"),
    "phone_number_quality_update": lazy("Phone number limits and throughput"),
    "phone_number_name_update": lazy("Display name review"),
    "message_template_status_update": lazy("Template status"),
    "message_template_quality_update": lazy("Template quality"),
}


def webhook_field_words(field: str | None) -> str:
    """A webhook's `field` (what Meta reports on): 'Account update'; a field Meta adds later reads in words."""
    if not field:
        return _("Not named")
    words = WEBHOOK_FIELDS.get(field)
    return str(words) if words is not None else _unknown(field.replace("_", " "))


# --- Message templates --------------------------------------------------------------------------------------------
TEMPLATE_STATUSES = {
    "APPROVED": lazy("Active"),
    "PAUSED": lazy("Paused"),
    "DISABLED": lazy("Disabled"),
    "REJECTED": lazy("Rejected"),
    "FLAGGED": lazy("Flagged"),
    "IN_APPEAL": lazy("In appeal"),
    "PENDING": lazy("In review"),
    "LIMIT_EXCEEDED": lazy("Template limit reached"),
    "LOCKED": lazy("Locked"),
    "PENDING_DELETION": lazy("Being deleted"),
    "DELETED": lazy("Deleted"),
    "ARCHIVED": lazy("Archived"),
}
TEMPLATE_CATEGORIES = {
    "MARKETING": lazy("Marketing"),
    "UTILITY": lazy("Utility"),
    "AUTHENTICATION": lazy("Authentication"),
}
TEMPLATE_QUALITY = {
    "GREEN": lazy("Green · high"),
    "YELLOW": lazy("Yellow · medium"),
    "RED": lazy("Red · low"),
    "UNKNOWN": lazy("Not yet rated"),
}
# other_info.title of a pause or unpause event (Meta's template-pausing page: 3 h, then 6 h, then disabled).
PAUSE_REASONS = {
    "FIRST_PAUSE": lazy("paused for 3 hours: customers blocked or reported it, or few read it (its first pause)"),
    "SECOND_PAUSE": lazy(
        "paused for 6 hours: customers kept blocking or reporting it (its second pause; a third disables it)"
    ),
    "RATE_LIMITING_PAUSE": lazy(
        "paused by Meta's pacing: the first customers who got it reacted badly, so the rest were held"
    ),
    "UNPAUSE": lazy("unpaused and can be sent again"),
    "DISABLED": lazy("disabled after its third pause: Meta no longer sends it"),
}
# The same pauses in a chart band's few words.
PAUSE_SPANS = {
    "FIRST_PAUSE": lazy("Paused for 3 hours"),
    "SECOND_PAUSE": lazy("Paused for 6 hours"),
    "RATE_LIMITING_PAUSE": lazy("Paused by Meta's pacing"),
    "UNPAUSE": lazy("Unpaused"),
    "DISABLED": lazy("Disabled after its third pause"),
}
# rejected_reason / the status webhook's `reason` (Meta's template review).
REJECTED_REASONS = {
    "ABUSIVE_CONTENT": lazy("its content breaks WhatsApp's policies"),
    "CATEGORY_NOT_AVAILABLE": lazy("its category is not available to this account"),
    "INCORRECT_CATEGORY": lazy("its category does not match its content"),
    "INVALID_FORMAT": lazy("its format is not valid (variables, length or layout)"),
    "PROMOTIONAL": lazy("it is promotional, so it belongs in the marketing category"),
    "SCAM": lazy("Meta took it for a scam"),
    "TAG_CONTENT_MISMATCH": lazy("its content does not match its category or language"),
    "NONE": lazy("Meta gave no reason"),
}
TEMPLATE_EVENTS = {
    "APPROVED": lazy("approved"),
    "REJECTED": lazy("rejected"),
    "PENDING": lazy("sent for review"),
    "PAUSED": lazy("paused"),
    "DISABLED": lazy("disabled"),
    "REINSTATED": lazy("reinstated"),
    "FLAGGED": lazy("flagged"),
    "IN_APPEAL": lazy("in appeal"),
    "LIMIT_EXCEEDED": lazy("refused: template limit reached"),
    "LOCKED": lazy("locked"),
    "UNLOCKED": lazy("unlocked"),
    "ARCHIVED": lazy("archived"),
    "UNARCHIVED": lazy("unarchived"),
    "DELETED": lazy("deleted"),
    "PENDING_DELETION": lazy("being deleted"),
}


def _known(table: dict[str, LazyText], value: str | None, *, missing: str | None = None) -> str:
    """The words for `value`; `missing` (already in the reader's language) when Meta reported none."""
    if not value:
        return missing if missing is not None else _("Not reported")
    words = table.get(value.upper())
    return str(words) if words is not None else _unknown(value.replace("_", " ").lower())


def template_status_words(status: str | None) -> str:
    """'Paused', 'In review'; never Meta's raw PAUSED."""
    return _known(TEMPLATE_STATUSES, status)


def template_category_words(category: str | None) -> str:
    return _known(TEMPLATE_CATEGORIES, category)


def template_quality_words(score: str | None) -> str:
    return _known(TEMPLATE_QUALITY, score, missing=_("Not yet rated"))


def template_event_words(event: str | None) -> str:
    """A status webhook's `event` as a past participle: 'paused', 'reinstated'."""
    return _known(TEMPLATE_EVENTS, event, missing=_("changed")).lower()


def pause_reason_words(title: str | None) -> str:
    """Completes 'The template is ...': 'paused for 3 hours: customers blocked or reported it, ...'."""
    if not title:
        return _("paused")
    words = PAUSE_REASONS.get(title.upper())
    return str(words) if words is not None else _("paused ({title})", title=title.replace("_", " ").lower())


def pause_span_words(title: str) -> str:
    """A pause in a chart band's few words: 'Paused for 3 hours'."""
    words = PAUSE_SPANS.get(title.upper())
    return str(words) if words is not None else _("Paused ({title})", title=title.replace("_", " ").lower())


def rejected_reason_words(reason: str | None) -> str:
    """Why Meta's review rejected a template: 'its category does not match its content'."""
    words = REJECTED_REASONS.get(reason.upper()) if reason else REJECTED_REASONS["NONE"]
    if words is not None:
        return str(words)
    return _(
        "a reason the console does not know ({reason})",
        reason=(reason or "").replace("_", " ").lower(),
    )
