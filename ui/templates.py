"""The Templates page's pieces: languages in words, the list as a table, a template's changes and events in words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

import pandas as pd
import streamlit as st

from services.health.vocabulary import template_category_words, template_quality_words, template_status_words
from services.language.translate import _
from services.moments import column_format, moment_words
from services.store.models import TemplateInterval
from services.templates.languages import language_words
from services.templates.views import TemplateEvent, TemplateRow

__all__ = ["history_changes", "language_words", "show_template_table", "template_table", "timeline"]

QUALITY_ORDER = ("GREEN", "YELLOW", "RED", "UNKNOWN")
QUALITY_RANK = {score: rank for rank, score in enumerate(QUALITY_ORDER)}


def template_table(rows: Sequence[TemplateRow]) -> pd.DataFrame:
    """One row per template, worst first, in words; the link before the long sentence, so it is on screen."""
    return pd.DataFrame(
        {
            _("Health"): [f"{row.severity.icon} {row.severity.label}" for row in rows],
            _("Template"): [row.name for row in rows],
            _("Language"): [language_words(row.language) for row in rows],
            _("Status"): [template_status_words(row.status) for row in rows],
            _("Quality"): [template_quality_words(row.quality_score) for row in rows],
            _("Category"): [template_category_words(row.category) for row in rows],
            _("Details"): [f"Templates?template={row.id}" for row in rows],
            _("What"): [row.headline[:1].upper() + row.headline[1:] for row in rows],
            _("WhatsApp Business Account"): [row.waba_name for row in rows],
            _("Changed"): [row.changed_at for row in rows],
        }
    )


def show_template_table(rows: Sequence[TemplateRow], *, tz: tzinfo) -> None:
    table = template_table(rows)
    changed = _("Changed")
    table[changed] = pd.to_datetime(table[changed], utc=True).dt.tz_convert(tz)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            _("Health"): st.column_config.TextColumn(width=90),
            _("Template"): st.column_config.TextColumn(width="medium"),
            _("What"): st.column_config.TextColumn(width="large"),
            changed: st.column_config.DatetimeColumn(format=column_format()),
            _("Details"): st.column_config.LinkColumn(display_text=_("Open"), width=55),
        },
    )


def _change_words(before: TemplateInterval, after: TemplateInterval) -> list[str]:
    said = []
    if (before.status or "") != (after.status or ""):
        said.append(
            _(
                "status changed from {before} to {after}",
                before=template_status_words(before.status),
                after=template_status_words(after.status),
            )
        )
    if (before.quality_score or "") != (after.quality_score or ""):
        old, new = (before.quality_score or "").upper(), (after.quality_score or "").upper()
        rose = QUALITY_RANK.get(new, 3) < QUALITY_RANK.get(old, 3) and new != "UNKNOWN"
        words = {"before": template_quality_words(old), "after": template_quality_words(new)}
        if rose:
            said.append(_("quality rose from {before} to {after}", **words))
        elif old != "UNKNOWN" and new != "UNKNOWN":
            said.append(_("quality dropped from {before} to {after}", **words))
        else:
            said.append(_("quality changed from {before} to {after}", **words))
    return said


def history_changes(history: Sequence[TemplateInterval]) -> list[tuple[datetime, str]]:
    """(when, what) for each change between consecutive history rows, oldest first, saying how it was learned."""
    found: list[tuple[datetime, str]] = []
    for before, after in zip(history, history[1:], strict=False):
        words = _change_words(before, after)
        if words:
            changes = _("; ").join(words)
            if after.learned_by == "webhook":
                found.append((after.since, _("{changes} (learned from Meta's webhook)", changes=changes)))
            else:
                found.append((after.since, _("{changes} (seen by the poller)", changes=changes)))
    return found


def timeline(history: Sequence[TemplateInterval], events: Sequence[TemplateEvent], tz: tzinfo) -> list[str]:
    """The template's changes and Meta's webhook events about it, newest first, one line each."""
    lines = [(at, f"{what[:1].upper()}{what[1:]}") for at, what in history_changes(history)]
    lines += [(event.at, _("Meta's webhook: {summary}", summary=event.summary)) for event in events]
    return [f"{moment_words(at, tz)} · {what}" for at, what in sorted(lines, key=lambda line: line[0], reverse=True)]
