"""Plotly figures of health history: quality and throughput as step lines with gaps, limit/status as a timeline."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import plotly.graph_objects as go
import streamlit as st

from services.graph.types import QualityRating, ThroughputLevel
from services.health.history import Stretch, step_points
from services.health.model import Severity
from services.health.vocabulary import can_send_words, limit_words, status_words
from ui.text import plotly_text

NOT_RATED = "Not rated"
# Bottom to top. Unrated time is drawn (below RED) rather than left out: left out, it would look
# like a gap, i.e. time nobody watched, which it is not.
QUALITY_LEVELS = [NOT_RATED, "RED", "YELLOW", "GREEN"]
RATING_COLOURS = {"GREEN": "#1e9e4a", "YELLOW": "#e8a800", "RED": "#d93025", NOT_RATED: "#9aa0a6"}
THROUGHPUT_TICKS = {0: "n/a", 80: "80 Standard", 1000: "1,000 High"}


def viewer_timezone() -> tzinfo:
    """The browser's time zone when it tells us one, else UTC."""
    try:
        return ZoneInfo(st.context.timezone) if st.context.timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone_name(tz: tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def _local(moments: Sequence[datetime | None], tz: tzinfo) -> list[datetime | None]:
    # Plotly draws wall-clock times and ignores offsets: hand it the viewer's wall clock.
    return [m.astimezone(tz).replace(tzinfo=None) if m is not None else None for m in moments]


def quality_level(stretch: Stretch) -> str:
    rating = QualityRating.parse(stretch.quality_rating)
    return rating.value if rating.rank <= 2 else NOT_RATED


def messages_per_second(stretch: Stretch) -> int:
    return ThroughputLevel.parse(stretch.throughput_level).messages_per_second or 0


def _layout(figure: go.Figure, *, title: str, tz: tzinfo, window: tuple[datetime, datetime]) -> go.Figure:
    start, end = _local(window, tz)
    figure.update_layout(
        title=title,
        xaxis={"title": f"Time ({zone_name(tz)})", "range": [start, end], "type": "date"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=320,
    )
    return figure


def _step_traces(
    figure: go.Figure,
    grouped: Mapping[str, Sequence[Stretch]],
    value: Callable[[Stretch], object],
    *,
    labels: Mapping[str, str],
    tz: tzinfo,
    colour: Callable[[object], str] | None = None,
) -> None:
    for number_id, stretches in grouped.items():
        xs, ys = step_points(stretches, value)
        marker = {"size": 7}
        if colour is not None:
            marker["color"] = [colour(y) for y in ys]  # type: ignore[assignment]
        figure.add_trace(
            go.Scatter(
                x=_local(xs, tz),
                y=ys,
                name=plotly_text(labels.get(number_id, number_id)),
                mode="lines+markers",
                line_shape="hv",
                connectgaps=False,
                marker=marker,
                hovertemplate="%{fullData.name}<br>%{x}<br>%{y}<extra></extra>",
            )
        )


def quality_figure(
    grouped: Mapping[str, Sequence[Stretch]],
    *,
    labels: Mapping[str, str],
    tz: tzinfo,
    window: tuple[datetime, datetime],
) -> go.Figure:
    """Quality rating over time: one step line per number, markers coloured by rating, gaps left open."""
    figure = go.Figure()
    _step_traces(
        figure,
        grouped,
        quality_level,
        labels=labels,
        tz=tz,
        colour=lambda y: RATING_COLOURS.get(str(y), RATING_COLOURS[NOT_RATED]),
    )
    figure.update_yaxes(type="category", categoryorder="array", categoryarray=QUALITY_LEVELS, range=[-0.5, 3.5])
    return _layout(figure, title="Quality rating", tz=tz, window=window)


def throughput_figure(
    grouped: Mapping[str, Sequence[Stretch]],
    *,
    labels: Mapping[str, str],
    tz: tzinfo,
    window: tuple[datetime, datetime],
) -> go.Figure:
    """Throughput over time in messages per second (0: not on Cloud API), one step line per number."""
    figure = go.Figure()
    _step_traces(figure, grouped, messages_per_second, labels=labels, tz=tz)
    shown = {y for trace in figure.data for y in (trace.y or ()) if y is not None}
    # "n/a" sits just under "80 Standard"; label it only when a number is really not on the Cloud API.
    ticks = {value: text for value, text in THROUGHPUT_TICKS.items() if value or 0 in shown}
    figure.update_yaxes(
        title="messages/s" + (" (n/a: not on Cloud API)" if 0 in shown else ""),
        tickvals=list(ticks),
        ticktext=list(ticks.values()),
        range=[-100, 1080],
    )
    return _layout(figure, title="Throughput", tz=tz, window=window)


def _limit_and_status_events(stretches: Sequence[Stretch]) -> tuple[list[datetime], list[str]]:
    moments: list[datetime] = []
    texts: list[str] = []
    previous: Stretch | None = None
    for stretch in stretches:
        if previous is None:
            moments.append(stretch.start)
            texts.append(
                f"{can_send_words(stretch.can_send)} · {limit_words(stretch.messaging_limit)} · "
                f"{status_words(stretch.status)}"
            )
        else:
            parts = []
            if stretch.can_send != previous.can_send:
                parts.append(f"can send → {can_send_words(stretch.can_send)}")
            if stretch.messaging_limit != previous.messaging_limit:
                parts.append(f"limit → {limit_words(stretch.messaging_limit)}")
            if stretch.status != previous.status:
                parts.append(f"status → {status_words(stretch.status)}")
            if parts:
                moments.append(stretch.start)
                texts.append(", ".join(parts))
        previous = stretch
    return moments, texts


def timeline_figure(
    grouped: Mapping[str, Sequence[Stretch]],
    *,
    labels: Mapping[str, str],
    tz: tzinfo,
    window: tuple[datetime, datetime],
) -> go.Figure:
    """Can-send verdict, messaging limit and status: the values at the start of the window, then each change."""
    figure = go.Figure()
    right_quarter = window[0] + (window[1] - window[0]) * 0.75
    for number_id, stretches in grouped.items():
        moments, texts = _limit_and_status_events(stretches)
        label = plotly_text(labels.get(number_id, number_id))
        # Labels near the right edge open to the left, so they stay inside the chart.
        sides = ["top left" if moment > right_quarter else "top right" for moment in moments]
        figure.add_trace(
            go.Scatter(
                x=_local(moments, tz),
                y=[label] * len(moments),
                text=[plotly_text(text) for text in texts],
                name=label,
                mode="markers+text",
                textposition=sides,
                cliponaxis=False,
                marker={"symbol": "diamond", "size": 10},
                hovertemplate="%{y}<br>%{x}<br>%{text}<extra></extra>",
                showlegend=False,
            )
        )
    figure.update_yaxes(type="category", autorange="reversed")
    _layout(figure, title="Can send, messaging limit and status", tz=tz, window=window)
    figure.update_layout(height=120 + 50 * len(grouped))
    return figure


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
