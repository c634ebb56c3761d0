from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.access import audit
from services.access.roles import Actor
from services.runtime import open_store

PAGE = "../../pages/4_Audit_log.py"


def _signed_in(actor: Actor) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["signed_in_actor"] = actor
    return at


def _record_some_events() -> None:
    with Session(open_store()) as session:
        lead = Actor(email="lead@example.com", role="admin")
        other = Actor(email="other@example.com", role="admin")
        audit.record(
            session=session,
            actor=lead,
            action="create",
            object_type="api_credential",
            object_id=1,
            object_name="Main",
            after={"name": "Main", "waba_id": "2000000000000011", "token_last4": "0001"},
        )
        audit.record(
            session=session,
            actor=other,
            action="deactivate",
            object_type="channel_configuration",
            object_id=3,
            object_name="spring-sale",
            before={"status": "active", "credential_id": None, "marketing_action": "whatsappMarketing"},
            after={"status": "deactivated", "credential_id": 7, "marketing_action": "none"},
        )
        session.commit()


def test_admins_read_the_trail_newest_first_and_filter_it(console_env: dict[str, str]) -> None:
    _record_some_events()
    at = _signed_in(Actor(email="lead@example.com", role="admin")).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["What"]) == [
        "deactivated channel configuration “spring-sale”",
        "created API credential “Main”",
    ]
    assert table["Changes"].iloc[0] == (
        "API credential: a deleted credential (7); "
        "Marketing action: WhatsApp Marketing → None (transactional); Status: Active → Deactivated"
    )
    assert table["Changes"].iloc[1] == "Name: Main; Token: ••••0001; WhatsApp Business Account: 2000000000000011"
    at.selectbox(key="audit_person").select("lead@example.com").run()
    assert list(at.dataframe[0].value["What"]) == ["created API credential “Main”"]
    at.selectbox(key="audit_person").select("Everyone").run()
    assert at.selectbox(key="audit_object").options == ["All objects", "API credential", "Channel configuration"]
    at.selectbox(key="audit_object").select_index(2).run()
    assert list(at.dataframe[0].value["Who"]) == ["other@example.com"]


def test_viewers_cannot_read_the_trail(console_env: dict[str, str]) -> None:
    _record_some_events()
    at = _signed_in(Actor(email="v@example.com", role="viewer")).run()
    assert not at.exception
    assert at.info[0].value == "Only admins can read the audit log."
    assert not at.dataframe
