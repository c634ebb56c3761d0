import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from services.access.roles import DEMO_ADMIN, Actor, PermissionDenied
from services.access.vault import TokenVault
from services.configurations import lifecycle as configurations
from services.configurations.fields import ConfigurationInput, ConfigurationInvalid, sender_numbers
from services.configurations.records import ConfigurationChanged, ConfigurationRefused, get, list_configurations, store
from services.configurations.runs import run_checks
from services.graph.client import GraphClient
from services.simulator import Fault
from services.store.models import AuditEvent, ChannelConfiguration
from tests.channel_configurations import (
    JASPERS_ICE_CREAM,
    JASPERS_MARKET,
    JASPERS_WABA,
    LUCKY_SHRUB,
    LUCKY_SHRUB_WABA,
    complete,
    connect_credential,
)
from tests.fixtures.simulator import ServedSimulator

OTHER_ADMIN = Actor(email="other-admin@example.com", role="admin")


def _draft(session: Session, **values: object) -> ChannelConfiguration:
    return configurations.save_draft(session=session, actor=DEMO_ADMIN, values=ConfigurationInput.from_dict(values))


def _active(engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, name: str) -> int:
    with Session(engine) as session:
        row = configurations.submit(session=session, actor=DEMO_ADMIN, values=complete(credential_id, name=name))
        assert row.id is not None
    run = run_checks(engine=engine, graph=graph, vault=vault, configuration_id=row.id, actor=DEMO_ADMIN)
    assert run.status == "active", run.reasons
    return row.id


def test_a_draft_keeps_whatever_is_there_and_never_asks_for_missing_fields(engine: Engine) -> None:
    with Session(engine) as session:
        named = _draft(session, name="  Spring-sale ", description="").id
        unnamed = _draft(session).id
    with Session(engine) as session:
        stored = get(session=session, configuration_id=named)  # type: ignore[arg-type]
        assert (stored.name, stored.status, stored.marketing_action, stored.credential_id) == (
            "Spring-sale",
            "draft",
            None,
            None,
        )
        assert stored.created_by == stored.updated_by == DEMO_ADMIN.email
        assert (
            configurations.display_name(get(session=session, configuration_id=unnamed)) == f"Untitled draft #{unnamed}"
        )  # type: ignore[arg-type]


def test_a_draft_is_refused_only_for_a_name_that_breaks_the_rule(engine: Engine) -> None:
    with Session(engine) as session:
        with pytest.raises(ConfigurationInvalid) as refused:
            _draft(session, name="2027 sale", marketing_action="analytics")
        assert refused.value.errors == {
            "name": "The name must start with a letter (A-Z or a-z), not '2'. "
            "The name may only hold letters, digits, _, . and -; remove a space."
        }
        _draft(session, name="Promo")
        with pytest.raises(ConfigurationInvalid) as taken:
            _draft(session, name="promo")
        assert "already named “promo”" in taken.value.errors["name"]
        assert [row.name for row in list_configurations(session=session)] == ["Promo"]


def test_a_deactivated_configuration_frees_its_name(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int
) -> None:
    configuration_id = _active(engine, graph, vault, credential_id, "Promo")
    with Session(engine) as session:
        configurations.deactivate(session=session, actor=DEMO_ADMIN, configuration_id=configuration_id)
        assert _draft(session, name="Promo").status == "draft"
        with pytest.raises(ConfigurationRefused, match="already named “Promo”.*Duplicate this one"):
            configurations.activate(session=session, actor=DEMO_ADMIN, configuration_id=configuration_id)


def test_submit_names_every_missing_field_and_stores_nothing(engine: Engine) -> None:
    with Session(engine) as session:
        with pytest.raises(ConfigurationInvalid) as refused:
            configurations.submit(session=session, actor=DEMO_ADMIN, values=ConfigurationInput(channel="sms"))
        assert refused.value.errors == {
            "name": "Enter a name: it must start with a letter.",
            "channel": "Choose the channel WhatsApp.",
            "marketing_action": (
                "Choose a marketing action, or “None (transactional)” for messages that need no marketing consent."
            ),
            "credential_id": "Choose the WhatsApp API configuration (a stored API credential) to send through.",
            "sender_phone_number_id": "Choose the sender number.",
        }
        assert list_configurations(session=session) == []


def test_submit_refuses_an_unknown_action_credential_and_unreachable_number(engine: Engine, credential_id: int) -> None:
    with Session(engine) as session:
        wrong = complete(credential_id, marketing_action="smsTargeting", sender_phone_number_id="3000000000000106")
        with pytest.raises(ConfigurationInvalid) as refused:
            configurations.submit(session=session, actor=DEMO_ADMIN, values=wrong)
        assert set(refused.value.errors) == {"marketing_action", "sender_phone_number_id"}
        assert "not reachable through API credential" in refused.value.errors["sender_phone_number_id"]
        with pytest.raises(ConfigurationInvalid) as gone:
            configurations.submit(session=session, actor=DEMO_ADMIN, values=complete(credential_id + 99))
        assert gone.value.errors["credential_id"] == "That API credential no longer exists; choose another one."


def test_the_senders_offered_are_the_credentials_own_first_then_every_reachable_number(
    engine: Engine, graph: GraphClient, vault: TokenVault, graph_simulator: ServedSimulator, credential_id: int
) -> None:
    with Session(engine) as session:
        offered = [number.id for number in sender_numbers(session=session, credential_id=credential_id)]
    assert offered == [JASPERS_MARKET, JASPERS_ICE_CREAM, "3000000000000103"]
    # Another credential brings Lucky Shrub's numbers into the fleet: a client WABA the first token reaches too.
    at = graph_simulator.simulator.now()
    connect_credential(
        engine=engine, graph=graph, vault=vault, at=at, waba_id=LUCKY_SHRUB_WABA, phone_number_id=LUCKY_SHRUB
    )
    with Session(engine) as session:
        offered = [number.id for number in sender_numbers(session=session, credential_id=credential_id)]
        assert offered[0] == JASPERS_MARKET and LUCKY_SHRUB in offered
        assert "3000000000000106" not in offered  # Aurora is another business's account
        assert sender_numbers(session=session, credential_id=None) == []


def test_submit_commits_processing_before_any_check(engine: Engine, credential_id: int) -> None:
    with Session(engine) as session:
        row = configurations.submit(session=session, actor=DEMO_ADMIN, values=complete(credential_id))
    with Session(engine) as elsewhere:  # what another process sees while the checks have not started
        seen = get(session=elsewhere, configuration_id=row.id)  # type: ignore[arg-type]
        assert (seen.status, seen.check_results, seen.version) == ("processing", [], 1)
        events = elsewhere.exec(select(AuditEvent).where(AuditEvent.object_type == "channel_configuration")).all()
        assert [event.action for event in events] == ["submit"]
        assert events[0].changes["status"] == [None, "processing"]


def test_the_later_of_two_saves_is_refused_and_the_earlier_kept(engine: Engine) -> None:
    with Session(engine) as session:
        opened = _draft(session, name="Promo", description="first")
    version = opened.version
    with Session(engine) as b:
        configurations.save_draft(
            session=b,
            actor=OTHER_ADMIN,
            values=ConfigurationInput(name="Promo", description="B's words"),
            configuration_id=opened.id,
            expected_version=version,
        )
    with Session(engine) as a, pytest.raises(ConfigurationChanged) as refused:
        configurations.save_draft(
            session=a,
            actor=DEMO_ADMIN,
            values=ConfigurationInput(name="Promo", description="A's words"),
            configuration_id=opened.id,
            expected_version=version,
        )
    assert "changed since you opened it (by other-admin@example.com" in str(refused.value)
    with Session(engine) as session:
        stored = get(session=session, configuration_id=opened.id)  # type: ignore[arg-type]
        assert (stored.description, stored.version) == ("B's words", version + 1)


def test_the_write_itself_is_guarded_when_the_row_read_is_stale(engine: Engine) -> None:
    with Session(engine) as session:
        row = _draft(session, name="Promo")
    with Session(engine) as a:
        stale = a.get(ChannelConfiguration, row.id)
        with Session(engine) as b:
            configurations.save_draft(
                session=b, actor=OTHER_ADMIN, values=ConfigurationInput(name="Promo2"), configuration_id=row.id
            )
        with pytest.raises(ConfigurationChanged):
            store(
                session=a, row=stale, changes={"description": "x"}, actor=DEMO_ADMIN, action="t", expected_version=None
            )
        assert get(session=a, configuration_id=row.id).name == "Promo2"  # type: ignore[arg-type]


def test_delete_takes_drafts_and_failed_ones_never_deactivated_or_active(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int
) -> None:
    active_id = _active(engine, graph, vault, credential_id, "Live")
    with Session(engine) as session:
        draft = _draft(session, name="Scratch")
        configurations.delete(session=session, actor=DEMO_ADMIN, configuration_id=draft.id)  # type: ignore[arg-type]
        with pytest.raises(ConfigurationRefused, match="deactivate it instead"):
            configurations.delete(session=session, actor=DEMO_ADMIN, configuration_id=active_id)
        configurations.deactivate(session=session, actor=DEMO_ADMIN, configuration_id=active_id)
        with pytest.raises(ConfigurationRefused, match="A deactivated configuration cannot be deleted"):
            configurations.delete(session=session, actor=DEMO_ADMIN, configuration_id=active_id)
        assert [row.name for row in list_configurations(session=session)] == ["Live"]
        mine = select(AuditEvent.action).where(AuditEvent.object_type == "channel_configuration")
        actions = session.exec(mine.where(AuditEvent.object_id == str(draft.id))).all()
        assert actions == ["save_draft", "delete"]


def test_deactivate_only_an_active_one_then_duplicate_it(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int
) -> None:
    active_id = _active(engine, graph, vault, credential_id, "Live")
    with Session(engine) as session:
        draft = _draft(session, name="Scratch")
        with pytest.raises(ConfigurationRefused, match="Only an active configuration can be deactivated"):
            configurations.deactivate(session=session, actor=DEMO_ADMIN, configuration_id=draft.id)  # type: ignore[arg-type]
        configurations.deactivate(session=session, actor=DEMO_ADMIN, configuration_id=active_id)
        first = configurations.duplicate(session=session, actor=DEMO_ADMIN, configuration_id=active_id)
        second = configurations.duplicate(session=session, actor=DEMO_ADMIN, configuration_id=active_id)
        assert (first.name, first.status, second.name) == ("Live-copy", "draft", "Live-copy-2")
        assert ConfigurationInput.of(first).sender_phone_number_id == JASPERS_MARKET
        with pytest.raises(ConfigurationRefused, match="deactivated; activate it again, or duplicate it"):
            configurations.submit(
                session=session,
                actor=DEMO_ADMIN,
                values=complete(credential_id, name="Live"),
                configuration_id=active_id,
            )


def test_an_active_configuration_keeps_its_name_and_has_no_draft(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int
) -> None:
    active_id = _active(engine, graph, vault, credential_id, "Live")
    with Session(engine) as session:
        with pytest.raises(ConfigurationInvalid) as renamed:
            configurations.submit(
                session=session,
                actor=DEMO_ADMIN,
                values=complete(credential_id, name="Other"),
                configuration_id=active_id,
            )
        assert renamed.value.errors == {
            "name": "The name of an active configuration stays “Live”; duplicate it to use another name."
        }
        with pytest.raises(ConfigurationRefused, match="has no draft"):
            configurations.save_draft(
                session=session,
                actor=DEMO_ADMIN,
                values=complete(credential_id, name="Live"),
                configuration_id=active_id,
            )


def test_a_configuration_being_checked_cannot_be_edited(engine: Engine, credential_id: int) -> None:
    with Session(engine) as session:
        row = configurations.submit(session=session, actor=DEMO_ADMIN, values=complete(credential_id))
        with pytest.raises(ConfigurationRefused, match="is being checked"):
            configurations.save_draft(
                session=session, actor=DEMO_ADMIN, values=complete(credential_id), configuration_id=row.id
            )


def test_a_viewer_changes_nothing(engine: Engine) -> None:
    viewer = Actor(email="viewer@example.com", role="viewer")
    with Session(engine) as session:
        with pytest.raises(PermissionDenied, match="viewer@example.com is a viewer and cannot save"):
            configurations.save_draft(session=session, actor=viewer, values=ConfigurationInput(name="Promo"))
        assert list_configurations(session=session) == []


def test_the_list_filters_by_status_and_searches_names(engine: Engine) -> None:
    with Session(engine) as session:
        for name in ("Spring-sale", "Summer-sale", "Receipts"):
            _draft(session, name=name)
        assert [r.name for r in list_configurations(session=session, search="SALE")] == ["Summer-sale", "Spring-sale"]
        assert list_configurations(session=session, statuses=["active"]) == []
        assert len(list_configurations(session=session, statuses=["draft", "active"])) == 3
        assert list_configurations(session=session, search="%") == []


def test_names_search_and_the_guarded_write_behave_the_same_on_every_store(store_engine: Engine) -> None:
    with Session(store_engine) as session:
        row_id = _draft(session, name="Promo_50").id
        _draft(session, name="Promo150")
        with pytest.raises(ConfigurationInvalid):
            _draft(session, name="PROMO_50")
        assert [r.name for r in list_configurations(session=session, search="O_5")] == ["Promo_50"]
        assert list_configurations(session=session, search="o%5") == []
    with Session(store_engine) as a:
        stale = a.get(ChannelConfiguration, row_id)
        with Session(store_engine) as b:
            configurations.save_draft(
                session=b, actor=OTHER_ADMIN, values=ConfigurationInput(name="Promo"), configuration_id=row_id
            )
        with pytest.raises(ConfigurationChanged):
            store(
                session=a,
                row=stale,
                changes={"check_results": [{"check": "x"}]},
                actor=DEMO_ADMIN,
                action="t",
                expected_version=None,
            )
        store(
            session=a,
            row=get(session=a, configuration_id=row_id),
            changes={"check_results": [{"check": "x"}]},
            actor=DEMO_ADMIN,
            action="t",
            expected_version=None,
        )  # type: ignore[arg-type]
    with Session(store_engine) as session:
        stored = get(session=session, configuration_id=row_id)  # type: ignore[arg-type]
        assert (stored.name, stored.version, stored.check_results) == ("Promo", 3, [{"check": "x"}])
        assert stored.updated_at.tzinfo is not None


def test_submit_again_takes_a_failed_configuration_back_to_processing_as_stored(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    with Session(engine) as session:
        draft = _draft(session, name="Draft-only")
        with pytest.raises(ConfigurationRefused, match="Only a failed configuration can be submitted again"):
            configurations.submit_again(session=session, actor=DEMO_ADMIN, configuration_id=draft.id)  # type: ignore[arg-type]
        row = configurations.submit(session=session, actor=DEMO_ADMIN, values=complete(credential_id))
        row_id = row.id
        assert row_id is not None
    graph_simulator.simulator.faults.add(Fault(path=f"{JASPERS_WABA}$", code=200, http_status=403))
    run = run_checks(engine=engine, graph=graph, vault=vault, configuration_id=row_id, actor=DEMO_ADMIN)
    assert run.status == "failed"
    with Session(engine) as session:
        with pytest.raises(PermissionDenied):
            configurations.submit_again(
                session=session, actor=Actor(email="v@example.com", role="viewer"), configuration_id=row_id
            )
        with pytest.raises(ConfigurationChanged):
            configurations.submit_again(session=session, actor=DEMO_ADMIN, configuration_id=row_id, expected_version=1)
        again = configurations.submit_again(session=session, actor=OTHER_ADMIN, configuration_id=row_id)
        assert (again.status, again.check_results, again.name) == ("processing", [], "Jaspers-promotions")
        assert again.updated_by == OTHER_ADMIN.email
    graph_simulator.simulator.faults.clear()
    run = run_checks(engine=engine, graph=graph, vault=vault, configuration_id=row_id, actor=OTHER_ADMIN)
    assert run.status == "active"
