"""Where a person is in "Create new API credentials", as the page's address keeps it across a reload.

Only the step and the non-secret choices go into the address; the API token has no place in `FlowPlace` at all,
so it can never end up in a URL, a browser history or a proxy log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from services.credentials.lifecycle import NAME_MAX

STEPS = 2
KEYS = ("step", "business", "waba", "number", "name")
_ID = re.compile(r"^[0-9]{1,32}$")


@dataclass(frozen=True)
class FlowPlace:
    step: int  # 1: API token and business; 2: account, number and name
    business_id: str = ""
    waba_id: str = ""
    phone_number_id: str = ""
    name: str = ""


def to_query(place: FlowPlace) -> dict[str, str]:
    """The query parameters for `place` (empty choices left out)."""
    values = {
        "step": str(place.step),
        "business": place.business_id,
        "waba": place.waba_id,
        "number": place.phone_number_id,
        "name": place.name,
    }
    return {key: value for key, value in values.items() if value}


def _one(params: Mapping[str, str | list[str]], key: str) -> str:
    value = params.get(key, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip()


def _id(params: Mapping[str, str | list[str]], key: str) -> str:
    value = _one(params, key)
    return value if _ID.match(value) else ""


def from_query(params: Mapping[str, str | list[str]]) -> FlowPlace | None:
    """The place an address names, or None when it names none; an edited address never gets past the checks."""
    step = _one(params, "step")
    if step not in {str(n) for n in range(1, STEPS + 1)}:
        return None
    business_id = _id(params, "business")
    place = FlowPlace(
        step=int(step) if business_id else 1,  # step 2 needs the business ID to ask for the token again
        business_id=business_id,
        waba_id=_id(params, "waba"),
        phone_number_id=_id(params, "number"),
        name=_one(params, "name")[:NAME_MAX],
    )
    return place
