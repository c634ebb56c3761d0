from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlmodel import Session, select

from services.access.roles import DEMO_ADMIN
from services.access.vault import TokenVault
from services.credentials import lifecycle as credentials
from services.graph.client import GraphClient
from services.graph.connection import build_graph_client
from services.graph.errors import GraphServerError
from services.health import fleet
from services.simulator import Fault
from services.store.models import AuditEvent, Credential, PhoneNumber
from services.store.types import utcnow
from tests.fixtures.simulator import ServedSimulator

JASPERS, JASPERS_WABA, BAKERY = "1000000000000001", "2000000000000011", "3000000000000103"
TOKEN = "EAAREVALIDATETOKEN5H8P"


@pytest.fixture
def graph(graph_simulator: ServedSimulator) -> GraphClient:
    expires = utcnow() + timedelta(days=400)
    graph_simulator.simulator.register_token(TOKEN, state="valid", business_ids=[JASPERS], expires_at=expires)
    return build_graph_client(graph_simulator.url, version="v24.0", sleep=lambda _s: None)


@pytest.fixture
def stored(session: Session, graph: GraphClient) -> tuple[int, TokenVault]:
    vault = TokenVault(Fernet.generate_key())
    credential = credentials.connect(
        session=session,
        graph=graph,
        vault=vault,
        actor=DEMO_ADMIN,
        token=TOKEN,
        business_id=JASPERS,
        waba_id=JASPERS_WABA,
        phone_number_id=BAKERY,
        at=utcnow(),
    )
    assert credential.id is not None
    return credential.id, vault


def _revalidate(session: Session, graph: GraphClient, stored: tuple[int, TokenVault]) -> credentials.CredentialView:
    credential_id, vault = stored
    return credentials.revalidate(
        session=session, graph=graph, vault=vault, actor=DEMO_ADMIN, credential_id=credential_id, at=utcnow()
    )


def test_revalidation_refreshes_the_numbers_settings(
    session: Session, graph: GraphClient, stored: tuple[int, TokenVault], graph_simulator: ServedSimulator
) -> None:
    assert session.get(PhoneNumber, BAKERY).quality_rating == "GREEN"  # type: ignore[union-attr]
    graph_simulator.simulator.advance(3 * 3600)  # Jasper's Bakery turns YELLOW for hours 3-5 of every 5
    view = _revalidate(session, graph, stored)
    assert view.quality_rating == "YELLOW"
    assert view.token_state == "valid" and view.problem is None
    assert view.token_state_words.startswith("Valid · expires on ")


def test_a_revoked_token_turns_invalid_with_the_reason(
    session: Session, graph: GraphClient, stored: tuple[int, TokenVault], graph_simulator: ServedSimulator
) -> None:
    graph_simulator.simulator.register_token(TOKEN, state="invalid", business_ids=[JASPERS])
    view = _revalidate(session, graph, stored)
    assert (view.token_state, view.token_state_words) == ("invalid", "Invalid")
    assert view.problem is not None and view.problem.startswith(
        "Meta no longer accepts this API token: it was revoked (or its user logged out), so it will not work again"
    )
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "revalidate")).one()
    assert event.changes["token_state"] == ["valid", "invalid"]


def test_an_expired_token_records_when(
    session: Session, graph: GraphClient, stored: tuple[int, TokenVault], graph_simulator: ServedSimulator
) -> None:
    graph_simulator.simulator.register_token(TOKEN, state="expired", business_ids=[JASPERS])
    expired_at = graph_simulator.simulator.now() - timedelta(days=1)
    view = _revalidate(session, graph, stored)
    assert view.token_state == "expired"
    assert view.token_state_words == f"Expired on {expired_at.day} {expired_at:%b %Y}"
    # and once it is valid again, the problem clears
    graph_simulator.simulator.register_token(
        TOKEN, state="valid", business_ids=[JASPERS], expires_at=utcnow() + timedelta(days=30)
    )
    view = _revalidate(session, graph, stored)
    assert (view.token_state, view.problem) == ("valid", None)


def test_a_business_out_of_reach_is_a_problem_but_not_a_bad_token(
    session: Session, graph: GraphClient, stored: tuple[int, TokenVault], graph_simulator: ServedSimulator
) -> None:
    graph_simulator.simulator.register_token(TOKEN, state="valid", business_ids=["1000000000000002"])
    view = _revalidate(session, graph, stored)
    assert view.token_state == "valid"
    assert view.problem is not None and "Business account ID 1000000000000001 was not found" in view.problem


def test_a_transient_failure_changes_nothing_stored(
    session: Session, graph: GraphClient, stored: tuple[int, TokenVault], graph_simulator: ServedSimulator
) -> None:
    credential_id, _ = stored
    checked = session.get(Credential, credential_id).token_checked_at  # type: ignore[union-attr]
    graph_simulator.simulator.faults.add(Fault(code=2, path="debug_token"))
    with pytest.raises(GraphServerError):
        _revalidate(session, graph, stored)
    session.expire_all()
    credential = session.get(Credential, credential_id)
    assert credential is not None and credential.token_checked_at == checked and credential.token_state == "valid"


def test_revalidation_keeps_the_reach_current(
    session: Session, graph: GraphClient, stored: tuple[int, TokenVault]
) -> None:
    credential_id, _ = stored
    fleet.set_reach(session=session, credential_id=credential_id, waba_ids=[])
    session.commit()
    _revalidate(session, graph, stored)
    assert fleet.reach_of(session=session, credential_id=credential_id) == [JASPERS_WABA, "2000000000000012"]
