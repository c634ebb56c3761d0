"""One walk through every kind of change: each leaves an audit row naming who, what and which fields changed."""

from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.access.key_rotation import rotate_key
from services.access.roles import Actor
from services.access.vault import TokenVault
from services.configurations import lifecycle as configurations
from services.configurations.runs import run_checks
from services.credentials import lifecycle as credentials
from services.graph.client import GraphClient
from services.store.models import AuditEvent
from tests.channel_configurations import JASPERS, JASPERS_MARKET, JASPERS_WABA, TOKEN, complete, register_token
from tests.fixtures.simulator import ServedSimulator

LEAD = Actor(email="lead@example.com", role="admin")
NEW_TOKEN = "EAAAUDITROTATED0002"


def test_every_action_is_recorded_with_who_what_and_the_changed_fields(
    engine: Engine, graph: GraphClient, graph_simulator: ServedSimulator
) -> None:
    simulator = graph_simulator.simulator
    register_token(simulator)
    register_token(simulator, NEW_TOKEN)
    vault, now = TokenVault(Fernet.generate_key()), simulator.now()
    with Session(engine) as session:
        credential = credentials.connect(
            session=session,
            graph=graph,
            vault=vault,
            actor=LEAD,
            token=TOKEN,
            business_id=JASPERS,
            waba_id=JASPERS_WABA,
            phone_number_id=JASPERS_MARKET,
            at=now,
        )
        credential_id = credential.id
        draft = configurations.save_draft(session=session, actor=LEAD, values=complete(credential_id, name="spring"))
        submitted = configurations.submit(
            session=session,
            actor=LEAD,
            values=complete(credential_id, name="spring"),
            configuration_id=draft.id,
            expected_version=draft.version,
        )
        configuration_id = submitted.id
    run_checks(engine=engine, graph=graph, vault=vault, configuration_id=configuration_id, actor=LEAD, now=now)
    with Session(engine) as session:
        configurations.deactivate(session=session, actor=LEAD, configuration_id=configuration_id)
        configurations.activate(session=session, actor=LEAD, configuration_id=configuration_id)
        copy = configurations.duplicate(session=session, actor=LEAD, configuration_id=configuration_id)
        configurations.delete(session=session, actor=LEAD, configuration_id=copy.id)
        credentials.rotate_token(
            session=session, graph=graph, vault=vault, actor=LEAD, credential_id=credential_id, token=NEW_TOKEN, at=now
        )
    rotate_key(engine=engine, old=vault, new=TokenVault(Fernet.generate_key()), actor=LEAD)

    with Session(engine) as session:
        events = list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))
    actions = [e.action for e in events]
    for action in ("create", "save_draft", "submit", "checks_passed", "deactivate", "activate", "duplicate"):
        assert action in actions
    assert {"delete", "rotate_token", "rotate_key"} <= set(actions)
    assert all(e.actor == LEAD.email for e in events)
    deactivated = next(e for e in events if e.action == "deactivate")
    assert deactivated.object_type == "channel_configuration" and deactivated.object_id == str(configuration_id)
    assert deactivated.changes["status"] == ["active", "deactivated"]
    rotated = next(e for e in events if e.action == "rotate_token")
    assert rotated.changes["token_last4"] == [TOKEN[-4:], NEW_TOKEN[-4:]]
    recorded = " ".join(f"{e.changes} {e.detail} {e.object_name}" for e in events)
    assert TOKEN not in recorded and NEW_TOKEN not in recorded
