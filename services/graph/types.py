"""Typed results of the Graph API calls the console makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class QualityRating(StrEnum):
    GREEN = "GREEN"
    YELLOW = "YELLOW"
    RED = "RED"
    NA = "NA"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def parse(cls, value: object) -> QualityRating:
        try:
            return cls(str(value).upper())
        except ValueError:
            return cls.UNKNOWN

    @property
    def label(self) -> str:
        """Journey Optimizer's words: Green = high, Yellow = medium, Red = low."""
        return {"GREEN": "High", "YELLOW": "Medium", "RED": "Low"}.get(self.value, "Not yet rated")

    @property
    def rank(self) -> int:
        """Worst first: RED 0 < YELLOW 1 < GREEN 2; unrated numbers sort after the rated ones."""
        return {"RED": 0, "YELLOW": 1, "GREEN": 2}.get(self.value, 3)


class ThroughputLevel(StrEnum):
    STANDARD = "STANDARD"
    HIGH = "HIGH"
    NOT_APPLICABLE = "NOT_APPLICABLE"

    @classmethod
    def parse(cls, value: object) -> ThroughputLevel:
        try:
            return cls(str(value).upper())
        except ValueError:
            return cls.NOT_APPLICABLE

    @property
    def messages_per_second(self) -> int | None:
        return {"STANDARD": 80, "HIGH": 1000}.get(self.value)


class CanSend(StrEnum):
    """health_status.can_send_message: Meta's own verdict on whether messages can go out."""

    AVAILABLE = "AVAILABLE"
    LIMITED = "LIMITED"
    BLOCKED = "BLOCKED"
    UNKNOWN = "UNKNOWN"  # not reported (older data, or Meta left it out)

    @classmethod
    def parse(cls, value: object) -> CanSend:
        try:
            return cls(str(value).upper())
        except ValueError:
            return cls.UNKNOWN


@dataclass(frozen=True)
class HealthProblem:
    """One entity of health_status that cannot send freely, with Meta's own words for why."""

    entity_type: str  # PHONE_NUMBER | WABA | BUSINESS | APP | MESSAGE_TEMPLATE
    entity_id: str
    can_send: CanSend
    error_code: int | None = None
    description: str = ""
    solution: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "can_send": self.can_send.value,
            "error_code": self.error_code,
            "description": self.description,
            "solution": self.solution,
        }

    @classmethod
    def from_json(cls, row: dict[str, object]) -> HealthProblem:
        code = row.get("error_code")
        return cls(
            entity_type=str(row.get("entity_type") or ""),
            entity_id=str(row.get("entity_id") or ""),
            can_send=CanSend.parse(row.get("can_send")),
            error_code=code if isinstance(code, int) else None,
            description=str(row.get("description") or ""),
            solution=str(row.get("solution") or ""),
        )


# Statuses Meta reports for a phone number (Graph reference, WhatsAppBusinessAccountToNumberCurrentStatus).
PHONE_STATUSES = (
    "PENDING",
    "DELETED",
    "MIGRATED",
    "BANNED",
    "RESTRICTED",
    "RATE_LIMITED",
    "FLAGGED",
    "CONNECTED",
    "DISCONNECTED",
    "UNKNOWN",
    "UNVERIFIED",
)
MESSAGING_LIMITS = ("TIER_250", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED")
LEGACY_MESSAGING_LIMITS = ("TIER_50", "TIER_250", "TIER_1K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED")
REQUIRED_PERMISSION = "whatsapp_business_management"


@dataclass(frozen=True)
class TokenInfo:
    """What `debug_token` says of a token (never the token itself)."""

    is_valid: bool
    expires_at: datetime | None  # None: never expires
    scopes: tuple[str, ...]
    waba_ids: tuple[str, ...]  # target_ids of the whatsapp_business_management scope
    app_id: str | None = None
    type: str | None = None

    @property
    def can_manage_whatsapp(self) -> bool:
        return REQUIRED_PERMISSION in self.scopes


@dataclass(frozen=True)
class BusinessAccount:
    """A WhatsApp Business Account (WABA)."""

    id: str
    name: str
    currency: str | None = None
    timezone_id: str | None = None
    ownership: str = "owned"  # owned | client


@dataclass(frozen=True)
class PhoneNumberHealth:
    """A phone number with the health fields Meta keeps no history of."""

    id: str
    display_phone_number: str
    verified_name: str
    quality_rating: QualityRating
    throughput_level: ThroughputLevel
    messaging_limit: str | None
    status: str | None
    name_status: str | None = None
    can_send: CanSend = CanSend.UNKNOWN
    problems: tuple[HealthProblem, ...] = ()
    extra: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def messages_per_second(self) -> int | None:
        return self.throughput_level.messages_per_second


@dataclass(frozen=True)
class AccountHealth:
    """A WABA as the poller reads it in one expanded call: its own state and every number's health."""

    id: str
    name: str
    review_status: str | None
    portfolio_id: str | None  # owner_business_info: the business portfolio whose messaging limit its numbers share
    portfolio_name: str | None
    can_send: CanSend
    problems: tuple[HealthProblem, ...]
    numbers: tuple[PhoneNumberHealth, ...]
