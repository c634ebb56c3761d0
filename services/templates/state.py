"""One message template as Meta reports it, by a poll of the message_templates edge or by a webhook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# What a poll asks of each template (Graph's message_templates edge); quality_score is {"score": ..., "date": ...}.
GRAPH_FIELDS = ("id", "name", "language", "status", "category", "quality_score", "rejected_reason")
_SHORT = 64


def _text(value: object, length: int) -> str:
    return str(value).strip()[:length] if value is not None else ""


@dataclass(frozen=True)
class TemplateState:
    id: str
    name: str
    language: str
    category: str = ""
    status: str = "PENDING"
    quality_score: str = "UNKNOWN"
    reason: str | None = None  # rejected_reason (not NONE), or a pause's title (FIRST_PAUSE ...)
    status_info: Mapping[str, Any] = field(default_factory=dict)  # Meta's extra words: description, disable_date ...

    @property
    def label(self) -> str:
        return f"{self.name} ({self.language})"


def from_graph(row: Mapping[str, object]) -> TemplateState:
    """A row of `GET /{waba}/message_templates`; a field Meta left out reads as not reported."""
    quality = row.get("quality_score")
    score = quality.get("score") if isinstance(quality, Mapping) else quality
    rejected = _text(row.get("rejected_reason"), _SHORT).upper()
    return TemplateState(
        id=_text(row.get("id"), 32),
        name=_text(row.get("name"), 512),
        language=_text(row.get("language"), 16),
        category=_text(row.get("category"), 32).upper(),
        status=_text(row.get("status"), 32).upper() or "PENDING",
        quality_score=_text(score, 16).upper() or "UNKNOWN",
        reason=rejected if rejected and rejected != "NONE" else None,
    )
