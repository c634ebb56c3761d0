"""The health history figure: one row of bands per field and number, on one time axis, coloured by rating."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from services.graph.types import CanSend, QualityRating
from services.health import coverage as coverage_of
from services.health.coverage import Coverage, Gap
from services.health.history import Stretch
from services.health.model import CAN_SEND, Severity, status_meaning, template_status_meaning
from services.health.recording import gap_after
from services.health.vocabulary import (
    can_send_words,
    limit_words,
    pause_span_words,
    quality_words,
    status_words,
    template_quality_words,
    template_status_words,
    throughput_words,
)
from services.language.translate import N_, _, lazy
from services.moments import moment_words, zone_name
from services.store.models import TemplateInterval
from ui.text import plotly_text

# One colour per rating, for every band that rates (quality, whether the number can send); the words in the band
# and its hover say the same for readers who cannot tell the colours apart.
RATING_COLOURS = {"good": "#1e9e4a", "medium": "#f2b600", "bad": "#d93025", "unknown": "#9aa0a6"}
RATING_TEXT = {"good": "#ffffff", "medium": "#202124", "bad": "#ffffff", "unknown": "#202124"}
RATING_LEGEND = {
    "good": lazy("High · can send"),
    "medium": lazy("Medium · at risk"),
    "bad": lazy("Low · blocked"),
    "unknown": lazy("Not rated"),
}
UNOBSERVED = lazy("Not observed")
FACT, FACT_NAME = "fact", lazy("Throughput and limit")  # facts, not ratings: they get no rating colour
FACT_COLOUR, EDGE_COLOUR, UNOBSERVED_COLOUR, BEFORE_COLOUR = "#ffffff", "#5f6368", "#80868b", "#f1f3f4"
QUALITY_TONES = {QualityRating.GREEN: "good", QualityRating.YELLOW: "medium", QualityRating.RED: "bad"}
SEVERITY_TONES = {
    Severity.OK: "good",
    Severity.WATCH: "medium",
    Severity.AT_RISK: "medium",
    Severity.BLOCKED: "bad",
    Severity.UNKNOWN: "unknown",
}
# The lanes' keys (the bands' y values) stay English; the axis shows each in the reader's language (`_(lane)`).
LANES = (N_("Quality"), N_("Throughput"), N_("Can send"), N_("Limit"))
# Pixels: a lane tall enough for a 12 px label; between numbers room for the time ticks and the next title; above,
# the legend (up to three lines on a phone) and the first title; below, the ticks and the axis title.
LANE_PX, NUMBER_GAP_PX, TOP_PX, BOTTOM_PX = 32, 80, 88, 72
DEFAULT_TOLERANCE = gap_after(300)  # at the default poll interval, for callers that bring no coverage of their own
SHORT_GAP_SHARE = 0.02  # a gap shorter than this share of the range is a few pixels wide at most: it gets a tick
MIN_LABEL_PX = 10  # a band label Plotly would have to draw smaller than this is hidden; its hover still says it


@dataclass(frozen=True)
class Band:
    """One lane's value from `start` to `end`: its words, its rating tone (or FACT) and what hovering tells."""

    lane: str
    start: datetime
    end: datetime
    words: str
    tone: str


def _quality(stretch: Stretch) -> tuple[str, str]:
    rating = QualityRating.parse(stretch.quality_rating)
    return quality_words(stretch.quality_rating), QUALITY_TONES.get(rating, "unknown")


def _can_send(stretch: Stretch) -> tuple[str, str]:
    severity = min(CAN_SEND[CanSend.parse(stretch.can_send)].severity, status_meaning(stretch.status).severity)
    return f"{can_send_words(stretch.can_send)} · {status_words(stretch.status)}", SEVERITY_TONES[severity]


LANE_VALUES: dict[str, Callable[[Stretch], tuple[str, str]]] = {
    "Quality": _quality,
    "Throughput": lambda stretch: (throughput_words(stretch.throughput_level), FACT),
    "Can send": _can_send,
    "Limit": lambda stretch: (limit_words(stretch.messaging_limit), FACT),
}


def bands(stretches: Sequence[Stretch]) -> list[Band]:
    """Each lane's values for one number, neighbouring stretches with the same value joined into one band."""
    found: list[Band] = []
    for lane, value in LANE_VALUES.items():
        current: Band | None = None
        joined = False  # the previous stretch runs on into this one, without a gap
        for stretch in stretches:
            words, tone = value(stretch)
            if current is not None and joined and current.words == words:
                current = Band(lane, current.start, stretch.end, words, tone)
            else:
                if current is not None:
                    found.append(current)
                current = Band(lane, stretch.start, stretch.end, words, tone)
            joined = not stretch.gap_after
        if current is not None:
            found.append(current)
    return found


def _local(moment: datetime, tz: tzinfo) -> datetime:
    # Plotly draws wall-clock times and ignores offsets: hand it the viewer's wall clock.
    return moment.astimezone(tz).replace(tzinfo=None)


def _ms(length: timedelta) -> float:
    return length.total_seconds() * 1000


def _span_words(start: datetime, end: datetime, tz: tzinfo) -> str:
    return _(
        "{start} to {end} ({length})",
        start=moment_words(start, tz, with_zone=False),
        end=moment_words(end, tz),
        length=coverage_of.length_words(end - start),
    )


def _lane_words(lane: str, words: str) -> str:
    """The first line of a band's hover: 'Quality: Green · high'."""
    return _("{lane}: {words}", lane=_(lane), words=plotly_text(words))


def _unobserved_label(length: timedelta) -> str:
    return _("Not observed · {length}", length=coverage_of.length_words(length))


def _unobserved_hover(start: datetime, end: datetime, tz: tzinfo) -> str:
    length = coverage_of.length_words(end - start)
    return _("Not observed for {length}", length=length) + f"<br>{_span_words(start, end, tz)}"


def _lane_axis(lanes: Sequence[str]) -> dict[str, object]:
    """A lanes axis: the English keys in their order, each shown in the reader's language."""
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": list(lanes),
        "tickmode": "array",
        "tickvals": list(lanes),
        "ticktext": [_(lane) for lane in lanes],
        "autorange": "reversed",
        "fixedrange": True,
    }


def _bars(
    figure: go.Figure,
    items: Sequence[tuple[str, datetime, datetime, str, str]],
    *,
    row: int,
    tz: tzinfo,
    name: str,
    fill: str,
    text_colour: str,
    legend: bool,
    pattern: dict[str, object] | None = None,
) -> None:
    """Horizontal bars (lane, start, end, label, hover) on one number's lanes; Plotly hides labels that do not fit."""
    if not items:
        return
    figure.add_trace(
        go.Bar(
            orientation="h",
            y=[lane for lane, *_ in items],
            base=[_local(start, tz) for _, start, *_ in items],
            x=[_ms(end - start) for _, start, end, *_ in items],
            text=[label for *_, label, _ in items],
            customdata=[hover for *_, hover in items],
            hovertemplate="%{customdata}<extra></extra>",
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,
            constraintext="inside",
            insidetextfont={"color": text_colour, "size": 12},
            marker={"color": fill, "line": {"color": EDGE_COLOUR if fill == FACT_COLOUR else "#ffffff", "width": 1}}
            | ({"pattern": pattern} if pattern else {}),
            name=name,
            legendgroup=name,
            showlegend=legend,
        ),
        row=row,
        col=1,
    )


def _band_items(found: Sequence[Band], tz: tzinfo) -> list[tuple[str, datetime, datetime, str, str]]:
    return [
        (
            b.lane,
            b.start,
            b.end,
            plotly_text(b.words),
            f"{_lane_words(b.lane, b.words)}<br>{_span_words(b.start, b.end, tz)}",
        )
        for b in found
    ]


def history_figure(
    stretches_by_number: Mapping[str, Sequence[Stretch]],
    labels: Mapping[str, str],
    *,
    window: tuple[datetime, datetime],
    tz: tzinfo,
    coverage: Coverage | None = None,
) -> go.Figure:
    """One figure, one time axis: per number (a small multiple, titled with it) a lane per field, coloured by rating.

    `coverage` (from `services.health.coverage.coverage`) adds the gaps and the time before history began;
    without it the gaps are the breaks between the stretches, and history is taken to have begun before the window.
    """
    numbers = list(stretches_by_number)
    if coverage is None:
        flat = [s for number in numbers for s in stretches_by_number[number]]
        coverage = coverage_of.coverage(
            flat,
            numbers=numbers,
            start=window[0],
            end=window[1],
            began=dict.fromkeys(numbers, window[0]),
            tolerance=DEFAULT_TOLERANCE,
        )
    rows = max(len(numbers), 1)
    paper = rows * (LANE_PX * len(LANES)) + (rows - 1) * NUMBER_GAP_PX
    titles = [plotly_text(labels.get(number, number)) for number in numbers]
    figure = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=NUMBER_GAP_PX / paper,
        subplot_titles=titles or None,
    )
    shown_legend: set[str] = set()
    for row, number in enumerate(numbers, start=1):
        found = bands(stretches_by_number[number])
        for tone in (*RATING_COLOURS, FACT):
            items = _band_items([b for b in found if b.tone == tone and b.end > b.start], tz)
            legend = tone != FACT and bool(items) and tone not in shown_legend
            shown_legend |= {tone} if legend else set()
            _bars(
                figure,
                items,
                row=row,
                tz=tz,
                name=str(RATING_LEGEND.get(tone, FACT_NAME)),
                fill=RATING_COLOURS.get(tone, FACT_COLOUR),
                text_colour=RATING_TEXT.get(tone, "#202124"),
                legend=legend,
            )
        _points(figure, [b for b in found if b.end <= b.start], row=row, tz=tz)
        _gaps(
            figure,
            coverage.gaps_of(number),
            row=row,
            tz=tz,
            legend="gap" not in shown_legend,
            span=window[1] - window[0],
        )
        shown_legend |= {"gap"} if coverage.gaps_of(number) else set()
        first = coverage.began_inside.get(number)
        if first is not None:
            words = coverage_of.before_history_words(first, tz=tz, span=window[1] - window[0])
            items = [(lane, window[0], first, words if lane == LANES[0] else "", words) for lane in LANES]
            _bars(figure, items, row=row, tz=tz, name=words, fill=BEFORE_COLOUR, text_colour="#3c4043", legend=False)
    start, end = _local(window[0], tz), _local(window[1], tz)
    figure.update_xaxes(type="date", range=[start, end], showticklabels=True, showgrid=True, gridcolor="#e8eaed")
    figure.update_xaxes(matches="x")  # make_subplots ties them to the last axis; the first one leads instead
    figure.layout.xaxis.matches = None
    figure.update_xaxes(title=_("Time ({zone})", zone=zone_name(tz)), row=rows, col=1)
    figure.update_yaxes(**_lane_axis(LANES))
    figure.update_annotations(xanchor="left", x=0, font={"size": 14})  # the number titles, over the lanes' start
    return _laid_out(figure, paper)


def _points(figure: go.Figure, found: Sequence[Band], *, row: int, tz: tzinfo) -> None:
    """A value seen by one poll only has no length to draw: a square in its rating's colour marks it."""
    if not found:
        return
    figure.add_trace(
        go.Scatter(
            x=[_local(b.start, tz) for b in found],
            y=[b.lane for b in found],
            customdata=[
                f"{_lane_words(b.lane, b.words)}<br>" + _("Seen once, {moment}", moment=moment_words(b.start, tz))
                for b in found
            ],
            hovertemplate="%{customdata}<extra></extra>",
            mode="markers",
            marker={
                "symbol": "square",
                "size": LANE_PX - 12,
                "color": [RATING_COLOURS.get(b.tone, FACT_COLOUR) for b in found],
                "line": {"width": 1, "color": EDGE_COLOUR},
            },
            name=_("Seen once"),
            showlegend=False,
        ),
        row=row,
        col=1,
    )


def _gaps(figure: go.Figure, gaps: Sequence[Gap], *, row: int, tz: tzinfo, legend: bool, span: timedelta) -> None:
    """Hatched bands where nobody looked, and a tick on each short one, which would not show at a 90-day zoom."""
    if not gaps:
        return
    hover = {gap: _unobserved_hover(gap.start, gap.end, tz) for gap in gaps}
    items = [
        (
            lane,
            gap.start,
            gap.end,
            _unobserved_label(gap.length) if lane == LANES[0] else "",
            hover[gap],
        )
        for gap in gaps
        for lane in LANES
    ]
    pattern = {"shape": "/", "fgcolor": UNOBSERVED_COLOUR, "bgcolor": "#ffffff", "size": 6, "solidity": 0.3}
    _bars(
        figure,
        items,
        row=row,
        tz=tz,
        name=str(UNOBSERVED),
        fill="#ffffff",
        text_colour="#3c4043",
        legend=legend,
        pattern=pattern,
    )
    short = [gap for gap in gaps if gap.length < span * SHORT_GAP_SHARE]
    if not short:
        return
    figure.add_trace(
        go.Scatter(
            x=[_local(gap.start + gap.length / 2, tz) for gap in short for _ in LANES],
            y=[lane for _ in short for lane in LANES],
            customdata=[hover[gap] for gap in short for _ in LANES],
            hovertemplate="%{customdata}<extra></extra>",
            mode="markers",
            marker={"symbol": "line-ns-open", "size": LANE_PX - 6, "color": EDGE_COLOUR, "line": {"width": 2}},
            name=str(UNOBSERVED),
            legendgroup=str(UNOBSERVED),
            showlegend=False,
        ),
        row=row,
        col=1,
    )


# --- Message templates: a status lane and a quality lane over time, in the look of the numbers' figure ----------

TEMPLATE_LANES = (N_("Status"), N_("Quality"))
TEMPLATE_QUALITY_TONES = {"GREEN": "good", "YELLOW": "medium", "RED": "bad"}


def _template_status(row: TemplateInterval) -> tuple[str, str]:
    words = template_status_words(row.status)
    if (row.status or "").upper() == "PAUSED" and row.reason:
        words = pause_span_words(row.reason)
    return words, SEVERITY_TONES[template_status_meaning(row.status).severity]


def _template_quality(row: TemplateInterval) -> tuple[str, str]:
    score = (row.quality_score or "").upper()
    return template_quality_words(row.quality_score), TEMPLATE_QUALITY_TONES.get(score, "unknown")


def template_bands(
    rows: Sequence[TemplateInterval], *, window: tuple[datetime, datetime]
) -> tuple[list[Band], list[tuple[datetime, datetime]]]:
    """Each lane's values, and the gaps nobody looked, from a template's history rows (oldest first) in `window`.

    A value holds until the next row begins, unless the next row follows a gap: then only until it was last seen.
    """
    found: list[Band] = []
    gaps: list[tuple[datetime, datetime]] = []
    for i, row in enumerate(rows):
        following = rows[i + 1] if i + 1 < len(rows) else None
        continued = following is not None and not following.follows_gap
        until = following.since if continued and following is not None else row.last_confirmed_at
        start, end = max(row.since, window[0]), min(until, window[1])
        if following is not None and not continued and following.since > until:
            gap = (max(until, window[0]), min(following.since, window[1]))
            if gap[0] < gap[1]:
                gaps.append(gap)
        if start > end:
            continue
        for lane, value in zip(TEMPLATE_LANES, (_template_status, _template_quality), strict=True):
            words, tone = value(row)
            last = next((b for b in reversed(found) if b.lane == lane), None)
            if last is not None and last.words == words and last.end == start:
                found[found.index(last)] = Band(lane, last.start, end, words, tone)
            else:
                found.append(Band(lane, start, end, words, tone))
    return found, gaps


def template_history_figure(
    rows: Sequence[TemplateInterval], label: str, *, window: tuple[datetime, datetime], tz: tzinfo
) -> go.Figure:
    """One template's status and quality on one time axis, coloured by rating; a change too short to see at this
    range (a 3-hour pause in 30 days) also gets a square in its colour, so it cannot be missed."""
    found, gaps = template_bands(rows, window=window)
    span = window[1] - window[0]
    paper = LANE_PX * len(TEMPLATE_LANES)
    figure = make_subplots(rows=1, cols=1, subplot_titles=[plotly_text(label)])
    shown: set[str] = set()
    for tone in RATING_COLOURS:
        items = _band_items([b for b in found if b.tone == tone and b.end > b.start], tz)
        _bars(
            figure,
            items,
            row=1,
            tz=tz,
            name=str(RATING_LEGEND[tone]),
            fill=RATING_COLOURS[tone],
            text_colour=RATING_TEXT[tone],
            legend=bool(items),
        )
        shown |= {tone} if items else set()
    brief = [b for b in found if b.end - b.start < span * SHORT_GAP_SHARE and b.tone != "good"]
    if brief:
        figure.add_trace(
            go.Scatter(
                x=[_local(b.start + (b.end - b.start) / 2, tz) for b in brief],
                y=[b.lane for b in brief],
                customdata=[f"{_lane_words(b.lane, b.words)}<br>{_span_words(b.start, b.end, tz)}" for b in brief],
                hovertemplate="%{customdata}<extra></extra>",
                mode="markers",
                marker={
                    "symbol": "square",
                    "size": LANE_PX - 14,
                    "color": [RATING_COLOURS[b.tone] for b in brief],
                    "line": {"width": 1, "color": EDGE_COLOUR},
                },
                name=_("Short change"),
                showlegend=False,
            )
        )
    if gaps:
        items = [
            (
                lane,
                start,
                end,
                _unobserved_label(end - start) if lane == TEMPLATE_LANES[0] else "",
                _unobserved_hover(start, end, tz),
            )
            for start, end in gaps
            for lane in TEMPLATE_LANES
        ]
        pattern = {"shape": "/", "fgcolor": UNOBSERVED_COLOUR, "bgcolor": "#ffffff", "size": 6, "solidity": 0.3}
        _bars(
            figure,
            items,
            row=1,
            tz=tz,
            name=str(UNOBSERVED),
            fill="#ffffff",
            text_colour="#3c4043",
            legend=True,
            pattern=pattern,
        )
    figure.update_xaxes(
        type="date",
        range=[_local(window[0], tz), _local(window[1], tz)],
        showgrid=True,
        gridcolor="#e8eaed",
        title=_("Time ({zone})", zone=zone_name(tz)),
    )
    figure.update_yaxes(**_lane_axis(TEMPLATE_LANES))
    figure.update_annotations(xanchor="left", x=0, font={"size": 14})
    return _laid_out(figure, paper)


def _laid_out(figure: go.Figure, paper: int) -> go.Figure:
    """The lane figures' one look: overlaid bands, labels hidden where they do not fit, the legend on top."""
    figure.update_layout(
        barmode="overlay",
        bargap=0.15,
        uniformtext={"mode": "hide", "minsize": MIN_LABEL_PX},
        legend={"orientation": "h", "yref": "container", "y": 1, "yanchor": "top", "xanchor": "left", "x": 0},
        margin={"l": 10, "r": 10, "t": TOP_PX, "b": BOTTOM_PX},
        height=TOP_PX + paper + BOTTOM_PX,
        hovermode="closest",
        plot_bgcolor="#ffffff",
    )
    return figure
