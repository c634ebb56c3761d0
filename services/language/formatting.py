"""Numbers, days and times written the way the current language writes them, by Babel's CLDR data.

English keeps the console's own format ('2 Dec 2026', '2 Dec 2026, 14:05'); Chinese writes '2026年12月2日' and
'2026年12月2日 14:05'. The same shapes exist as moment.js tokens (Streamlit's DatetimeColumn) and d3 tokens (Plotly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from services.language.current import current
from services.language.languages import Language
from services.language.translate import _


@dataclass(frozen=True)
class Shapes:
    day: str  # CLDR pattern
    moment: str  # how a day and a time join: '{day}, {time}'
    column: str  # moment.js, for Streamlit's DatetimeColumn
    plotly: str  # d3, for Plotly's hover text


ENGLISH_SHAPES = Shapes(day="d MMM y", moment="{day}, {time}", column="D MMM YYYY, HH:mm", plotly="%d %b %Y, %H:%M")
SHAPES = {
    "zh": Shapes(day="y年M月d日", moment="{day} {time}", column="YYYY年M月D日 HH:mm", plotly="%Y年%m月%d日 %H:%M"),
}


@cache
def _locale(name: str) -> Locale:
    return Locale.parse(name)


def shapes(language: Language | None = None) -> Shapes:
    return SHAPES.get(_locale((language or current()).locale).language, ENGLISH_SHAPES)


def day_text(day: date) -> str:
    language = current()
    return format_date(day, shapes(language).day, locale=_locale(language.locale))


def moment_text(at: datetime) -> str:
    """`at` (already in the zone to show) as a day and a 24-hour time, without the zone."""
    language = current()
    time = format_time(at, "HH:mm", locale=_locale(language.locale))
    return shapes(language).moment.format(day=day_text(at.date()), time=time)


def number_text(value: float) -> str:
    """'1,000', '1,000.5': grouped the way the language groups digits."""
    return format_decimal(value, locale=_locale(current().locale))


def column_format() -> str:
    return shapes().column


def plotly_format() -> str:
    return shapes().plotly


def list_separator() -> str:
    """What goes between the items of a list in a sentence: ', ' ('、' in Chinese)."""
    # Translators: the separator between the items of a list, with its space if the language uses one.
    return _(", ")
