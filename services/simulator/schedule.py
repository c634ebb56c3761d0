"""A phone number's health as a pure function of its offset from the simulator's anchor."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta


@dataclass(frozen=True)
class Health:
    """What Meta reports of a number at one moment."""

    quality: str  # GREEN | YELLOW | RED | NA
    throughput: str  # STANDARD | HIGH | NOT_APPLICABLE
    limit: str  # TIER_250 .. TIER_UNLIMITED
    status: str  # CONNECTED | RESTRICTED | PENDING | DISCONNECTED | ...
    problem: str = ""  # a key of health_status.PROBLEMS: why Meta limits or blocks sending ("" = none)


@dataclass(frozen=True)
class Change:
    """From `at` (offset from the anchor) on, these fields hold the given values."""

    at: timedelta
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Window:
    """Inside each period of a cycle, from phase `start` for `length`, these fields are overridden."""

    start: timedelta
    length: timedelta
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Cycle:
    """Windows repeating every `period`, counted from offset `since` (None: forever, past and future)."""

    period: timedelta
    windows: tuple[Window, ...]
    since: timedelta | None = None

    def boundaries(self, start: timedelta, end: timedelta) -> set[timedelta]:
        """Offsets in (start, end] where a window opens or closes (or the cycle begins)."""
        origin = self.since or timedelta(0)
        found = {origin} if self.since is not None and start < origin <= end else set()
        period = max(start, origin) if self.since is not None else start
        k = (period - origin) // self.period
        while origin + k * self.period <= end:
            base = origin + k * self.period
            for window in self.windows:
                found |= {base + window.start, base + window.start + window.length}
            k += 1
        return {moment for moment in found if start < moment <= end}


@dataclass(frozen=True)
class Schedule:
    initial: Health
    changes: tuple[Change, ...] = ()
    cycle: Cycle | None = None

    def at(self, offset: timedelta) -> Health:
        """The health at `offset` from the anchor."""
        health = self.initial
        for change in self.changes:
            if change.at <= offset:
                health = replace(health, **dict(change.values))
        cycle = self.cycle
        if cycle is not None and (cycle.since is None or offset >= cycle.since):
            phase = (offset - (cycle.since or timedelta(0))) % cycle.period
            for window in cycle.windows:
                if window.start <= phase < window.start + window.length:
                    health = replace(health, **dict(window.values))
        return health

    def transitions(self, start: timedelta, end: timedelta) -> list[tuple[timedelta, Health]]:
        """The health at `start`, then each change of it up to `end` (offsets from the anchor)."""
        moments = {c.at for c in self.changes if start < c.at <= end}
        if self.cycle is not None:
            moments |= self.cycle.boundaries(start, end)
        result = [(start, self.at(start))]
        for moment in sorted(moments):
            health = self.at(moment)
            if health != result[-1][1]:
                result.append((moment, health))
        return result


def change(days: float, **values: str) -> Change:
    """A one-off change `days` from the anchor (negative: before it)."""
    return Change(at=timedelta(days=days), values=tuple(values.items()))


def window(start_hours: float, length_hours: float, **values: str) -> Window:
    return Window(
        start=timedelta(hours=start_hours), length=timedelta(hours=length_hours), values=tuple(values.items())
    )


def generated_schedule(seed: int) -> Schedule:
    """A plausible, endlessly repeating schedule for the generated (big WABA and scale) numbers."""
    limits = ("TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED")
    limit = limits[seed % len(limits)]
    throughput = "HIGH" if limit == "TIER_UNLIMITED" and seed % 2 else "STANDARD"
    period_hours = 24 * (4 + seed % 9)
    dip = window((seed * 37) % (period_hours - 48), 6 + seed % 30, quality="YELLOW")
    windows = (dip,)
    if seed % 11 == 0:
        windows += (window(dip.start.total_seconds() / 3600 + 2, 3, quality="RED"),)
    return Schedule(
        initial=Health(quality="GREEN", throughput=throughput, limit=limit, status="CONNECTED"),
        cycle=Cycle(period=timedelta(hours=period_hours), windows=windows),
    )
