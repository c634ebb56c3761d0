"""Every writer of a number's health stores the health model's verdict with it: `severity` never goes stale."""

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.health.model import Severity, assess_stored, severity_of_state
from services.store.models import PhoneNumber
from services.webhooks.apply import apply_change
from services.webhooks.deliveries import store_delivery
from services.webhooks.events import parse_delivery
from tests.health_history import T0, number, record, spam_limit, waba_payment_problem
from tests.services.webhooks.payloads import body, delivery, name_decision

POLL_S = 300.0


def _verdicts(engine: Engine) -> dict[str, tuple[int, Severity]]:
    """Each number's stored severity beside the health model's verdict on its stored fields."""
    with Session(engine) as session:
        found = session.exec(select(PhoneNumber).order_by(col(PhoneNumber.id)))
        return {n.id: (n.severity, assess_stored(n).severity) for n in found}


def _kept(engine: Engine) -> dict[str, Severity]:
    verdicts = _verdicts(engine)
    assert all(stored == verdict for stored, verdict in verdicts.values()), verdicts
    return {number_id: verdict for number_id, (_, verdict) in verdicts.items()}


def test_a_poll_stores_the_verdict_when_it_adds_a_number_and_when_it_changes_one(store_engine: Engine) -> None:
    first = [
        number("301"),
        number("302", "RED"),
        number("303", status=None),
        number("304", can_send="LIMITED", problems=(spam_limit("304"),)),
    ]
    with Session(store_engine) as session:
        record(session, [(T0, first)])
    assert _kept(store_engine) == {
        "301": Severity.OK,
        "302": Severity.AT_RISK,
        "303": Severity.UNKNOWN,
        "304": Severity.AT_RISK,
    }
    later = [
        number("301", can_send="BLOCKED", problems=(waba_payment_problem(),)),
        number("302", "YELLOW"),
        number("303"),
        number("304"),
    ]
    with Session(store_engine) as session:
        record(session, [(T0 + timedelta(minutes=5), later), (T0 + timedelta(minutes=10), later)])
    assert _kept(store_engine) == {
        "301": Severity.BLOCKED,
        "302": Severity.WATCH,
        "303": Severity.OK,
        "304": Severity.OK,
    }


def _apply(engine: Engine, document: dict, *, at_minutes: int) -> None:
    at = T0 + timedelta(minutes=at_minutes)
    stored = store_delivery(engine=engine, body=body(document), source_address="", at=at)
    with Session(engine) as session:
        for change in parse_delivery(body(document).decode()):
            apply_change(session=session, delivery_id=stored.delivery_id, change=change, at=at, poll_interval_s=POLL_S)
        session.commit()


def test_a_webhook_that_changes_numbers_stores_the_verdict_with_them(store_engine: Engine) -> None:
    with Session(store_engine) as session:
        record(session, [(T0, [number("301"), number("302")])], poll_interval_s=POLL_S)
    _apply(store_engine, name_decision("REJECTED"), at_minutes=2)
    assert _kept(store_engine) == {"301": Severity.WATCH, "302": Severity.OK}
    restriction = {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": 1_780_000_000}
    _apply(
        store_engine,
        delivery("account_update", {"event": "ACCOUNT_RESTRICTION", "restriction_info": [restriction]}),
        at_minutes=3,
    )
    assert _kept(store_engine) == {"301": Severity.AT_RISK, "302": Severity.AT_RISK}


def test_the_verdict_of_a_state_is_the_assessment_of_a_stored_row() -> None:
    state = {"can_send": "AVAILABLE", "status": "CONNECTED", "quality_rating": "GREEN", "name_status": "DECLINED"}
    assert severity_of_state(state) is Severity.WATCH
    assert severity_of_state({}) is Severity.UNKNOWN
