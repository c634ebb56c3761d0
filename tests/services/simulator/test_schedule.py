"""Health schedules: one-off changes, repeating windows, and the generated numbers' endless cycle."""

from __future__ import annotations

from datetime import timedelta

from services.simulator.schedule import Cycle, Health, Schedule, change, generated_schedule, window

START = Health("GREEN", "STANDARD", "TIER_2K", "CONNECTED")
HOUR = timedelta(hours=1)


def test_changes_apply_from_their_offset_on() -> None:
    schedule = Schedule(START, (change(-3, quality="YELLOW"), change(-1, quality="GREEN", throughput="HIGH")))
    assert schedule.at(timedelta(days=-4)) == START
    assert schedule.at(timedelta(days=-3)).quality == "YELLOW"
    assert schedule.at(timedelta(days=-1)) == Health("GREEN", "HIGH", "TIER_2K", "CONNECTED")


def test_a_cycle_since_the_anchor_leaves_the_past_alone() -> None:
    cycle = Cycle(timedelta(hours=5), (window(3, 2, quality="YELLOW"),), since=timedelta(0))
    schedule = Schedule(START, cycle=cycle)
    assert schedule.at(-2 * HOUR).quality == "GREEN"
    assert [schedule.at(h * HOUR).quality for h in range(11)] == ["GREEN"] * 3 + ["YELLOW"] * 2 + ["GREEN"] * 3 + [
        "YELLOW"
    ] * 2 + ["GREEN"]


def test_generated_schedules_repeat_forever_in_both_directions() -> None:
    for seed in (0, 5, 11, 229):
        schedule = generated_schedule(seed)
        period = schedule.cycle.period if schedule.cycle else timedelta(0)
        samples = [schedule.at(-40 * 24 * HOUR + h * HOUR) for h in range(0, 24 * 30, 7)]
        assert samples == [schedule.at(-40 * 24 * HOUR + h * HOUR + 3 * period) for h in range(0, 24 * 30, 7)]
        assert {s.quality for s in samples} >= {"GREEN", "YELLOW"}
    assert "RED" in {generated_schedule(11).at(h * HOUR).quality for h in range(24 * 12)}
