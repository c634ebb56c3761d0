"""Crafted Graph API answers for unit tests (Meta's envelope, list pages, HTML error pages)."""

from __future__ import annotations

import json

import httpx

TOKEN = "EAAGsecretTOKEN1234567890abcdefWXYZ"
REQUEST = httpx.Request("GET", "https://graph.facebook.com/v24.0/2000000000000011/phone_numbers")


def envelope(
    code: int,
    message: str = "(#0) An error",
    *,
    subcode: int | None = None,
    status: int = 400,
    headers: dict[str, str] | None = None,
    fbtrace_id: str | None = "AbCdEf123",
    **extra: object,
) -> httpx.Response:
    error: dict[str, object] = {"message": message, "type": "OAuthException", "code": code, **extra}
    if subcode is not None:
        error["error_subcode"] = subcode
    if fbtrace_id is not None:
        error["fbtrace_id"] = fbtrace_id
    return httpx.Response(status, json={"error": error}, headers=headers or {}, request=REQUEST)


def buc(minutes: float, object_id: str = "2000000000000011") -> dict[str, str]:
    usage = {
        object_id: [
            {"type": "whatsapp_business_management", "call_count": 100, "estimated_time_to_regain_access": minutes}
        ]
    }
    return {"X-Business-Use-Case-Usage": json.dumps(usage)}


def html(status: int = 502) -> httpx.Response:
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    return httpx.Response(status, content=page, headers={"Content-Type": "text/html"}, request=REQUEST)


def number(index: int, **fields: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": f"30000000000{index:05d}",
        "display_phone_number": f"+1 631-555-{index:04d}",
        "verified_name": f"Number {index}",
        "quality_rating": "GREEN",
        "throughput": {"level": "STANDARD"},
        "status": "CONNECTED",
        "name_status": "APPROVED",
        "whatsapp_business_manager_messaging_limit": "TIER_10K",
    }
    return row | fields


def page(rows: list[dict[str, object]], *, after: str | None = None, next_url: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"data": rows}
    if after is not None:
        body["paging"] = {"cursors": {"before": "b", "after": after}}
        if next_url is not None:
            body["paging"]["next"] = next_url  # type: ignore[index]
    return body
