from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from services.health import fleet
from services.health.model import Severity
from services.health.profile import profile
from services.store.models import ChannelConfiguration, Credential
from tests.health_history import WABA_ID, every_poll, number, record, waba_payment_problem

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _credential(name: str, phone_number_id: str) -> Credential:
    return Credential(
        name=name,
        business_id="1000000000000001",
        waba_id=WABA_ID,
        phone_number_id=phone_number_id,
        token_ciphertext="x",
        token_last4="0001",
        token_fingerprint=name,
    )


def test_a_profile_gathers_health_since_when_and_who_uses_the_number(session: Session) -> None:
    blocked = number("303", can_send="BLOCKED", problems=(waba_payment_problem(),))
    record(
        session,
        every_poll(NOW - timedelta(hours=10), NOW - timedelta(hours=6), number("301"), number("303"))
        + every_poll(NOW - timedelta(hours=5), NOW, number("301"), blocked),
    )
    own, other = _credential("Zeta own", "303"), _credential("Alpha reaches", "301")
    session.add_all([own, other])
    session.flush()
    assert own.id and other.id
    fleet.set_reach(session=session, credential_id=other.id, waba_ids=[WABA_ID])
    session.add_all(
        [
            ChannelConfiguration(name="old", status="deactivated", sender_phone_number_id="303"),
            ChannelConfiguration(name="Promo", status="active", sender_phone_number_id="303"),
            ChannelConfiguration(name="elsewhere", status="active", sender_phone_number_id="301"),
        ]
    )
    session.commit()

    found = profile(session=session, phone_number_id="303", now=NOW)
    assert found is not None
    assert found.assessment.severity is Severity.BLOCKED
    assert found.since == NOW - timedelta(hours=5)  # when it became blocked, not when it was first seen
    assert found.first_observed == NOW - timedelta(hours=10)
    assert [c.name for c in found.credentials] == ["Zeta own", "Alpha reaches"]  # its own first
    assert [c.name for c in found.configurations] == ["Promo", "old"]  # deactivated last
    assert found.whatsapp_manager_url == (
        f"https://business.facebook.com/wa/manage/phone-numbers/?waba_id={WABA_ID}&business_id=1000000000000001"
    )


def test_a_number_the_console_does_not_monitor_has_no_profile(session: Session) -> None:
    assert profile(session=session, phone_number_id="999", now=NOW) is None
