"""What a node looks like in Graph's JSON, cut down to the asked `fields=` (plus `id`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from services.simulator.errors import nonexisting_field
from services.simulator.portfolio import Account, Business, Number
from services.simulator.schedule import Health

PHONE_NODE = "WhatsAppBusinessPhoneNumber"
WABA_NODE = "WhatsAppBusinessAccount"
BUSINESS_NODE = "Business"
PHONE_DEFAULT = ("verified_name", "display_phone_number", "id", "quality_rating")
WABA_DEFAULT = ("id", "name", "currency", "timezone_id", "message_template_namespace")
BUSINESS_DEFAULT = ("id", "name")
LIMIT_FIELD_SINCE_MAJOR = 24
PHONE_FIELDS = (
    "id",
    "display_phone_number",
    "verified_name",
    "quality_rating",
    "throughput",
    "status",
    "name_status",
    "code_verification_status",
    "platform_type",
    "account_mode",
    "is_official_business_account",
    "last_onboarded_time",
)
WABA_FIELDS = (
    "id",
    "name",
    "currency",
    "timezone_id",
    "message_template_namespace",
    "country",
    "account_review_status",
    "business_verification_status",
    "owner_business_info",
)


def messaging_limit_field(major: int) -> str:
    """v24.0+ reads whatsapp_business_manager_messaging_limit; v23.0 and older the deprecated tier field."""
    return "whatsapp_business_manager_messaging_limit" if major >= LIMIT_FIELD_SINCE_MAJOR else "messaging_limit_tier"


def asked_fields(raw: str | None, default: Sequence[str]) -> list[str]:
    if raw is None or not raw.strip():
        return list(default)
    return list(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))


def check_fields(asked: Sequence[str], known: Sequence[str], node_type: str) -> None:
    """Meta's error for the first asked field the node does not have."""
    for name in asked:
        if name not in known:
            raise nonexisting_field(name, node_type)


def select(values: Mapping[str, object], asked: Sequence[str]) -> dict[str, object]:
    """Exactly the asked fields, in the asked order, plus `id` last when not asked."""
    selected = {name: values[name] for name in asked}
    selected.setdefault("id", values["id"])
    return selected


def graph_time(moment: datetime) -> str:
    """Graph's datetime form: 2026-11-01T00:00:00+0000."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def phone_values(number: Number, health: Health, *, major: int, anchor: datetime) -> dict[str, object]:
    return {
        "id": number.id,
        "display_phone_number": number.display_phone_number,
        "verified_name": number.verified_name,
        "quality_rating": health.quality,
        "throughput": {"level": health.throughput},
        "status": health.status,
        "name_status": number.name_status,
        "code_verification_status": number.code_verification_status,
        "platform_type": number.platform_type,
        "account_mode": number.account_mode,
        "is_official_business_account": number.is_official_business_account,
        "last_onboarded_time": graph_time(anchor + number.onboarded),
        messaging_limit_field(major): health.limit,
    }


def phone_fields(major: int) -> tuple[str, ...]:
    return (*PHONE_FIELDS, messaging_limit_field(major))


def account_values(account: Account, owner: Business | None) -> dict[str, object]:
    return {
        "id": account.id,
        "name": account.name,
        "currency": account.currency,
        "timezone_id": account.timezone_id,
        "message_template_namespace": account.message_template_namespace,
        "country": account.country,
        "account_review_status": account.account_review_status,
        "business_verification_status": account.business_verification_status,
        "owner_business_info": {"name": owner.name if owner else "", "id": account.owner_business_id},
    }


def business_values(business: Business) -> dict[str, object]:
    return {"id": business.id, "name": business.name}
