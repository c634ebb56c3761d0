"""`/_simulator/templates`: read the templates' current state (GET) or change one now (POST), with its webhooks.

POST `{"template_id": "...", "status": "PAUSED", "title": "FIRST_PAUSE"}` (or `"name"` with `"language"` and
`"waba_id"` instead of the ID; any of `status`, `quality`, `title`, `rejected_reason`): from the simulated now on,
Graph serves the template so, and when the simulator sends webhooks, the ones Meta sends for the change are queued
(`message_template_status_update`, `message_template_quality_update`), signed like the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.simulator.templates import TemplateBook, events
from services.simulator.webhooks import WebhookSender, envelope

CHANGEABLE = ("status", "quality", "title", "rejected_reason")
USAGE = (
    'Send {"template_id": "...", "status": "PAUSED", "title": "FIRST_PAUSE"} (or "name" and "language" instead of '
    f"the ID), changing any of {', '.join(CHANGEABLE)}."
)


def listing(book: TemplateBook, *, anchor: datetime, now: datetime, waba_id: str | None) -> dict[str, Any]:
    """Every template (of one WABA when asked) with its state now."""
    offset = now - anchor
    rows = []
    for template in book.templates.values():
        if (waba_id and template.waba_id != waba_id) or template.created > offset:
            continue
        health = book.at(template, offset)
        rows.append(
            {
                "id": template.id,
                "waba_id": template.waba_id,
                "name": template.name,
                "language": template.language,
                "category": template.category,
                "status": health.status,
                "quality": health.quality,
            }
        )
    return {"templates": rows}


def change(
    book: TemplateBook, sender: WebhookSender | None, body: Any, *, anchor: datetime, now: datetime
) -> dict[str, Any]:
    """Apply one change at `now`; what the template became and the webhooks queued."""
    if not isinstance(body, dict):
        raise ValueError(USAGE)
    values = {key: body[key] for key in CHANGEABLE if key in body}
    if not values or not all(isinstance(v, str) for v in values.values()):
        raise ValueError(USAGE)
    template = book.find(
        template_id=body.get("template_id"),
        name=body.get("name"),
        language=body.get("language"),
        waba_id=body.get("waba_id"),
    )
    at = now - anchor
    if template.created > at:
        raise ValueError(f"The template {template.name} ({template.language}) does not exist yet at {now.isoformat()}.")
    before, after = book.change(template, at, **values)
    queued = []
    if sender is not None:
        found = list(events(template, before, after, now))
        if found:
            queued.append(sender.send(envelope(template.waba_id, found, now)))
    return {
        "id": template.id,
        "name": template.name,
        "language": template.language,
        "status": after.status,
        "quality": after.quality,
        "queued": queued,
    }
