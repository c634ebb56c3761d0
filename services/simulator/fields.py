"""What a node looks like in Graph's JSON, cut down to the asked `fields=` (plus `id`)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.simulator.errors import bad_parameter, nonexisting_field
from services.simulator.health_status import health_status
from services.simulator.paging import cursor
from services.simulator.portfolio import Account, Business, Number
from services.simulator.schedule import Health
from services.simulator.tokens import APP_ID, APPLICATION

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
    "quality_score",
    "throughput",
    "status",
    "name_status",
    "new_name_status",
    "code_verification_status",
    "unified_cert_status",
    "certificate",
    "new_certificate",
    "platform_type",
    "host_platform",
    "account_mode",
    "country_code",
    "country_dial_code",
    "is_official_business_account",
    "is_on_biz_app",
    "is_pin_enabled",
    "is_preverified_number",
    "search_visibility",
    "eligibility_for_api_business_global_search",
    "conversational_automation",
    "webhook_configuration",
    "username",
    "last_onboarded_time",
    "health_status",
)
WABA_FIELDS = (
    "id",
    "name",
    "currency",
    "timezone_id",
    "message_template_namespace",
    "country",
    "status",
    "account_review_status",
    "business_verification_status",
    "ownership_type",
    "primary_business_location",
    "purchase_order_number",
    "owner_business_info",
    "on_behalf_of_business_info",
    "is_enabled_for_insights",
    "marketing_messages_lite_api_status",
    "marketing_messages_onboarding_status",
    "disable_marketing_messages_on_cloud_api",
    "dcc_config",
    "audiences",
    "schedules",
    "subscribed_apps",
    "message_templates",
    "health_status",
    "phone_numbers",
)
BUSINESS_FIELDS = ("id", "name", "timezone_id", "verification_status")
# Where the simulated app receives webhooks; Graph echoes it in webhook_configuration.application.
APP_WEBHOOK_URL = "https://console.example.com/webhooks/whatsapp"
# name_status -> the unified certification status Meta derives from it.
_CERT_STATUS = {
    "APPROVED": "APPROVED",
    "AVAILABLE_WITHOUT_REVIEW": "APPROVED",
    "PENDING_REVIEW": "NAME_PENDING_REVIEW",
    "DECLINED": "NAME_NOT_APPROVED",
}
_CERTIFIED = frozenset({"APPROVED", "AVAILABLE_WITHOUT_REVIEW"})


def messaging_limit_field(major: int) -> str:
    """v24.0+ reads whatsapp_business_manager_messaging_limit; v23.0 and older the deprecated tier field."""
    return "whatsapp_business_manager_messaging_limit" if major >= LIMIT_FIELD_SINCE_MAJOR else "messaging_limit_tier"


@dataclass(frozen=True)
class Expansion:
    """A field asked with Graph's field expansion: `phone_numbers.limit(100){id,status}`."""

    limit: str | None
    fields: str | None


def _top_level(raw: str) -> list[str]:
    """Split `a,b.limit(5){c,d{e}},f` at the commas outside braces and parentheses."""
    parts, depth, current = [], 0, []
    for char in raw:
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
            if depth < 0:
                raise bad_parameter("Syntax error: unbalanced brackets in the fields parameter.")
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth:
        raise bad_parameter("Syntax error: unbalanced brackets in the fields parameter.")
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


_EXPANSION = re.compile(r"^(?P<name>[A-Za-z_]+)(?:\.limit\((?P<limit>[^)]*)\))?(?:\{(?P<fields>.*)\})?$", re.DOTALL)


def expanded_fields(raw: str | None, default: Sequence[str]) -> tuple[list[str], dict[str, Expansion]]:
    """The asked field names, and for each one asked with an expansion, its limit and sub-fields."""
    if raw is None or not raw.strip():
        return list(default), {}
    names: list[str] = []
    expansions: dict[str, Expansion] = {}
    for part in _top_level(raw):
        match = _EXPANSION.match(part)
        if match is None:
            raise bad_parameter(f"Syntax error: {part!r} is not a field name.")
        name = match.group("name")
        if name not in names:
            names.append(name)
        if match.group("limit") is not None or match.group("fields") is not None:
            expansions[name] = Expansion(match.group("limit"), match.group("fields"))
    return names, expansions


def asked_fields(raw: str | None, default: Sequence[str]) -> list[str]:
    return expanded_fields(raw, default)[0]


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


def _certificate(number: Number) -> str | None:
    """A stable stand-in for the base64 display-name certificate Meta issues once the name is approved."""
    if number.name_status not in _CERTIFIED:
        return None
    digest = hashlib.sha256(f"{number.id}:{number.verified_name}".encode()).digest()
    return base64.b64encode(b"\n\x08" + digest + number.verified_name.encode()).decode()


def phone_values(
    number: Number, health: Health, *, major: int, anchor: datetime, business_id: str
) -> dict[str, object]:
    certified = number.name_status in _CERTIFIED
    return {
        "id": number.id,
        "display_phone_number": number.display_phone_number,
        "verified_name": number.verified_name,
        "quality_rating": health.quality,
        "quality_score": {"score": health.quality},
        "throughput": {"level": health.throughput},
        "status": health.status,
        "name_status": number.name_status,
        "new_name_status": "NONE",
        "code_verification_status": number.code_verification_status,
        "unified_cert_status": _CERT_STATUS.get(number.name_status, "ACCOUNT_REVIEW_NOT_STARTED"),
        "certificate": _certificate(number),
        "new_certificate": None,
        "platform_type": number.platform_type,
        "host_platform": number.platform_type,
        "account_mode": number.account_mode,
        "country_code": number.country_code,
        "country_dial_code": number.country_dial_code,
        "is_official_business_account": number.is_official_business_account,
        "is_on_biz_app": number.is_on_biz_app,
        # Registering a number on Cloud API sets its two-step PIN, which needs the code verified first.
        "is_pin_enabled": number.code_verification_status == "VERIFIED",
        "is_preverified_number": number.is_preverified_number,
        "search_visibility": "VISIBLE" if certified else "HIDDEN",
        "eligibility_for_api_business_global_search": "ELIGIBLE" if certified else "NOT_ELIGIBLE",
        "conversational_automation": {
            "enable_welcome_message": False,
            "prompts": [],
            "commands": [],
            "id": number.id,
        },
        "webhook_configuration": {"application": APP_WEBHOOK_URL},
        "username": number.username,
        "last_onboarded_time": graph_time(anchor + number.onboarded),
        messaging_limit_field(major): health.limit,
        "health_status": health_status(
            keys=[health.problem], number_id=number.id, waba_id=number.waba_id, business_id=business_id
        ),
    }


def phone_fields(major: int) -> tuple[str, ...]:
    return (*PHONE_FIELDS, messaging_limit_field(major))


def _edge(rows: Sequence[Mapping[str, object]]) -> dict[str, object]:
    """A small edge asked as a field: Graph nests it as `{"data": [...]}`, with cursors when it has rows."""
    if not rows:
        return {"data": []}
    first, last = (cursor(str(row["id"])) for row in (rows[0], rows[-1]))
    return {"data": list(rows), "paging": {"cursors": {"before": first, "after": last}}}


def account_values(account: Account, owner: Business | None, problems: Sequence[str] = ()) -> dict[str, object]:
    """A WABA's fields; `problems` are the keys of its numbers' current problems (for its health_status)."""
    owner_info = {"name": owner.name if owner else "", "id": account.owner_business_id}
    subscribed = {"link": f"https://www.facebook.com/games/?app_id={APP_ID}", "name": APPLICATION, "id": APP_ID}
    return {
        "id": account.id,
        "name": account.name,
        "currency": account.currency,
        "timezone_id": account.timezone_id,
        "message_template_namespace": account.message_template_namespace,
        "country": account.country,
        "status": account.status,
        "account_review_status": account.account_review_status,
        "business_verification_status": account.business_verification_status,
        "ownership_type": account.ownership_type,
        "primary_business_location": account.primary_business_location,
        "purchase_order_number": account.purchase_order_number,
        "owner_business_info": owner_info,
        "on_behalf_of_business_info": {**owner_info, "status": "APPROVED", "type": "SELF"},
        "is_enabled_for_insights": account.is_enabled_for_insights,
        "marketing_messages_lite_api_status": account.marketing_messages_lite_api_status,
        "marketing_messages_onboarding_status": account.marketing_messages_onboarding_status,
        "disable_marketing_messages_on_cloud_api": account.disable_marketing_messages_on_cloud_api,
        "dcc_config": {"enabled": False},
        "audiences": _edge([]),
        "schedules": _edge([]),
        "subscribed_apps": {"data": [{"whatsapp_business_api_data": subscribed}]},
        "health_status": health_status(
            keys=problems, number_id=None, waba_id=account.id, business_id=account.owner_business_id
        ),
    }


def business_values(business: Business) -> dict[str, object]:
    return {
        "id": business.id,
        "name": business.name,
        "timezone_id": business.timezone_id,
        "verification_status": business.verification_status,
    }
