from datetime import timedelta

from sqlmodel import Session

from services.credentials.numbers import Connection, connections, default_name, first_free, label
from services.graph.types import PhoneNumberHealth, QualityRating, ThroughputLevel
from services.store.models import Credential, PhoneNumber, WhatsAppBusinessAccount
from services.store.types import utcnow


def _number(number_id: str, display: str, verified_name: str) -> PhoneNumberHealth:
    return PhoneNumberHealth(
        id=number_id,
        display_phone_number=display,
        verified_name=verified_name,
        quality_rating=QualityRating.parse("GREEN"),
        throughput_level=ThroughputLevel.parse("STANDARD"),
        messaging_limit=None,
        status="CONNECTED",
    )


BAKERY = _number("3000000000000103", "+1 631-555-0103", "Jasper's Bakery")
ICE_CREAM = _number("3000000000000102", "+1 631-555-0102", "Jasper's Ice Cream")


def _store(session: Session, name: str, number_id: str, fingerprint: str, minutes_ago: int) -> None:
    at = utcnow() - timedelta(minutes=minutes_ago)
    if session.get(WhatsAppBusinessAccount, "2000000000000011") is None:
        session.add(WhatsAppBusinessAccount(id="2000000000000011", name="Jasper's Market"))
        session.flush()
        session.add(
            PhoneNumber(
                id=number_id,
                waba_id="2000000000000011",
                display_phone_number=BAKERY.display_phone_number,
                verified_name=BAKERY.verified_name,
                quality_rating="GREEN",
                throughput_level="STANDARD",
                status="CONNECTED",
            )
        )
        session.flush()
    session.add(
        Credential(
            name=name,
            business_id="1000000000000001",
            waba_id="2000000000000011",
            phone_number_id=number_id,
            token_ciphertext="x",
            token_last4="ABCD",
            token_fingerprint=fingerprint,
            token_state="valid",
            created_at=at,
            created_by="ops@example.com",
            updated_at=at,
        )
    )
    session.commit()


def test_the_default_name_is_the_numbers_own_verified_name() -> None:
    assert default_name(BAKERY) == "Jasper's Bakery · +1 631-555-0103"


def test_connected_numbers_are_found_with_the_same_token_first(session: Session) -> None:
    _store(session, "Bakery, other token", BAKERY.id, "fp-other", minutes_ago=10)
    _store(session, "Bakery", BAKERY.id, "fp-this", minutes_ago=5)
    found = connections(session=session, phone_number_ids=[BAKERY.id, ICE_CREAM.id], fingerprint="fp-this")
    assert list(found) == [BAKERY.id]
    assert (found[BAKERY.id].name, found[BAKERY.id].same_token) == ("Bakery", True)
    other = connections(session=session, phone_number_ids=[BAKERY.id], fingerprint="fp-new")
    assert (other[BAKERY.id].name, other[BAKERY.id].same_token) == ("Bakery, other token", False)
    assert connections(session=session, phone_number_ids=[], fingerprint="fp-this") == {}


def test_a_connected_number_is_marked_and_offered_last() -> None:
    taken = {BAKERY.id: Connection(credential_id=1, name="Bakery", same_token=True)}
    assert label(BAKERY, taken[BAKERY.id]) == "+1 631-555-0103 · Jasper's Bakery — already connected as “Bakery”"
    assert label(ICE_CREAM, None) == "+1 631-555-0102 · Jasper's Ice Cream"
    assert first_free([BAKERY, ICE_CREAM], taken) == ICE_CREAM.id
    assert first_free([BAKERY], taken) == BAKERY.id
