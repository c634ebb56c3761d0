"""The seeded demo portfolio, its tokens, the 230-number paging WABA and the benchmark scale portfolio."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from services.simulator.portfolio import Account, Business, Number, Portfolio
from services.simulator.schedule import Cycle, Health, Schedule, change, generated_schedule, window
from services.simulator.tokens import Token, TokenState

JASPERS, AURORA, NORTHWIND, LUCKY_SHRUB, SCALE = (
    "1000000000000001",
    "1000000000000002",
    "1000000000000003",
    "1000000000000004",
    "1000000000000009",
)
JASPERS_WABA, LUCKY_SHRUB_WABA, AURORA_WABA, BIG_WABA = (
    "2000000000000011",
    "2000000000000012",
    "2000000000000021",
    "2000000000000031",
)
BIG_WABA_NUMBERS = 230
DAY = timedelta(days=1)


# Since Oct 2025 the messaging limit belongs to the business portfolio, so a portfolio's numbers share it.
_JASPERS = Health("GREEN", "STANDARD", "TIER_100K", "CONNECTED")
_LUCKY = Health("GREEN", "STANDARD", "TIER_250", "CONNECTED")
_AURORA = Health("GREEN", "STANDARD", "TIER_2K", "CONNECTED")
_UNLIMITED = (-14, "limit", "TIER_UNLIMITED")
_TEN_K = (-8, "limit", "TIER_10K")
# number id, WABA, display number, verified name, onboarded (days ago), health 35+ days ago, changes (day, field, value)
# fmt: off
_NUMBERS = (
    ("3000000000000101", JASPERS_WABA, "+1 631-555-0101", "Jasper's Market", 800, _JASPERS,
     ((-33, "quality", "YELLOW"), (-31, "quality", "GREEN"), _UNLIMITED, (-12, "throughput", "HIGH"),
      (-4, "problem", "spam_rate"), (-3, "problem", ""))),
    ("3000000000000102", JASPERS_WABA, "+1 631-555-0102", "Jasper's Ice Cream", 700, _JASPERS,
     ((-24, "quality", "YELLOW"), (-21, "quality", "RED"), (-17, "quality", "YELLOW"), _UNLIMITED,
      (-13, "quality", "GREEN"))),
    ("3000000000000103", JASPERS_WABA, "+1 631-555-0103", "Jasper's Bakery", 500, _JASPERS,
     ((-20, "quality", "YELLOW"), (-18, "quality", "GREEN"), _UNLIMITED, (-6, "quality", "YELLOW"),
      (-5, "quality", "GREEN"))),
    ("3000000000000104", LUCKY_SHRUB_WABA, "+1 415-555-0104", "Lucky Shrub", 380, _LUCKY,
     ((-9, "quality", "YELLOW"), (-6, "quality", "RED"), (-2, "problem", "payment"))),
    ("3000000000000105", LUCKY_SHRUB_WABA, "+1 415-555-0105", "Lucky Shrub Garden Center", 3,
     Health("NA", "STANDARD", "TIER_250", "PENDING"), ((-2, "problem", "payment"),)),
    ("3000000000000106", AURORA_WABA, "+1 212-555-0106", "Aurora Coffee", 580, _AURORA,
     ((-26, "quality", "YELLOW"), (-25, "quality", "GREEN"), (-10, "quality", "YELLOW"), _TEN_K,
      (-7, "quality", "GREEN"))),
    ("3000000000000107", AURORA_WABA, "+1 212-555-0107", "Aurora Coffee Deliveries", 560, _AURORA,
     ((-22, "quality", "YELLOW"), (-20, "quality", "GREEN"), _TEN_K, (-4, "quality", "YELLOW"),
      (-2, "status", "RESTRICTED"), (-2, "problem", "spam_rate"))),
    ("3000000000000108", AURORA_WABA, "+1 212-555-0108", "Aurora Bakehouse", 300, _AURORA,
     ((-15, "quality", "YELLOW"), (-13, "quality", "GREEN"), _TEN_K, (-1, "status", "DISCONNECTED"),
      (-1, "problem", "number_blocked"))),
)
# fmt: on
# After the anchor the demo keeps moving: Jasper's Bakery flips to YELLOW for 2 of every 5 hours, Aurora Coffee
# for 1 of every 5 days.
_LIVE = {
    "3000000000000103": Cycle(timedelta(hours=5), (window(3, 2, quality="YELLOW"),), since=timedelta(0)),
    "3000000000000106": Cycle(5 * DAY, (window(48, 24, quality="YELLOW"),), since=timedelta(0)),
}
_EXTRAS: dict[str, dict[str, Any]] = {
    "3000000000000101": {"is_official_business_account": True},
    "3000000000000105": {"name_status": "PENDING_REVIEW", "code_verification_status": "NOT_VERIFIED"},
}


def _demo_numbers() -> list[Number]:
    return [
        Number(
            id_,
            waba,
            display,
            name,
            -onboarded * DAY,
            Schedule(start, tuple(change(day, **{field: value}) for day, field, value in changes), _LIVE.get(id_)),
            **_EXTRAS.get(id_, {}),
        )
        for id_, waba, display, name, onboarded, start, changes in _NUMBERS
    ]


@functools.cache
def demo_portfolio() -> Portfolio:
    """Jasper's (owns one WABA, manages Lucky Shrub's), Aurora (owns one), Northwind (the 230-number WABA); shared."""
    businesses = [
        Business(JASPERS, "Jasper's Market Group", client_waba_ids=(LUCKY_SHRUB_WABA,)),
        Business(AURORA, "Aurora Coffee Co."),
        Business(NORTHWIND, "Northwind Traders"),
        Business(LUCKY_SHRUB, "Lucky Shrub Inc."),
    ]
    accounts = [
        Account(JASPERS_WABA, "Jasper's Market", JASPERS, -900 * DAY),
        Account(LUCKY_SHRUB_WABA, "Lucky Shrub", LUCKY_SHRUB, -400 * DAY, business_verification_status="PENDING"),
        Account(AURORA_WABA, "Aurora Coffee", AURORA, -600 * DAY),
        Account(BIG_WABA, "Northwind Stores", NORTHWIND, -200 * DAY),
    ]
    areas = ("212", "312", "415", "617", "206", "305", "512", "720", "971", "404")
    big = [
        Number(
            f"3000000000031{i:03d}",
            BIG_WABA,
            f"+1 {areas[i // 100]}-555-{100 + i % 100:04d}",
            f"Northwind Store #{i + 1:03d}",
            -(190 - i // 2) * DAY,
            generated_schedule(i),
        )
        for i in range(BIG_WABA_NUMBERS)
    ]
    return Portfolio(businesses, accounts, _demo_numbers() + big)


def scale_portfolio(wabas: int, numbers_per_waba: int) -> Portfolio:
    """One business owning `wabas` WABAs of `numbers_per_waba` numbers each, for benchmarks."""
    accounts = [Account(f"29{w:014d}", f"Scale WABA {w + 1}", SCALE, -(100 + w) * DAY) for w in range(wabas)]
    numbers = [
        Number(
            f"39{w:06d}{n:08d}",
            accounts[w].id,
            f"+1 {200 + w % 800}-555-{100 + n % 100:04d}",
            f"Scale Store {w + 1}-{n + 1}",
            -(90 * DAY) + n * timedelta(minutes=7),
            generated_schedule(w * 7919 + n),
        )
        for w in range(wabas)
        for n in range(numbers_per_waba)
    ]
    return Portfolio([Business(SCALE, "Scale Test Portfolio")], accounts, numbers)


def demo_tokens(anchor: datetime, *, scale: bool = False) -> dict[str, Token]:
    """The demo tokens; their expiry is fixed relative to the anchor so two simulators agree."""
    both = (JASPERS, AURORA)
    tokens = [
        Token("EAADEMOTOKEN", TokenState.VALID, both, anchor - 15 * DAY, anchor + 45 * DAY),
        Token("EAADEMOEXPIRED", TokenState.VALID, both, anchor - 61 * DAY, anchor - DAY),
        Token("EAADEMONOPERM", TokenState.NO_PERMISSION, both, anchor - 30 * DAY),
        Token("EAADEMOREVOKED", TokenState.INVALID, (JASPERS,), anchor - 90 * DAY),
        Token("EAADEMOBIGWABA", TokenState.VALID, (NORTHWIND,), anchor - 10 * DAY),
    ]
    if scale:
        tokens.append(Token("EAASCALETOKEN", TokenState.VALID, (SCALE,), anchor - DAY))
    return {token.value: token for token in tokens}
