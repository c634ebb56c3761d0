"""Meta's `health_status` object: whether a number (and the WABA, business and app behind it) can send."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.simulator.tokens import APP_ID

AVAILABLE, LIMITED, BLOCKED = "AVAILABLE", "LIMITED", "BLOCKED"
_ORDER = (AVAILABLE, LIMITED, BLOCKED)


@dataclass(frozen=True)
class Problem:
    """One reason Meta gives for an entity that cannot send freely."""

    entity_type: str  # PHONE_NUMBER | WABA | BUSINESS | APP
    can_send: str  # LIMITED | BLOCKED
    error_code: int
    description: str
    solution: str


# The wording follows Meta's health status page and error code reference.
PROBLEMS = {
    "payment": Problem(
        "WABA",
        BLOCKED,
        141006,
        "There is an error with the payment method. This means messages can't be sent.",
        "Add a valid payment method to the WhatsApp Business Account in WhatsApp Manager (Payment settings).",
    ),
    "spam_rate": Problem(
        "PHONE_NUMBER",
        LIMITED,
        131048,
        "There are restrictions on how many messages can be sent from this phone number, "
        "because too many previous messages were blocked or flagged as spam.",
        "Check the number's quality in WhatsApp Manager and send only to people who opted in.",
    ),
    "business_limited": Problem(
        "BUSINESS",
        LIMITED,
        141010,
        "The business portfolio has a limitation on sending messages.",
        "Open Business Support Home for the portfolio and follow the steps it gives.",
    ),
    "number_blocked": Problem(
        "PHONE_NUMBER",
        BLOCKED,
        131031,
        "The business phone number has been disconnected from WhatsApp and can't send messages.",
        "Reconnect the number in WhatsApp Manager; register it again if Meta asks.",
    ),
}


def worst(states: Iterable[str]) -> str:
    """Meta's rule: BLOCKED if any entity is, else LIMITED if any is, else AVAILABLE."""
    return max(states, key=_ORDER.index, default=AVAILABLE)


def _entity(entity_type: str, entity_id: str, problems: list[Problem]) -> dict[str, object]:
    own = [p for p in problems if p.entity_type == entity_type]
    entity: dict[str, object] = {
        "entity_type": entity_type,
        "id": entity_id,
        "can_send_message": worst(p.can_send for p in own),
    }
    blocking = [p for p in own if p.can_send == BLOCKED]
    limiting = [p for p in own if p.can_send == LIMITED]
    errors = blocking or limiting
    if errors:
        entity["errors"] = [
            {"error_code": p.error_code, "error_description": p.description, "possible_solution": p.solution}
            for p in errors
        ]
    if limiting:
        entity["additional_info"] = [p.description for p in limiting]
    return entity


def health_status(*, keys: Iterable[str], number_id: str | None, waba_id: str, business_id: str) -> dict[str, object]:
    """The object for a phone number (with `number_id`) or for a WABA (without), given the problems' keys."""
    problems = [PROBLEMS[key] for key in dict.fromkeys(keys) if key]  # one WABA problem, however many numbers
    if number_id is None:
        problems = [p for p in problems if p.entity_type != "PHONE_NUMBER"]
    entities = []
    if number_id is not None:
        entities.append(_entity("PHONE_NUMBER", number_id, problems))
    entities += [
        _entity("WABA", waba_id, problems),
        _entity("BUSINESS", business_id, problems),
        _entity("APP", APP_ID, problems),
    ]
    return {"can_send_message": worst(str(e["can_send_message"]) for e in entities), "entities": entities}
