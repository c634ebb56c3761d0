"""The Templates page's pieces: languages in words, the list as a table, a template's changes and events in words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from functools import cache

import pandas as pd
import streamlit as st
from babel import Locale, UnknownLocaleError

from services.health.vocabulary import template_category_words, template_quality_words, template_status_words
from services.moments import COLUMN_FORMAT, moment_words
from services.store.models import TemplateInterval
from services.templates.views import TemplateEvent, TemplateRow

QUALITY_ORDER = ("GREEN", "YELLOW", "RED", "UNKNOWN")
QUALITY_RANK = {score: rank for rank, score in enumerate(QUALITY_ORDER)}


@cache
def language_words(code: str) -> str:
    """Meta's language code in words: en_US 'English (United States)', zh_CN 'Chinese (Simplified, China)'."""
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name("en") or code
    except (UnknownLocaleError, ValueError):
        return code


def template_table(rows: Sequence[TemplateRow]) -> pd.DataFrame:
    """One row per template, worst first, in words; the link before the long sentence, so it is on screen."""
    return pd.DataFrame(
        {
            "Health": [f"{row.severity.icon} {row.severity.label}" for row in rows],
            "Template": [row.name for row in rows],
            "Language": [language_words(row.language) for row in rows],
            "Status": [template_status_words(row.status) for row in rows],
            "Quality": [template_quality_words(row.quality_score) for row in rows],
            "Category": [template_category_words(row.category) for row in rows],
            "Details": [f"Templates?template={row.id}" for row in rows],
            "What": [row.headline[:1].upper() + row.headline[1:] for row in rows],
            "WhatsApp Business Account": [row.waba_name for row in rows],
            "Changed": [row.changed_at for row in rows],
        }
    )


def show_template_table(rows: Sequence[TemplateRow], *, tz: tzinfo) -> None:
    table = template_table(rows)
    table["Changed"] = pd.to_datetime(table["Changed"], utc=True).dt.tz_convert(tz)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Health": st.column_config.TextColumn(width=90),
            "Template": st.column_config.TextColumn(width="medium"),
            "What": st.column_config.TextColumn(width="large"),
            "Changed": st.column_config.DatetimeColumn(format=COLUMN_FORMAT),
            "Details": st.column_config.LinkColumn(display_text="Open", width=55),
        },
    )


def _change_words(before: TemplateInterval, after: TemplateInterval) -> list[str]:
    said = []
    if (before.status or "") != (after.status or ""):
        said.append(
            f"status changed from {template_status_words(before.status)} to {template_status_words(after.status)}"
        )
    if (before.quality_score or "") != (after.quality_score or ""):
        old, new = (before.quality_score or "").upper(), (after.quality_score or "").upper()
        rose = QUALITY_RANK.get(new, 3) < QUALITY_RANK.get(old, 3) and new != "UNKNOWN"
        verb = "rose" if rose else "dropped" if old != "UNKNOWN" and new != "UNKNOWN" else "changed"
        said.append(f"quality {verb} from {template_quality_words(old)} to {template_quality_words(new)}")
    return said


def history_changes(history: Sequence[TemplateInterval]) -> list[tuple[datetime, str]]:
    """(when, what) for each change between consecutive history rows, oldest first, saying how it was learned."""
    found: list[tuple[datetime, str]] = []
    for before, after in zip(history, history[1:], strict=False):
        words = _change_words(before, after)
        if words:
            how = "learned from Meta's webhook" if after.learned_by == "webhook" else "seen by the poller"
            found.append((after.since, f"{'; '.join(words)} ({how})"))
    return found


def timeline(history: Sequence[TemplateInterval], events: Sequence[TemplateEvent], tz: tzinfo) -> list[str]:
    """The template's changes and Meta's webhook events about it, newest first, one line each."""
    lines = [(at, f"{what[:1].upper()}{what[1:]}") for at, what in history_changes(history)]
    lines += [(event.at, f"Meta's webhook: {event.summary}") for event in events]
    return [f"{moment_words(at, tz)} · {what}" for at, what in sorted(lines, key=lambda line: line[0], reverse=True)]
