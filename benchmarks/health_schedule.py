"""A synthetic but realistic health schedule per number: seeded, so every run records the same history.

Per month a number dips out of GREEN about one and a half times (two quality changes per dip, some to RED, where
Meta often flags the number); over 90 days about one number in four changes throughput and one in three moves up a
messaging-limit tier. The poller itself misses a few stretches of polls (restarts), which open gaps in the history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from services.graph.types import PhoneNumberHealth, QualityRating, ThroughputLevel

DIPS_PER_MONTH = 1.5
THROUGHPUT_CHANGE_PER_90_DAYS = 0.25
LIMIT_CHANGE_PER_90_DAYS = 0.35
POLLER_OUTAGES_PER_90_DAYS = 3
LIMITS = ("TIER_250", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED")
POLLS_PER_DAY = 288


@dataclass(frozen=True)
class NumberSchedule:
    """A number's health at poll 0, then its changes as (poll index, health from then on)."""

    initial: PhoneNumberHealth
    changes: tuple[tuple[int, PhoneNumberHealth], ...]


def number_id(position: int) -> str:
    return f"38{position:014d}"


def _initial(position: int, rng: random.Random) -> PhoneNumberHealth:
    limit = rng.choice(LIMITS[1:4])
    return PhoneNumberHealth(
        id=number_id(position),
        display_phone_number=f"+1 555-{position // 10000:03d}-{position % 10000:04d}",
        verified_name=f"Bench Store {position + 1:03d}",
        quality_rating=QualityRating.GREEN,
        throughput_level=ThroughputLevel.HIGH if rng.random() < 0.2 else ThroughputLevel.STANDARD,
        messaging_limit=limit,
        status="CONNECTED",
    )


def _events(initial: PhoneNumberHealth, polls: int, rng: random.Random) -> list[tuple[int, dict[str, object]]]:
    months, quarters = polls / (30 * POLLS_PER_DAY), polls / (90 * POLLS_PER_DAY)
    events: list[tuple[int, dict[str, object]]] = []
    for _ in range(_poisson(DIPS_PER_MONTH * months, rng)):
        start = rng.randrange(polls)
        length = rng.randint(12, 72 * 12)  # one to 72 hours of polls
        red = rng.random() < 0.2
        dip: dict[str, object] = {"quality_rating": QualityRating.RED if red else QualityRating.YELLOW}
        if red and rng.random() < 0.5:
            dip["status"] = "FLAGGED"
        events += [(start, dip), (start + length, {"quality_rating": QualityRating.GREEN, "status": "CONNECTED"})]
    if rng.random() < THROUGHPUT_CHANGE_PER_90_DAYS * quarters:
        other = ThroughputLevel.STANDARD if initial.throughput_level is ThroughputLevel.HIGH else ThroughputLevel.HIGH
        events.append((rng.randrange(polls), {"throughput_level": other}))
    if rng.random() < LIMIT_CHANGE_PER_90_DAYS * quarters:
        higher = LIMITS[LIMITS.index(initial.messaging_limit or LIMITS[0]) + 1]
        events.append((rng.randrange(polls), {"messaging_limit": higher}))
    return sorted((at, values) for at, values in events if at < polls)


def _poisson(mean: float, rng: random.Random) -> int:
    count, budget = 0, rng.expovariate(1.0)
    while budget < mean:
        count += 1
        budget += rng.expovariate(1.0)
    return count


def number_schedule(position: int, *, polls: int, seed: int = 2025) -> NumberSchedule:
    """The seeded schedule of the number at `position` over `polls` poll times."""
    rng = random.Random(seed * 100_003 + position)
    initial = _initial(position, rng)
    health, changes = initial, []
    for at, values in _events(initial, polls, rng):
        health = replace(health, **values)  # type: ignore[arg-type]
        if changes and changes[-1][0] == at:
            changes[-1] = (at, health)
        else:
            changes.append((at, health))
    return NumberSchedule(initial=initial, changes=tuple(changes))


def poller_outages(polls: int, *, seed: int = 2025) -> frozenset[int]:
    """Poll indexes the poller missed for every number (restarts of 10 minutes to an hour)."""
    rng = random.Random(seed)
    missed: set[int] = set()
    for _ in range(round(POLLER_OUTAGES_PER_90_DAYS * polls / (90 * POLLS_PER_DAY)) or 1):
        start = rng.randrange(1, max(2, polls - 12))
        missed.update(range(start, min(polls - 1, start + rng.randint(2, 12))))
    return frozenset(missed)
