"""How health values read on screen: coloured words, never bare enum codes."""

from __future__ import annotations

from services.graph.types import QualityRating, ThroughputLevel

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
    if value.rank > 2:
        return "⚪ Not yet rated"
    return f"{QUALITY_DOTS[value.value]} {value.value.title()} · {value.label.lower()}"


def quality_badge(rating: str) -> str:
    """Markdown badge: ':green-badge[Green · high]'."""
    value = QualityRating.parse(rating)
    if value.rank > 2:
        return ":gray-badge[Not yet rated]"
    return f":{QUALITY_COLOURS[value.value]}-badge[{value.value.title()} · {value.label.lower()}]"


def throughput_text(level: str) -> str:
    value = ThroughputLevel.parse(level)
    mps = value.messages_per_second
    if mps is None:
        return "Not applicable (not on Cloud API)"
    return f"{value.value.title()} · {mps:,} messages/s"


def status_badge(status: str) -> str:
    """Markdown chip for a channel configuration status."""
    colour = STATUS_COLOURS.get(status, "gray")
    return f":{colour}-badge[{status.title()}]"
