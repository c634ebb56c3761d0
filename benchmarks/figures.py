"""Measured figures: every sample kept, reported as min / median / max."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Samples:
    """Repeated measurements of one figure (seconds, unless the name says otherwise)."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def summary(self) -> dict[str, float | int]:
        """min / median / max and how many runs, as results.json holds them."""
        return {"min": min(self.values), "median": self.median, "max": max(self.values), "runs": len(self.values)}


def timed(action: Callable[[], T]) -> tuple[T, float]:
    """The action's result and its wall time in seconds."""
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


@dataclass(frozen=True)
class Target:
    """What a figure should reach: `value <= limit`, `value >= limit` or `value == limit`."""

    relation: str  # "<=", ">=" or "=="
    limit: float

    def met(self, value: float) -> bool:
        if self.relation == "<=":
            return value <= self.limit
        if self.relation == ">=":
            return value >= self.limit
        return value == self.limit

    def missed_by(self, value: float) -> str:
        """How far off the target a value is, in words ("" when met)."""
        if self.met(value):
            return ""
        if self.relation == "==" or self.limit == 0 or value == 0:
            return f"off by {value - self.limit:+g}"
        factor = value / self.limit if self.relation == "<=" else self.limit / value
        return f"{factor:.2f}x off"

    def __str__(self) -> str:
        return f"{self.relation} {self.limit:g}"


@dataclass(frozen=True)
class Figure:
    """One field of results.json: its value, the samples behind it (if repeated) and its target (if any)."""

    name: str
    value: float
    samples: Samples | None = None
    target: Target | None = None
    unit: str = ""


@dataclass
class Stage:
    """What one benchmark measured: its figures (fields of results.json) and details for the reader."""

    figures: list[Figure]
    details: dict[str, object] = field(default_factory=dict)
