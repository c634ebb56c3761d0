"""Which slice of health history a screen shows (numbers and a time range), read from and written to a URL."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from services.language import formatting
from services.language.translate import _, lazy
from services.moments import MONTHS

RANGES: dict[str, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
}
CUSTOM = "custom"
RANGE_LABELS = {
    "24h": lazy("24 h"),
    "7d": lazy("7 d"),
    "30d": lazy("30 d"),
    "90d": lazy("90 d"),
    CUSTOM: lazy("Custom"),
}
DEFAULT_RANGE = "7d"
MAX_CUSTOM_DAYS = 366


@dataclass(frozen=True)
class HistoryView:
    """Numbers (phone number ids) and a range: a preset (`24h`...`90d`) or `custom` days, inclusive."""

    numbers: tuple[str, ...]
    range: str = DEFAULT_RANGE
    first_day: date | None = None
    last_day: date | None = None

    def window(self, *, now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
        """The aware UTC [start, end] this view covers at `now`; custom days are the viewer's (`tz`) days."""
        if self.range == CUSTOM and self.first_day and self.last_day:
            start = datetime.combine(self.first_day, time(), tz).astimezone(UTC)
            end = datetime.combine(self.last_day + timedelta(days=1), time(), tz).astimezone(UTC)
            return start, min(end, now)
        return now - RANGES.get(self.range, RANGES[DEFAULT_RANGE]), now

    def query_params(self) -> dict[str, str]:
        """The URL query parameters that reopen this view."""
        params = {"numbers": ",".join(self.numbers), "range": self.range}
        if self.range == CUSTOM and self.first_day and self.last_day:
            params |= {"start": self.first_day.isoformat(), "end": self.last_day.isoformat()}
        return params


def _day_words(day: date) -> str:
    """'01 Nov 2025' in English, as these sentences always wrote it; the reader's own way in other languages."""
    if formatting.shapes() is formatting.ENGLISH_SHAPES:
        return f"{day.day:02d} {MONTHS[day.month - 1]} {day.year}"
    return formatting.day_text(day)


def custom_range_problem(first_day: date, last_day: date, *, today: date) -> str | None:
    """Why a custom range cannot be shown, as a sentence; None when it can."""
    if first_day > last_day:
        return _(
            "The custom range starts ({first}) after it ends ({last}).",
            first=_day_words(first_day),
            last=_day_words(last_day),
        )
    if first_day > today:
        return _(
            "The custom range starts in the future ({first}); nothing has been observed yet.",
            first=_day_words(first_day),
        )
    days = (last_day - first_day).days + 1
    if days > MAX_CUSTOM_DAYS:
        return _(
            "A custom range covers at most {most} days; this one covers {days}.",
            most=formatting.number_text(MAX_CUSTOM_DAYS),
            days=formatting.number_text(days),
        )
    return None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _last(params: Mapping[str, Sequence[str]], name: str) -> str:
    values = params.get(name) or []
    return values[-1] if values else ""


def parse_view(
    params: Mapping[str, Sequence[str]],
    *,
    known_numbers: Collection[str],
    default_numbers: Sequence[str],
    today: date,
) -> tuple[HistoryView, list[str]]:
    """The view a URL asks for, and one sentence per part of it that could not be honoured (never raises)."""
    notices: list[str] = []
    asked = [i.strip() for value in params.get("numbers") or [] for i in value.split(",") if i.strip()]
    numbers = [i for i in dict.fromkeys(asked) if i in known_numbers]
    unknown = [i for i in dict.fromkeys(asked) if i not in known_numbers]
    if unknown:
        notices.append(_("Not a monitored phone number, left out: {ids}.", ids=", ".join(unknown)))
    if "numbers" not in params:
        numbers = [i for i in default_numbers if i in known_numbers]

    range_key = _last(params, "range") or DEFAULT_RANGE
    if range_key not in RANGE_LABELS:
        notices.append(
            _(
                "Unknown range {range}; showing the last {default} instead.",
                range=repr(range_key),
                default=RANGE_LABELS[DEFAULT_RANGE],
            )
        )
        return HistoryView(tuple(numbers), DEFAULT_RANGE), notices
    if range_key != CUSTOM:
        return HistoryView(tuple(numbers), range_key), notices

    first_day, last_day = _day(_last(params, "start")), _day(_last(params, "end"))
    if first_day is None or last_day is None:
        problem = _("A custom range needs start and end dates written like 2025-11-20.")
    else:
        problem = custom_range_problem(first_day, last_day, today=today)
    if problem:
        notices.append(
            _("{problem} Showing the last {default} instead.", problem=problem, default=RANGE_LABELS[DEFAULT_RANGE])
        )
        return HistoryView(tuple(numbers), DEFAULT_RANGE), notices
    return HistoryView(tuple(numbers), CUSTOM, first_day, last_day), notices
