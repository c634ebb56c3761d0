"""The fleet table's daily strips: one square a day, coloured by that day's worst severity.

Apart from the charts, so the overview's first run does not import plotly for a line of squares."""

from __future__ import annotations

from collections.abc import Sequence

from services.health.model import Severity

UNWATCHED_SQUARE = "▫️"
SEVERITY_SQUARES = {
    Severity.BLOCKED: "🟥",
    Severity.AT_RISK: "🟧",
    Severity.WATCH: "🟨",
    Severity.UNKNOWN: "⬜",
    Severity.OK: "🟩",
}


STRIP_COLUMN_PX = 265  # 14 squares at the grid's 14 px font (245 px), with its padding


def severity_strip(worst: Sequence[Severity | None]) -> str:
    """One square per day, oldest first, coloured by the worst severity of that day."""
    return "".join(UNWATCHED_SQUARE if severity is None else SEVERITY_SQUARES[severity] for severity in worst)
