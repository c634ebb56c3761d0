"""Graph JSON to the console's typed results; `ShapeError` when a needed key is missing or of the wrong kind."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from services.graph.types import (
    REQUIRED_PERMISSION,
    AccountHealth,
    BusinessAccount,
    CanSend,
    HealthProblem,
    PhoneNumberHealth,
    QualityRating,
    ThroughputLevel,
    TokenInfo,
)

LIMIT_FIELD = "whatsapp_business_manager_messaging_limit"
LEGACY_LIMIT_FIELD = "messaging_limit_tier"
LIMIT_FIELD_SINCE_MAJOR = 24
# The phone-number fields the console reads (the messaging-limit field is added per API version).
HEALTH_FIELDS = (
    "id",
    "display_phone_number",
    "verified_name",
    "quality_rating",
    "throughput",
    "status",
    "name_status",
    "health_status",
)
HEALTH_KEYS = frozenset(HEALTH_FIELDS)


class ShapeError(ValueError):
    """The answer is JSON, but not the shape the console needs (the message says what, never a token)."""


def limit_field(major: int) -> str:
    """v24.0+ reads whatsapp_business_manager_messaging_limit; older versions the deprecated messaging_limit_tier."""
    return LIMIT_FIELD if major >= LIMIT_FIELD_SINCE_MAJOR else LEGACY_LIMIT_FIELD


def _text(value: object) -> str | None:
    return None if value is None or isinstance(value, dict | list) else str(value)


def _object(row: object, what: str) -> Mapping[str, object]:
    if not isinstance(row, Mapping):
        raise ShapeError(f"{what} is not a JSON object")
    return row


def _id(row: Mapping[str, object], what: str) -> str:
    value = row.get("id")
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value):
        raise ShapeError(f"{what} has no id")
    return str(value)


def rows(body: Mapping[str, object], what: str) -> list[Mapping[str, object]]:
    """The `data` list of a list edge."""
    data = body.get("data")
    if not isinstance(data, list) or not all(isinstance(row, Mapping) for row in data):
        raise ShapeError(f"{what}: 'data' is not a list of objects")
    return data


def next_cursor(body: Mapping[str, object], what: str) -> str | None:
    """The `after` cursor when Graph says another page exists (`paging.next`), else None."""
    paging = body.get("paging")
    if not isinstance(paging, Mapping) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, Mapping) else None
    if not isinstance(after, str) or not after:
        raise ShapeError(f"{what}: paging.next without an 'after' cursor")
    return after


def _moment(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None  # 0: the token never expires
    return datetime.fromtimestamp(value, UTC)


def token_info(data: Mapping[str, object]) -> TokenInfo:
    """The `data` object of a debug_token answer for a valid token."""
    raw_scopes = data.get("scopes")
    if not isinstance(raw_scopes, list):
        raise ShapeError("debug_token: 'scopes' is not a list")
    waba_ids: list[str] = []
    granular = data.get("granular_scopes")
    for grant in granular if isinstance(granular, list) else []:
        if not isinstance(grant, Mapping) or grant.get("scope") != REQUIRED_PERMISSION:
            continue
        targets = grant.get("target_ids")
        if isinstance(targets, list):
            waba_ids.extend(str(target) for target in targets)
    return TokenInfo(
        is_valid=data.get("is_valid") is True,
        expires_at=_moment(data.get("expires_at")),
        scopes=tuple(str(scope) for scope in raw_scopes),
        waba_ids=tuple(dict.fromkeys(waba_ids)),  # newest first, as Meta lists them
        app_id=_text(data.get("app_id")),
        type=_text(data.get("type")),
    )


def business_account(row: object, *, ownership: str) -> BusinessAccount:
    """A WABA row of a business edge or the WABA node; `ownership` is owned or client."""
    row = _object(row, "WhatsApp Business Account")
    return BusinessAccount(
        id=_id(row, "WhatsApp Business Account"),
        name=_text(row.get("name")) or "",
        currency=_text(row.get("currency")),
        timezone_id=_text(row.get("timezone_id")),
        ownership=ownership,
    )


def _error_code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None  # Meta sometimes quotes it


def health_status(value: object) -> tuple[CanSend, tuple[HealthProblem, ...]]:
    """health_status: the overall verdict and each entity that cannot send freely, with Meta's reasons.

    Missing or malformed reads as UNKNOWN, never as AVAILABLE: the console must not call a number healthy
    on the strength of an answer it could not read.
    """
    if not isinstance(value, Mapping):
        return CanSend.UNKNOWN, ()
    overall = CanSend.parse(value.get("can_send_message"))
    problems: list[HealthProblem] = []
    entities = value.get("entities")
    for entity in entities if isinstance(entities, list) else []:
        if not isinstance(entity, Mapping):
            continue
        state = CanSend.parse(entity.get("can_send_message"))
        if state is CanSend.AVAILABLE:
            continue
        kind, entity_id = _text(entity.get("entity_type")) or "", _text(entity.get("id")) or ""
        errors = entity.get("errors")
        readable = [error for error in errors if isinstance(error, Mapping)] if isinstance(errors, list) else []
        for error in readable:
            problems.append(
                HealthProblem(
                    kind,
                    entity_id,
                    state,
                    _error_code(error.get("error_code")),
                    _text(error.get("error_description")) or "",
                    _text(error.get("possible_solution")) or "",
                )
            )
        if not readable:
            info = entity.get("additional_info")
            notes = [str(note) for note in info if isinstance(note, str)] if isinstance(info, list) else []
            problems.append(HealthProblem(kind, entity_id, state, None, " ".join(notes)))
    # Meta's rule: the worst entity decides. An overall AVAILABLE beside a blocked entity is not believed.
    worst = max((p.can_send for p in problems), key=_CAN_SEND_ORDER.index, default=overall)
    if _CAN_SEND_ORDER.index(worst) > _CAN_SEND_ORDER.index(overall):
        overall = worst
    return overall, tuple(problems)


_CAN_SEND_ORDER = (CanSend.AVAILABLE, CanSend.UNKNOWN, CanSend.LIMITED, CanSend.BLOCKED)


def phone_health(row: object, *, major: int) -> PhoneNumberHealth:
    """A phone number's health; reads either messaging-limit field, preferring the one this version serves."""
    row = _object(row, "phone number")
    throughput = row.get("throughput")
    level = throughput.get("level") if isinstance(throughput, Mapping) else throughput
    asked = limit_field(major)
    other = LEGACY_LIMIT_FIELD if asked == LIMIT_FIELD else LIMIT_FIELD
    can_send, problems = health_status(row.get("health_status"))
    return PhoneNumberHealth(
        id=_id(row, "phone number"),
        display_phone_number=_text(row.get("display_phone_number")) or "",
        verified_name=_text(row.get("verified_name")) or "",
        quality_rating=QualityRating.parse(row.get("quality_rating")),
        throughput_level=ThroughputLevel.parse(level),
        messaging_limit=_text(row.get(asked)) or _text(row.get(other)),
        status=_text(row.get("status")),
        name_status=_text(row.get("name_status")),
        can_send=can_send,
        problems=problems,
        extra={k: v for k, v in row.items() if k not in HEALTH_KEYS | {LIMIT_FIELD, LEGACY_LIMIT_FIELD}},
    )


def account_health(row: object, numbers: list[PhoneNumberHealth]) -> AccountHealth:
    """The WABA node read with its numbers expanded; `numbers` are every page's, already converted."""
    row = _object(row, "WhatsApp Business Account")
    can_send, problems = health_status(row.get("health_status"))
    owner = row.get("owner_business_info")
    owner = owner if isinstance(owner, Mapping) else {}
    return AccountHealth(
        id=_id(row, "WhatsApp Business Account"),
        name=_text(row.get("name")) or "",
        review_status=_text(row.get("account_review_status")),
        portfolio_id=_text(owner.get("id")),
        portfolio_name=_text(owner.get("name")),
        can_send=can_send,
        problems=problems,
        numbers=tuple(numbers),
    )
