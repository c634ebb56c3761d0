"""How health values read on screen: coloured words, never bare enum codes."""

from __future__ import annotations

from services.configurations.records import status_words
from services.graph.types import QualityRating
from services.health.vocabulary import quality_words

QUALITY_COLOURS = {"GREEN": "green", "YELLOW": "orange", "RED": "red"}
QUALITY_DOTS = {"GREEN": "🟢", "YELLOW": "🟡", "RED": "🔴"}
STATUS_COLOURS = {
    "draft": "gray",
    "processing": "blue",
    "active": "green",
    "failed": "red",
    "deactivated": "gray",
}


def quality_text(rating: str) -> str:
    """Plain text for tables: '🟢 Green · high'."""
    value = QualityRating.parse(rating)
    return f"{QUALITY_DOTS.get(value.value, '⚪')} {quality_words(rating)}"


def quality_badge(rating: str) -> str:
    """Markdown badge: ':green-badge[Green · high]'."""
    value = QualityRating.parse(rating)
    return f":{QUALITY_COLOURS.get(value.value, 'gray')}-badge[{quality_words(rating)}]"


def status_badge(status: str) -> str:
    """Markdown chip for a channel configuration status."""
    colour = STATUS_COLOURS.get(status, "gray")
    return f":{colour}-badge[{status_words(status)}]"
