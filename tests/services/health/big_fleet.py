"""A fleet of many WABAs and numbers, recorded the way the poller records it (health.observe_many)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlmodel import Session

from services.graph.types import AccountHealth, BusinessAccount, CanSend, PhoneNumberHealth
from services.health import fleet
from services.health import recording as health
from tests.health_history import T0, number, waba_payment_problem

PORTFOLIOS = ("Acme Retail", "Bright Foods")


def waba_id(w: int) -> str:
    return f"20000000{w:04d}"


def number_id(w: int, n: int) -> str:
    return f"30000{w:04d}{n:04d}"


def waba_name(w: int) -> str:
    return f"Brand {w:02d}"


def fleet_numbers(w: int, per_waba: int, banned: bool) -> list[PhoneNumberHealth]:
    found = []
    for n in range(per_waba):
        if banned:
            found.append(number(number_id(w, n), can_send="BLOCKED", problems=(waba_payment_problem(waba_id(w)),)))
        else:
            found.append(number(number_id(w, n), "YELLOW" if n == 0 and w % 10 == 1 else "GREEN"))
    return found


def build_fleet(
    session: Session,
    *,
    wabas: int,
    per_waba: int,
    banned: Sequence[int] = (),
    at: datetime = T0,
    numbers_of: Callable[[int, int, bool], list[PhoneNumberHealth]] = fleet_numbers,
) -> None:
    """`wabas` WABAs of `per_waba` numbers each, in two portfolios (even and odd WABAs); `banned` WABAs' payment
    failed, so none of their numbers can send. WABA 1, 11, 21... each have one number of medium quality."""
    accounts = []
    polls = []
    for w in range(wabas):
        fleet.upsert_business_account(
            session=session, account=BusinessAccount(waba_id(w), waba_name(w)), business_id="1", at=at
        )
        portfolio = w % 2
        accounts.append(
            AccountHealth(
                waba_id(w), waba_name(w), None, f"90000{portfolio}", PORTFOLIOS[portfolio], CanSend.AVAILABLE, (), ()
            )
        )
        polls.append((waba_id(w), numbers_of(w, per_waba, w in banned)))
    health.observe_accounts(session=session, accounts=accounts, at=at)
    health.observe_many(session=session, polls=polls, at=at, poll_interval_s=300)
    session.commit()
