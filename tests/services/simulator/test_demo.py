"""The seeded demo portfolio: its shape, its 30-day history, its live changes, and determinism."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from services.simulator import Health, ManualClock, Simulator, in_process_transport
from services.simulator.demo import BIG_WABA_NUMBERS, demo_portfolio
from tests.services.simulator.conftest import ANCHOR

DEMO_NUMBERS = [f"30000000000001{i:02d}" for i in range(1, 9)]
HOUR = timedelta(hours=1)


def history(simulator: Simulator, number: str, days: int, *, after: bool = False) -> list[tuple[datetime, Health]]:
    """Every hourly change of the number's health in the `days` before the anchor (or after it)."""
    start = ANCHOR if after else ANCHOR - timedelta(days=days)
    changes: list[tuple[datetime, Health]] = []
    for hour in range(days * 24 + 1):
        moment = start + hour * HOUR
        health = simulator.state_at(number, moment)
        if not changes or changes[-1][1] != health:
            changes.append((moment, health))
    return changes


def test_portfolio_shape() -> None:
    portfolio = demo_portfolio()
    assert {"1000000000000001", "1000000000000002"} <= set(portfolio.businesses)
    assert [a.id for a in portfolio.owned("1000000000000001")] == ["2000000000000011"]
    assert [a.id for a in portfolio.clients("1000000000000001")] == ["2000000000000012"]
    assert [a.id for a in portfolio.owned("1000000000000002")] == ["2000000000000021"]
    reached = portfolio.reach(["1000000000000001", "1000000000000002"])
    assert sorted(n.id for a in reached for n in portfolio.numbers_of(a.id)) == DEMO_NUMBERS
    assert len(portfolio.numbers_of("2000000000000031")) == BIG_WABA_NUMBERS == 230
    assert all(n.display_phone_number.startswith("+1 ") for n in portfolio.numbers.values())


def test_health_at_the_anchor_is_mixed() -> None:
    simulator = Simulator(clock=ManualClock(ANCHOR), anchor=ANCHOR)
    now = [simulator.state_at(number, ANCHOR) for number in DEMO_NUMBERS]
    assert {h.quality for h in now} == {"GREEN", "YELLOW", "RED", "NA"}
    assert {h.throughput for h in now} == {"STANDARD", "HIGH"}
    assert {h.status for h in now} == {"CONNECTED", "DISCONNECTED", "RESTRICTED", "PENDING"}
    assert "FLAGGED" not in {h.status for h in now}  # Meta retired the Flagged state in October 2025
    assert [h.status for h in now].count("CONNECTED") == 5
    assert {h.problem for h in now} == {"", "payment", "spam_rate", "number_blocked"}
    assert {h.limit for h in now} == {"TIER_250", "TIER_10K", "TIER_UNLIMITED"}


def test_a_drop_to_red_and_recovery_over_several_days_in_the_last_30_days() -> None:
    simulator = Simulator(clock=ManualClock(ANCHOR), anchor=ANCHOR)
    changes: list[tuple[datetime, str]] = []
    for moment, health in history(simulator, "3000000000000102", 30):
        if not changes or changes[-1][1] != health.quality:
            changes.append((moment, health.quality))
    assert [quality for _, quality in changes] == ["GREEN", "YELLOW", "RED", "YELLOW", "GREEN"]
    assert changes[-1][0] - changes[1][0] >= timedelta(days=5)


def test_a_throughput_upgrade_in_the_last_30_days() -> None:
    simulator = Simulator(clock=ManualClock(ANCHOR), anchor=ANCHOR)
    throughputs = [h.throughput for _, h in history(simulator, "3000000000000101", 30)]
    assert throughputs[0] == "STANDARD" and throughputs[-1] == "HIGH"


def test_a_connected_green_number_can_still_be_blocked_by_its_wabas_payment_problem() -> None:
    simulator = Simulator(clock=ManualClock(ANCHOR), anchor=ANCHOR)
    changes = history(simulator, "3000000000000104", 30)
    red = next(t for t, h in changes if h.quality == "RED")
    blocked = next(t for t, h in changes if h.problem == "payment")
    assert red < blocked
    assert simulator.state_at("3000000000000104", ANCHOR).status == "CONNECTED"
    assert simulator.state_at("3000000000000105", ANCHOR).problem == "payment"  # same WABA, same problem


def test_a_limited_number_that_recovered() -> None:
    simulator = Simulator(clock=ManualClock(ANCHOR), anchor=ANCHOR)
    problems = [h.problem for _, h in history(simulator, "3000000000000101", 30)]
    assert "spam_rate" in problems and problems[-1] == ""


def test_a_few_quality_changes_per_number_per_month() -> None:
    simulator = Simulator(clock=ManualClock(ANCHOR), anchor=ANCHOR)
    counts = {}
    for number in DEMO_NUMBERS:
        qualities = [h.quality for _, h in history(simulator, number, 35)]
        counts[number] = sum(1 for a, b in zip(qualities, qualities[1:], strict=False) if a != b)
    assert sum(counts.values()) >= 15
    assert all(count <= 6 for count in counts.values())
    assert sum(1 for count in counts.values() if count >= 2) >= 6


def test_the_live_demo_keeps_changing_after_the_anchor() -> None:
    simulator = Simulator(clock=ManualClock(ANCHOR), anchor=ANCHOR)
    flips = history(simulator, "3000000000000103", 1, after=True)
    assert len(flips) >= 8 and {h.quality for _, h in flips} == {"GREEN", "YELLOW"}
    later = history(simulator, "3000000000000106", 10, after=True)
    assert len(later) >= 3


def test_default_anchor_is_the_clock_rounded_down_to_the_hour() -> None:
    simulator = Simulator(clock=ManualClock(ANCHOR + timedelta(minutes=42, seconds=7)))
    assert simulator.anchor == ANCHOR


def test_two_simulators_with_the_same_anchor_answer_identically() -> None:
    paths = [
        ("/v24.0/debug_token?input_token=EAADEMOTOKEN", "EAADEMOTOKEN"),
        ("/v24.0/1000000000000001/owned_whatsapp_business_accounts", "EAADEMOTOKEN"),
        ("/v24.0/2000000000000011/phone_numbers?fields=id,quality_rating,throughput,status", "EAADEMOTOKEN"),
        ("/v24.0/3000000000000104?fields=last_onboarded_time", "EAADEMOTOKEN"),
        ("/v24.0/2000000000000031/phone_numbers?limit=100", "EAADEMOBIGWABA"),
        ("/v24.0/999", "EAADEMOTOKEN"),
        ("/v24.0/2000000000000011", "EAADEMOEXPIRED"),
    ]
    answers = []
    moment = ANCHOR + timedelta(days=3, hours=6)
    for started in (moment, ANCHOR - timedelta(days=9)):
        simulator = Simulator(clock=ManualClock(started), anchor=ANCHOR)
        simulator.set_now(moment)
        with httpx.Client(transport=in_process_transport(simulator), base_url="http://sim.invalid") as http:
            responses = [http.get(path, headers={"Authorization": f"Bearer {token}"}) for path, token in paths]
        answers.append([(r.status_code, r.content, sorted(r.headers.items())) for r in responses])
    assert answers[0] == answers[1]
    assert b"YELLOW" in answers[0][2][1]  # 78 hours in: Jasper's Bakery is in its YELLOW hours


def test_history_lists_exactly_the_changes_hourly_sampling_finds() -> None:
    simulator = Simulator(clock=ManualClock(ANCHOR), anchor=ANCHOR)
    for number in [*DEMO_NUMBERS, "3000000000031011", "3000000000031200"]:
        assert simulator.history(number, ANCHOR - timedelta(days=35), ANCHOR) == history(simulator, number, 35)
        after = simulator.history(number, ANCHOR, ANCHOR + timedelta(days=12))
        assert after == history(simulator, number, 12, after=True)
