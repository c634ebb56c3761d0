"""How much of a range the poller observed: the gaps in a number's history, their length, and the time before
history began (which is no gap: nobody could have looked)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from services.health.history import Stretch, by_number
from services.language.formatting import number_text
from services.language.translate import _, plural
from services.moments import day_words, moment_words


@dataclass(frozen=True)
class Gap:
    """Time inside the range when the poller did not observe a number."""

    phone_number_id: str
    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Coverage:
    """How much of a range the poller observed: `watched` is the range since each number's history began."""

    watched: timedelta
    gaps: tuple[Gap, ...]
    began_inside: Mapping[str, datetime]  # the numbers whose history began inside the range

    @property
    def unobserved(self) -> timedelta:
        return sum((gap.length for gap in self.gaps), timedelta())

    @property
    def share(self) -> float:
        """The observed share of `watched`, 0..1 (1 when there was nothing to watch)."""
        if self.watched <= timedelta():
            return 1.0
        return max(0.0, 1 - self.unobserved / self.watched)

    @property
    def longest(self) -> Gap | None:
        return max(self.gaps, key=lambda gap: gap.length, default=None)

    def gaps_of(self, phone_number_id: str) -> list[Gap]:
        return [gap for gap in self.gaps if gap.phone_number_id == phone_number_id]

    def summary(self, *, labels: Mapping[str, str]) -> str:
        """'Observed 99.2% of the range; 3 gaps, longest 14 min.'"""
        if not self.gaps:
            return _("Observed all of the range; no gaps.")
        longest = self.longest
        assert longest is not None
        whose = {gap.phone_number_id for gap in self.gaps}
        words = {"share": share_words(self.share), "length": length_words(longest.length)}
        if len(whose) > 1:
            return plural(
                "Observed {share} of the range; {count} gap, longest {length} ({number}).",
                "Observed {share} of the range; {count} gaps, longest {length} ({number}).",
                len(self.gaps),
                number=labels.get(longest.phone_number_id, longest.phone_number_id),
                **words,
            )
        return plural(
            "Observed {share} of the range; {count} gap, longest {length}.",
            "Observed {share} of the range; {count} gaps, longest {length}.",
            len(self.gaps),
            **words,
        )

    def began_words(self, *, labels: Mapping[str, str], tz: tzinfo, span: timedelta) -> str:
        """'No history before 2 Nov 2026.'; naming the numbers when `labels` (those shown) did not all begin then."""
        said = {number: before_history_words(first, tz=tz, span=span) for number, first in self.began_inside.items()}
        if len(set(said.values())) == 1 and set(said) >= set(labels):
            return next(iter(said.values())) + "."
        return " ".join(
            _("{words} for {number}.", words=words, number=labels.get(number, number)) for number, words in said.items()
        )


def share_words(share: float) -> str:
    """'99.2%', rounded down so that a range with a gap never reads as 100%."""
    tenths = int(share * 1000)
    return _("{percent}%", percent=number_text(tenths // 10 if tenths % 10 == 0 else tenths / 10))


def length_words(length: timedelta) -> str:
    """'45 s', '14 min', '3 h 5 min', '2 d 4 h'."""
    seconds = int(length.total_seconds())
    if seconds < 60:
        return _("{seconds} s", seconds=seconds)
    minutes, hours, days = seconds // 60 % 60, seconds // 3600 % 24, seconds // 86400
    if days:
        return _("{days} d {hours} h", days=days, hours=hours) if hours else _("{days} d", days=days)
    if hours:
        return _("{hours} h {minutes} min", hours=hours, minutes=minutes) if minutes else _("{hours} h", hours=hours)
    return _("{minutes} min", minutes=minutes)


def coverage(
    found: Sequence[Stretch],
    *,
    numbers: Sequence[str],
    start: datetime,
    end: datetime,
    began: Mapping[str, datetime],
    tolerance: timedelta,
) -> Coverage:
    """The gaps in `numbers`' stretches (from `stretches`) over [start, end], and how much of the range they leave.

    Time before a number's history `began` is no gap: nobody could have looked. At either end of the range, less
    than `tolerance` (the recording's gap threshold) unobserved is the poll not being due yet, not a gap.
    """
    grouped = by_number(found)
    gaps: list[Gap] = []
    watched = timedelta()
    began_inside: dict[str, datetime] = {}
    for number in numbers:
        first = began.get(number)
        if first is None or first >= end:
            continue  # no history in the range: nothing the poller could have seen
        if first > start:
            began_inside[number] = first
        cursor = max(start, first)
        watched += end - cursor
        edge = True
        for stretch in grouped.get(number, []):
            if stretch.start > cursor and (not edge or stretch.start - cursor > tolerance):
                gaps.append(Gap(number, cursor, stretch.start))
            cursor, edge = max(cursor, stretch.end), False
        if end - cursor > tolerance or (edge and end > cursor):
            gaps.append(Gap(number, cursor, end))
    return Coverage(watched, tuple(sorted(gaps, key=lambda gap: (gap.start, gap.phone_number_id))), began_inside)


def before_history_words(first: datetime, *, tz: tzinfo, span: timedelta) -> str:
    """'No history before 2 Nov 2026'; to the minute when the range is short enough for the day to say little."""
    when = moment_words(first, tz) if span <= timedelta(days=2) else day_words(first.astimezone(tz).date())
    return _("No history before {when}", when=when)
