from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from services.access.roles import DEMO_ADMIN, Actor, PermissionDenied
from services.access.vault import TokenVault
from services.credentials import lifecycle as credentials
from services.graph.client import GraphClient
from services.graph.connection import build_graph_client
from services.graph.errors import TokenExpired
from services.health import fleet
from services.store.models import AuditEvent, ChannelConfiguration, Credential, CredentialReach, HealthInterval
from services.store.types import utcnow
from tests.fixtures.simulator import ServedSimulator

JASPERS = "1000000000000001"
JASPERS_WABA, LUCKY_WABA, AURORA_WABA = "2000000000000011", "2000000000000012", "2000000000000021"
MARKET, ICE_CREAM = "3000000000000101", "3000000000000102"
TOKEN = "EAAJASPERSOPSTOKEN7Q3Z"
OTHER_TOKEN = "EAAJASPERSROTATED9K2W"
VIEWER = Actor(email="viewer@example.com", role="viewer")


@pytest.fixture
def graph(graph_simulator: ServedSimulator) -> GraphClient:
    # Tokens expire relative to the wall clock, so the console's `at` (now) and Meta's answer agree.
    expires = utcnow() + timedelta(days=400)
    for token in (TOKEN, OTHER_TOKEN):
        graph_simulator.simulator.register_token(token, state="valid", business_ids=[JASPERS], expires_at=expires)
    return build_graph_client(graph_simulator.url, version="v24.0", sleep=lambda _s: None)


def _connect(session: Session, graph: GraphClient, vault: TokenVault, **overrides: object) -> Credential:
    arguments: dict[str, object] = {
        "session": session,
        "graph": graph,
        "vault": vault,
        "actor": DEMO_ADMIN,
        "token": TOKEN,
        "business_id": JASPERS,
        "waba_id": JASPERS_WABA,
        "phone_number_id": MARKET,
        "at": utcnow(),
    }
    return credentials.connect(**(arguments | overrides))  # type: ignore[arg-type]


def test_connect_stores_the_token_encrypted_with_only_its_last_four_in_clear(
    session: Session, graph: GraphClient, vault: TokenVault
) -> None:
    credential = _connect(session, graph, vault)
    assert credential.name == "Jasper's Market · +1 631-555-0101"
    assert credential.token_last4 == "7Q3Z"
    assert TOKEN not in credential.token_ciphertext
    assert credentials.token_of(credential=credential, vault=vault) == TOKEN
    assert credential.token_fingerprint == vault.fingerprint(TOKEN)
    assert credential.token_state == "valid" and credential.token_expires_at is not None
    assert credential.created_by == DEMO_ADMIN.email


def test_connect_fills_the_fleet_reach_and_first_health_observation(
    session: Session, graph: GraphClient, vault: TokenVault
) -> None:
    credential = _connect(session, graph, vault)
    assert credential.id is not None
    numbers = {n.id: n for n in fleet.numbers(session=session)}
    assert set(numbers) == {MARKET, ICE_CREAM, "3000000000000103"}  # the whole chosen WABA
    assert numbers[MARKET].quality_rating == "GREEN" and numbers[MARKET].throughput_level == "HIGH"
    assert len(session.exec(select(HealthInterval)).all()) == 3
    # The business's own and client WABAs are stored; Aurora's (named by debug_token) is not a row yet.
    assert fleet.reach_of(session=session, credential_id=credential.id) == [JASPERS_WABA, LUCKY_WABA]


def test_connect_audits_the_creation_without_the_token(session: Session, graph: GraphClient, vault: TokenVault) -> None:
    credential = _connect(session, graph, vault, name="  Ops main  ")
    event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.object_type, event.object_id, event.object_name) == (
        "create",
        "api_credential",
        str(credential.id),
        "Ops main",
    )
    assert event.changes["phone_number_id"] == [None, MARKET]
    assert TOKEN not in repr(event.changes) + event.detail


def test_the_same_token_and_number_cannot_be_stored_twice(
    session: Session, graph: GraphClient, vault: TokenVault
) -> None:
    _connect(session, graph, vault)
    with pytest.raises(credentials.DuplicateCredential) as raised:
        _connect(session, graph, vault, name="again")
    assert "already stored for +1 631-555-0101 (Jasper's Market)" in str(raised.value)
    assert TOKEN not in str(raised.value)
    _connect(session, graph, vault, phone_number_id=ICE_CREAM)  # another number is another credential
    _connect(session, graph, vault, token=OTHER_TOKEN)  # so is another token
    assert len(session.exec(select(Credential)).all()) == 3


def test_a_viewer_cannot_connect_and_nothing_is_stored(session: Session, graph: GraphClient, vault: TokenVault) -> None:
    with pytest.raises(PermissionDenied):
        _connect(session, graph, vault, actor=VIEWER)
    assert session.exec(select(Credential)).all() == []
    assert graph.calls == 0


def test_a_waba_or_number_outside_the_business_is_refused_by_field(
    session: Session, graph: GraphClient, vault: TokenVault
) -> None:
    with pytest.raises(credentials.CredentialInputError) as raised:
        _connect(session, graph, vault, waba_id=AURORA_WABA)
    assert raised.value.field == "waba_id"
    with pytest.raises(credentials.CredentialInputError) as raised:
        _connect(session, graph, vault, phone_number_id="3000000000000104")  # Lucky Shrub's, not Jasper's
    assert raised.value.field == "phone_number_id"
    with pytest.raises(credentials.CredentialInputError) as raised:
        _connect(session, graph, vault, name="x" * 121)
    assert raised.value.field == "name"
    assert session.exec(select(Credential)).all() == []


def test_rotation_replaces_the_token_after_the_same_checks(
    session: Session, graph: GraphClient, vault: TokenVault
) -> None:
    credential = _connect(session, graph, vault)
    assert credential.id is not None
    at = utcnow()
    rotated = credentials.rotate_token(
        session=session,
        graph=graph,
        vault=vault,
        actor=DEMO_ADMIN,
        credential_id=credential.id,
        token=OTHER_TOKEN,
        at=at,
    )
    assert credentials.token_of(credential=rotated, vault=vault) == OTHER_TOKEN
    assert (rotated.token_last4, rotated.token_fingerprint) == ("9K2W", vault.fingerprint(OTHER_TOKEN))
    assert rotated.token_checked_at == at
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "rotate_token")).one()
    assert event.changes["token_last4"] == ["7Q3Z", "9K2W"]


@pytest.mark.parametrize(
    ("new_token", "refusal", "words"),
    [
        (TOKEN, credentials.CredentialInputError, "already uses"),
        ("EAADEMOEXPIRED", TokenExpired, "expired on 31 Oct 2026"),
        ("EAADEMOBIGWABA", credentials.BusinessNotReachable, "Business account ID 1000000000000001"),
        ("", credentials.CredentialInputError, "Paste the API token"),
    ],
)
def test_a_rotation_that_fails_a_check_keeps_the_old_token(
    session: Session, graph: GraphClient, vault: TokenVault, new_token: str, refusal: type[Exception], words: str
) -> None:
    credential = _connect(session, graph, vault)
    assert credential.id is not None
    with pytest.raises(refusal, match=words):
        credentials.rotate_token(
            session=session,
            graph=graph,
            vault=vault,
            actor=DEMO_ADMIN,
            credential_id=credential.id,
            token=new_token,
            at=utcnow(),
        )
    session.expire_all()
    stored = session.get(Credential, credential.id)
    assert stored is not None and credentials.token_of(credential=stored, vault=vault) == TOKEN


def test_a_rotation_to_a_token_that_cannot_reach_the_waba_is_refused(
    session: Session, graph: GraphClient, vault: TokenVault, graph_simulator: ServedSimulator
) -> None:
    credential = _connect(session, graph, vault, waba_id=LUCKY_WABA, phone_number_id="3000000000000104")
    assert credential.id is not None
    # A token of Lucky Shrub Inc. itself reaches its WABA; one of Aurora only is checked against Jasper's business.
    graph_simulator.simulator.register_token("EAAAURORAONLY0001", state="valid", business_ids=["1000000000000002"])
    with pytest.raises(credentials.BusinessNotReachable):
        credentials.rotate_token(
            session=session,
            graph=graph,
            vault=vault,
            actor=DEMO_ADMIN,
            credential_id=credential.id,
            token="EAAAURORAONLY0001",
            at=utcnow(),
        )


def _configuration(session: Session, credential_id: int, name: str, status: str) -> ChannelConfiguration:
    configuration = ChannelConfiguration(name=name, credential_id=credential_id, status=status)
    session.add(configuration)
    session.commit()
    return configuration


@pytest.mark.parametrize("status", ["draft", "processing", "active", "failed"])
def test_delete_is_refused_while_a_configuration_uses_the_credential(
    session: Session, graph: GraphClient, vault: TokenVault, status: str
) -> None:
    credential = _connect(session, graph, vault)
    assert credential.id is not None
    _configuration(session, credential.id, "spring-sale", status)
    with pytest.raises(credentials.CredentialInUse) as raised:
        credentials.delete(session=session, actor=DEMO_ADMIN, credential_id=credential.id)
    assert f"channel configuration “spring-sale” ({status.capitalize()}) uses it" in str(raised.value)
    assert session.get(Credential, credential.id) is not None


def test_a_pending_update_naming_the_credential_also_blocks_its_deletion(
    session: Session, graph: GraphClient, vault: TokenVault
) -> None:
    credential = _connect(session, graph, vault)
    assert credential.id is not None
    configuration = ChannelConfiguration(
        name="summer", status="deactivated", pending_update={"credential_id": credential.id}
    )
    session.add(configuration)
    session.commit()
    with pytest.raises(credentials.CredentialInUse, match="summer"):
        credentials.ensure_deletable(session=session, credential_id=credential.id)


def test_delete_detaches_deactivated_configurations_and_drops_the_reach(
    session: Session, graph: GraphClient, vault: TokenVault
) -> None:
    credential = _connect(session, graph, vault)
    assert credential.id is not None
    old = _configuration(session, credential.id, "winter-sale", "deactivated")
    credentials.delete(session=session, actor=DEMO_ADMIN, credential_id=credential.id)
    session.expire_all()
    assert session.get(Credential, credential.id) is None
    assert session.exec(select(CredentialReach)).all() == []
    assert session.get(ChannelConfiguration, old.id).credential_id is None  # type: ignore[union-attr]
    assert {n.id for n in fleet.numbers(session=session)} >= {MARKET}  # the number's history stays
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "delete")).one()
    assert "1 deactivated channel configuration" in event.detail


def test_only_admins_delete_and_a_missing_credential_is_a_sentence(
    session: Session, graph: GraphClient, vault: TokenVault
) -> None:
    credential = _connect(session, graph, vault)
    assert credential.id is not None
    with pytest.raises(PermissionDenied):
        credentials.delete(session=session, actor=VIEWER, credential_id=credential.id)
    with pytest.raises(credentials.CredentialNotFound, match="no longer exists"):
        credentials.delete(session=session, actor=DEMO_ADMIN, credential_id=credential.id + 1)


def test_connect_and_rotation_record_the_token_expiry_meta_reports(
    session: Session, graph: GraphClient, vault: TokenVault, graph_simulator: ServedSimulator
) -> None:
    expiry = datetime(2031, 1, 9, 12, tzinfo=UTC)
    graph_simulator.simulator.register_token(
        "EAAEXPIRESIN2031X", state="valid", business_ids=[JASPERS], expires_at=expiry
    )
    credential = _connect(session, graph, vault, token="EAAEXPIRESIN2031X")
    assert credential.token_expires_at == expiry


def test_an_unnamed_credential_is_named_after_its_own_number_and_dated_when_it_was_stored(
    session: Session, graph: GraphClient, vault: TokenVault
) -> None:
    simulated = datetime(2026, 10, 28, 9, 0, tzinfo=UTC)  # the demo stores its credentials in simulated time
    before = utcnow()
    credential = _connect(session, graph, vault, phone_number_id=ICE_CREAM, at=simulated)
    assert credential.name == "Jasper's Ice Cream · +1 631-555-0102", "not the WABA's name (Jasper's Market)"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "create")).one()
    assert before <= credential.created_at <= utcnow()
    assert credential.created_at.date() == event.at.date(), "the card and the audit log say the same day"
