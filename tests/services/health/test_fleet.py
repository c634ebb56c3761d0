"""The one search every number picker uses: digits, names, WABA and portfolio names; worst first; bounded."""

from sqlmodel import Session

from services.graph.types import AccountHealth, CanSend
from services.health import recording as health
from services.health.fleet import NumberChoice, choices_of, search_numbers
from services.health.model import Severity
from tests.health_history import T0, WABA_ID, number, record, waba_payment_problem
from tests.services.health.big_fleet import build_fleet, number_id


def _three(session: Session) -> None:
    record(session, [(T0, [number("301", "YELLOW"), number("302", "RED"), number("303")])])
    portfolio = AccountHealth(WABA_ID, "Jasper's Market", None, "9001", "Jasper Holdings", CanSend.AVAILABLE, (), ())
    health.observe_accounts(session=session, accounts=[portfolio], at=T0)
    session.commit()


def _ids(found: list[NumberChoice]) -> list[str]:
    return [choice.id for choice in found]


def test_digits_match_whatever_the_spaces_dashes_and_plus_signs(store_session: Session) -> None:
    _three(store_session)
    for typed in ("631-555-0101", "+1 631 555 0101", "6315550101", "5550101"):
        assert _ids(search_numbers(session=store_session, text=typed)) == ["301"], typed
    assert _ids(search_numbers(session=store_session, text="631 555")) == ["302", "301"]  # worst first
    assert _ids(search_numbers(session=store_session, text="415")) == ["303"]


def test_names_match_case_ignored_the_number_waba_and_portfolio(store_session: Session) -> None:
    _three(store_session)
    assert _ids(search_numbers(session=store_session, text="LUCKY shrub")) == ["303"]
    assert _ids(search_numbers(session=store_session, text="jasper's ice")) == ["302"]
    assert _ids(search_numbers(session=store_session, text="jasper's market")) == ["302", "301", "303"]  # the WABA
    assert _ids(search_numbers(session=store_session, text="holdings")) == ["302", "301", "303"]  # the portfolio
    assert search_numbers(session=store_session, text="nobody") == []


def test_a_choice_names_the_number_and_its_health(store_session: Session) -> None:
    _three(store_session)
    assert search_numbers(session=store_session, text="", limit=1) == [
        NumberChoice("302", "Jasper's Ice Cream +1 631-555-0102", Severity.AT_RISK)
    ]
    assert _ids(choices_of(session=store_session, phone_number_ids=["303", "nope", "301"])) == ["301", "303"]


def test_wildcards_typed_are_letters_not_patterns(store_session: Session) -> None:
    _three(store_session)
    assert search_numbers(session=store_session, text="%") == []
    assert search_numbers(session=store_session, text="_") == []


def test_a_big_fleet_answers_the_worst_first_and_at_most_the_limit(store_session: Session) -> None:
    build_fleet(store_session, wabas=20, per_waba=50, banned=(7,))
    found = search_numbers(session=store_session, text="store", limit=20)
    assert len(found) == 20 and {choice.severity for choice in found} == {Severity.BLOCKED}
    assert _ids(found) == [number_id(7, n) for n in range(20)]
    narrowed = search_numbers(session=store_session, text="", limit=5, waba_ids=["200000000003"])
    assert _ids(narrowed) == [number_id(3, n) for n in range(5)]
    blocked = [number("400", can_send="BLOCKED", problems=(waba_payment_problem(),))]
    record(store_session, [(T0, blocked)])
    assert search_numbers(session=store_session, text="555-0400")[0].severity is Severity.BLOCKED
