"""Cursor paging of the list edges, in Graph's shape."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from services.simulator.errors import bad_parameter
from services.simulator.request import Request

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_HasId)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    paging: dict[str, object] | None
    number: int  # 1-based page number at this limit (what fail_on_page faults match)


def cursor(item_id: str) -> str:
    return base64.urlsafe_b64encode(f"sim1:{item_id}".encode()).decode().rstrip("=")


def _position(value: str, ids: list[str], name: str) -> int:
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    item_id = decoded.removeprefix("sim1:")
    if not decoded.startswith("sim1:") or item_id not in ids:
        raise bad_parameter(f"The {name} cursor is not valid for this edge.")
    return ids.index(item_id)


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise bad_parameter(f"Param limit must be a positive integer, not {raw!r}.")
    if int(raw) > MAX_LIMIT:
        raise bad_parameter(f"Param limit must be at most {MAX_LIMIT}.")
    return int(raw)


def page(items: Sequence[T], request: Request) -> Page[T]:
    """The slice `limit`/`after`/`before` select, with cursors and `next`/`previous` links."""
    limit = _limit(request.query.get("limit"))
    ids = [item.id for item in items]
    if request.query.get("after"):
        start = _position(request.query["after"], ids, "after") + 1
        end = start + limit
    elif request.query.get("before"):
        end = _position(request.query["before"], ids, "before")
        start = max(0, end - limit)
    else:
        start, end = 0, limit
    chosen = list(items[start:end])
    if not chosen:
        return Page(chosen, None, start // limit + 1)
    first, last = cursor(chosen[0].id), cursor(chosen[-1].id)
    paging: dict[str, object] = {"cursors": {"before": first, "after": last}}
    if end < len(items):
        paging["next"] = request.url_with(after=last)
    if start > 0:
        paging["previous"] = request.url_with(before=first)
    return Page(chosen, paging, start // limit + 1)
