"""A window of numbers' health history as the console saw it: how much it looked, then the chart of its bands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

import streamlit as st
from sqlmodel import Session

from services.health import coverage, history
from services.health.coverage import Coverage
from services.health.recording import gap_after
from services.runtime import Console
from services.store.models import HealthInterval
from ui import charts
from ui.text import plain


@dataclass(frozen=True)
class Drawn:
    """What the chart was drawn from, for the sections under it."""

    rows: list[HealthInterval]
    stretches: list[history.Stretch]
    seen: Coverage


def history_chart(
    console: Console,
    numbers: Sequence[str],
    labels: Mapping[str, str],
    *,
    window: tuple[datetime, datetime],
    tz: tzinfo,
    key: str,
    config: dict[str, Any],
) -> Drawn | None:
    """Read the numbers' history in `window`, say how much of it was observed and draw it in their order; None, and
    nothing drawn, when nothing was observed."""
    start, end = window
    with Session(console.engine) as session:
        rows = history.read(session=session, phone_number_ids=numbers, start=start, end=end)
        began = history.began(session=session, phone_number_ids=numbers)
    stretches = history.stretches(rows, start=start, end=end)
    if not stretches:
        return None
    tolerance = gap_after(console.settings.poll_interval_seconds)
    seen = coverage.coverage(stretches, numbers=numbers, start=start, end=end, began=began, tolerance=tolerance)
    shown = {number: labels[number] for number in numbers if number in labels}
    began_words = seen.began_words(labels=shown, tz=tz, span=end - start)
    st.markdown(plain(f"{seen.summary(labels=labels)} {began_words}".strip()))
    grouped = history.by_number(stretches)
    in_order = {number: grouped[number] for number in numbers if number in grouped}
    figure = charts.history_figure(in_order, labels, window=window, tz=tz, coverage=seen)
    st.plotly_chart(figure, key=key, width="stretch", config=config)
    return Drawn(rows, stretches, seen)
