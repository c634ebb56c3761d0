from sqlmodel import Session

from services.access import audit
from services.access.roles import DEMO_ADMIN, Actor


def test_diff_keeps_changed_fields_and_never_secrets() -> None:
    before = {"name": "a", "status": "draft", "token": "EAASECRET", "token_ciphertext": "x"}
    after = {"name": "a", "status": "processing", "token": "EAAOTHER", "token_ciphertext": "y"}
    assert audit.diff(before, after) == {"status": ["draft", "processing"]}


def test_events_list_newest_first_and_filter(session: Session) -> None:
    viewer = Actor(email="v@example.com", role="viewer")
    audit.record(session=session, actor=DEMO_ADMIN, action="create", object_type="credential", object_id=1)
    audit.record(session=session, actor=viewer, action="sign_in", object_type="console", object_id="x")
    audit.record(
        session=session,
        actor=DEMO_ADMIN,
        action="update",
        object_type="configuration",
        object_id=7,
        before={"status": "draft"},
        after={"status": "active"},
    )
    session.commit()
    events = audit.list_events(session=session)
    assert [e.action for e in events] == ["update", "sign_in", "create"]
    assert [e.action for e in audit.list_events(session=session, object_type="credential")] == ["create"]
    assert [e.action for e in audit.list_events(session=session, actor="v@example.com")] == ["sign_in"]
    choices = audit.filter_choices(session=session)
    assert choices.object_types == ["configuration", "console", "credential"]
    assert audit.describe_changes(events[0].changes) == "status: draft → active"
