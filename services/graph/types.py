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
    extra: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def messages_per_second(self) -> int | None:
        return self.throughput_level.messages_per_second
