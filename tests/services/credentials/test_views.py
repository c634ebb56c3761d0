from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from services.credentials.views import configurations_using, list_credentials, token_state_words, view_of
from services.store.models import ChannelConfiguration, Credential, PhoneNumber, WhatsAppBusinessAccount

AT = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("state", "expires_at", "words"),
    [
        ("valid", None, "Valid"),
        ("valid", datetime(2027, 1, 9, 23, 59, tzinfo=UTC), "Valid · expires on 9 Jan 2027"),
        ("valid", datetime(2026, 11, 24, 8, tzinfo=UTC), "Expired on 24 Nov 2026"),  # its day came meanwhile
        ("expired", datetime(2026, 11, 24, 8, tzinfo=UTC), "Expired on 24 Nov 2026"),
        ("expired", None, "Expired"),
        ("invalid", datetime(2027, 1, 9, tzinfo=UTC), "Invalid"),
        ("unknown", None, "Not checked yet"),
    ],
)
def test_token_state_words(state: str, expires_at: datetime | None, words: str) -> None:
    assert token_state_words(state, expires_at, at=AT) == words


def _store(session: Session) -> int:
    session.add(WhatsAppBusinessAccount(id="2000000000000011", name="Jasper's Market"))
    session.flush()
    session.add(
        PhoneNumber(
            id="3000000000000101",
            waba_id="2000000000000011",
            display_phone_number="+1 631-555-0101",
            verified_name="Jasper's Market",
            quality_rating="YELLOW",
            throughput_level="HIGH",
            messaging_limit="TIER_10K",
            status="CONNECTED",
        )
    )
    session.flush()
    credential = Credential(
        name="Main",
        business_id="1000000000000001",
        waba_id="2000000000000011",
        phone_number_id="3000000000000101",
        token_ciphertext="opaque",
        token_last4="AB12",
        token_fingerprint="f" * 64,
        token_expires_at=AT + timedelta(days=45),
        created_at=AT,
    )
    session.add(credential)
    session.commit()
    assert credential.id is not None
    return credential.id


def test_the_list_reads_like_the_screen(session: Session) -> None:
    credential_id = _store(session)
    [view] = list_credentials(session=session, at=AT)
    assert view.id == credential_id
    assert (view.waba_name, view.waba_id) == ("Jasper's Market", "2000000000000011")
    assert (view.display_phone_number, view.verified_name) == ("+1 631-555-0101", "Jasper's Market")
    assert (view.quality_rating, view.throughput_level, view.messages_per_second) == ("YELLOW", "HIGH", 1000)
    assert view.token_masked == "••••AB12"
    assert view.token_state_words == "Valid · expires on 9 Jan 2027"
    assert view.used_by == ()


def test_the_list_names_the_configurations_that_hold_a_credential(session: Session) -> None:
    credential_id = _store(session)
    session.add(ChannelConfiguration(name="b-live", credential_id=credential_id, status="active"))
    session.add(ChannelConfiguration(name="a-draft", credential_id=credential_id, status="draft"))
    session.add(ChannelConfiguration(name="old", credential_id=credential_id, status="deactivated"))
    session.commit()
    assert list_credentials(session=session, at=AT)[0].used_by == ("a-draft", "b-live")
    assert view_of(session=session, credential_id=credential_id, at=AT).used_by == ("a-draft", "b-live")
    blocking, detachable = configurations_using(session=session, credential_id=credential_id)
    assert [c.name for c in blocking] == ["a-draft", "b-live"] and [c.name for c in detachable] == ["old"]


def test_an_empty_store_lists_nothing(session: Session) -> None:
    assert list_credentials(session=session, at=AT) == []
