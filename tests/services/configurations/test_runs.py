from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.access.roles import DEMO_ADMIN, SYSTEM
from services.access.vault import TokenVault
from services.configurations import lifecycle as configurations
from services.configurations.checks import CHECKS, CheckResult
from services.configurations.fields import ConfigurationInput
from services.configurations.records import get
from services.configurations.runs import failure_reasons, recover_processing, run_checks
from services.graph.client import GraphClient
from services.graph.expiry import spoken
from services.simulator import Fault
from services.store.models import LIVE_NAME_INDEX, AuditEvent, ChannelConfiguration
from tests.channel_configurations import (
    JASPERS_ICE_CREAM,
    JASPERS_WABA,
    LUCKY_SHRUB,
    LUCKY_SHRUB_WABA,
    TOKEN,
    complete,
    connect_credential,
)
from tests.fixtures.simulator import ServedSimulator


def _submit(engine: Engine, values: ConfigurationInput, configuration_id: int | None = None) -> int:
    with Session(engine) as session:
        row = configurations.submit(session=session, actor=DEMO_ADMIN, values=values, configuration_id=configuration_id)
        assert row.id is not None
        return row.id


def _check(engine: Engine, graph: GraphClient, vault: TokenVault, configuration_id: int, sim: ServedSimulator):  # type: ignore[no-untyped-def]
    return run_checks(
        engine=engine,
        graph=graph,
        vault=vault,
        configuration_id=configuration_id,
        actor=DEMO_ADMIN,
        now=sim.simulator.now(),
    )


def _stored(engine: Engine, configuration_id: int) -> ChannelConfiguration:
    with Session(engine) as session:
        return get(session=session, configuration_id=configuration_id)


def _outcomes(results: list[dict[str, object]]) -> dict[str, str]:
    return {str(r["check"]): "skipped" if r["skipped"] else ("passed" if r["passed"] else "failed") for r in results}


def test_all_checks_pass_in_order_with_progress_and_the_results_are_stored(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    configuration_id = _submit(engine, complete(credential_id))
    seen: list[CheckResult] = []
    run = run_checks(
        engine=engine,
        graph=graph,
        vault=vault,
        configuration_id=configuration_id,
        actor=DEMO_ADMIN,
        on_progress=seen.append,
        now=graph_simulator.simulator.now(),
    )
    assert (run.status, run.passed, run.reasons) == ("active", True, [])
    assert [result.check for result in seen] == list(CHECKS)
    stored = _stored(engine, configuration_id)
    assert stored.status == "active"
    assert stored.check_results == [result.to_json() for result in seen]
    assert stored.warnings == []
    assert stored.checked_at == graph_simulator.simulator.now()
    assert "is valid and does not expire" in seen[0].sentence
    assert seen[3].sentence == "+1 631-555-0101 is connected and can send."
    with Session(engine) as session:
        query = select(AuditEvent.action).where(AuditEvent.object_type == "channel_configuration")
        assert session.exec(query).all() == ["submit", "checks_passed"]


@pytest.mark.parametrize("state", ["expired", "invalid"])
def test_an_expired_or_revoked_token_fails_the_token_check(
    engine: Engine,
    graph: GraphClient,
    vault: TokenVault,
    credential_id: int,
    graph_simulator: ServedSimulator,
    state: str,
) -> None:
    configuration_id = _submit(engine, complete(credential_id))
    graph_simulator.simulator.register_token(TOKEN, state=state)
    run = _check(engine, graph, vault, configuration_id, graph_simulator)
    stored = _stored(engine, configuration_id)
    assert (run.status, stored.status) == ("failed", "failed")
    assert _outcomes(stored.check_results) == {
        "token": "failed",
        "waba": "skipped",
        "sender_in_waba": "skipped",
        "sender_connected": "skipped",
        "name_unique": "passed",
        "marketing_action": "passed",
    }
    (reason,) = failure_reasons(stored.check_results)
    assert reason == run.reasons[0]
    expected = {"expired": "expired", "invalid": "Meta does not accept this API token"}[state]
    assert expected in reason
    assert "replace the token of API credential" in reason and "••••0001" in reason
    assert TOKEN not in reason


def test_a_token_past_its_expiry_by_our_clock_fails_too(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    sim = graph_simulator.simulator
    sim.register_token(
        TOKEN, state="valid", business_ids=["1000000000000001"], expires_at=sim.now() + timedelta(days=2)
    )
    configuration_id = _submit(engine, complete(credential_id))
    soon = _check(engine, graph, vault, configuration_id, graph_simulator)
    assert soon.status == "active"
    assert _stored(engine, configuration_id).warnings == [
        f"The token of API credential “Jasper's Market · +1 631-555-0101” (••••0001) expires on "
        f"{spoken(sim.now() + timedelta(days=2))}; replace it before then."
    ]
    with Session(engine) as session:
        configurations.deactivate(session=session, actor=DEMO_ADMIN, configuration_id=configuration_id)
        configurations.activate(session=session, actor=DEMO_ADMIN, configuration_id=configuration_id)
    late = run_checks(
        engine=engine, graph=graph, vault=vault, configuration_id=configuration_id, now=sim.now() + timedelta(days=3)
    )
    assert late.status == "failed"
    assert "expired on" in late.reasons[0]


def test_a_waba_the_token_cannot_reach_fails_its_check(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    configuration_id = _submit(engine, complete(credential_id))
    graph_simulator.simulator.faults.add(Fault(path=f"{JASPERS_WABA}$", code=200, http_status=403))
    run = _check(engine, graph, vault, configuration_id, graph_simulator)
    stored = _stored(engine, configuration_id)
    assert stored.status == "failed"
    outcomes = _outcomes(stored.check_results)
    assert (outcomes["token"], outcomes["waba"], outcomes["sender_in_waba"]) == ("passed", "failed", "skipped")
    assert run.reasons == failure_reasons(stored.check_results)
    assert f"Give the token's system user access to WhatsApp Business Account {JASPERS_WABA}" in run.reasons[0]


def test_a_number_of_another_waba_fails_belongs_to_that_waba(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    at = graph_simulator.simulator.now()
    connect_credential(
        engine=engine, graph=graph, vault=vault, at=at, waba_id=LUCKY_SHRUB_WABA, phone_number_id=LUCKY_SHRUB
    )
    configuration_id = _submit(engine, complete(credential_id, sender_phone_number_id=LUCKY_SHRUB))
    run = _check(engine, graph, vault, configuration_id, graph_simulator)
    assert run.status == "failed"
    assert _outcomes(_stored(engine, configuration_id).check_results)["sender_connected"] == "skipped"
    assert run.reasons == [
        f"Sender number +1 415-555-0104 is not a number of WhatsApp Business Account {JASPERS_WABA}, the one the "
        "chosen API credential was set up for; choose one of that account's numbers, or the API credential of the "
        "number's own account, then submit again."
    ]


def test_a_connected_number_blocked_by_its_waba_fails_with_metas_reason_and_its_red_rating_warns(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    at = graph_simulator.simulator.now()
    lucky = connect_credential(
        engine=engine, graph=graph, vault=vault, at=at, waba_id=LUCKY_SHRUB_WABA, phone_number_id=LUCKY_SHRUB
    )
    configuration_id = _submit(engine, complete(lucky, sender_phone_number_id=LUCKY_SHRUB))
    run = _check(engine, graph, vault, configuration_id, graph_simulator)
    stored = _stored(engine, configuration_id)
    assert stored.status == "failed"
    # CONNECTED and once passed as healthy; Meta's health_status says its WABA cannot pay (141006).
    assert run.reasons == [
        "Sender number +1 415-555-0104 cannot send messages: its WhatsApp Business Account blocks sending "
        "(Meta error 141006). Meta says: “There is an error with the payment method. This means messages can't "
        "be sent.” Add a valid payment method to the WhatsApp Business Account in WhatsApp Manager (Payment "
        "settings), then submit again."
    ]
    assert len(stored.warnings) == 1 and "has low quality (red)" in stored.warnings[0]


def test_a_red_rating_on_a_connected_number_warns_without_failing(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    sim = graph_simulator.simulator
    sim.set_now(sim.anchor - timedelta(days=19))  # Jasper's Ice Cream was RED from day -21 to day -17
    configuration_id = _submit(engine, complete(credential_id, sender_phone_number_id=JASPERS_ICE_CREAM))
    run = _check(engine, graph, vault, configuration_id, graph_simulator)
    stored = _stored(engine, configuration_id)
    assert (run.status, stored.status) == ("active", "active")
    assert stored.warnings == [
        "Sender number +1 631-555-0102 has low quality (red): many customers block or report its messages, which "
        "can lead Meta to restrict it. Pause campaigns to people who did not opt in and review the templates "
        "customers report."
    ]


def test_a_name_cannot_be_taken_meanwhile_and_an_unknown_marketing_action_fails_its_check(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    configuration_id = _submit(engine, complete(credential_id, name="Promo"))
    with Session(engine) as session:  # another process tries to take the name: the unique index refuses it
        session.add(ChannelConfiguration(name="PROMO", status="draft"))
        with pytest.raises(IntegrityError, match=LIVE_NAME_INDEX):
            session.commit()
    with Session(engine) as session:  # the catalogue lost an action
        row = session.get(ChannelConfiguration, configuration_id)
        assert row is not None
        row.marketing_action = "smsTargeting"
        session.commit()
    run = _check(engine, graph, vault, configuration_id, graph_simulator)
    assert run.status == "failed"
    assert run.reasons == ["Marketing action “smsTargeting” does not exist; choose one listed and submit again."]


def test_a_changed_secret_key_fails_the_token_check_with_its_sentence(
    engine: Engine, graph: GraphClient, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    configuration_id = _submit(engine, complete(credential_id))
    run = _check(engine, graph, TokenVault(Fernet.generate_key()), configuration_id, graph_simulator)
    assert run.status == "failed"
    assert run.reasons[0].startswith("A stored API token cannot be decrypted with the current CONSOLE_SECRET_KEY")


def test_a_graph_api_outage_fails_with_a_try_again_sentence(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    configuration_id = _submit(engine, complete(credential_id))
    graph_simulator.simulator.faults.add(Fault(path="debug_token", code=2, http_status=503))
    run = _check(engine, graph, vault, configuration_id, graph_simulator)
    assert run.status == "failed"
    assert run.reasons[0].endswith("The Graph API did not answer properly; submit again in a few minutes.")


def test_an_update_of_an_active_configuration_is_checked_while_it_stays_active(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    configuration_id = _submit(engine, complete(credential_id))
    _check(engine, graph, vault, configuration_id, graph_simulator)
    _submit(
        engine,
        complete(credential_id, description="New words", sender_phone_number_id=JASPERS_ICE_CREAM),
        configuration_id,
    )
    pending = _stored(engine, configuration_id)
    assert (pending.status, pending.update_status, pending.description) == ("active", "processing", "Weekly offers")
    assert pending.pending_update is not None and pending.pending_update["description"] == "New words"
    run = _check(engine, graph, vault, configuration_id, graph_simulator)
    applied = _stored(engine, configuration_id)
    assert (run.target, run.status, run.update_status) == ("update", "active", "success")
    assert (applied.description, applied.sender_phone_number_id) == ("New words", JASPERS_ICE_CREAM)
    assert applied.pending_update is None


def test_a_failed_update_leaves_the_active_version_in_service(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    configuration_id = _submit(engine, complete(credential_id))
    _check(engine, graph, vault, configuration_id, graph_simulator)
    before = _stored(engine, configuration_id).check_results
    _submit(engine, complete(credential_id, description="Broken", marketing_action="none"), configuration_id)
    graph_simulator.simulator.faults.add(Fault(path=f"{JASPERS_WABA}/phone_numbers", code=100, http_status=400))
    run = _check(engine, graph, vault, configuration_id, graph_simulator)
    stored = _stored(engine, configuration_id)
    assert (run.target, stored.status, stored.update_status) == ("update", "active", "failed")
    assert (stored.description, stored.marketing_action) == ("Weekly offers", "whatsappMarketing")
    assert stored.check_results == before
    assert _outcomes(stored.update_check_results)["sender_in_waba"] == "failed"
    assert stored.pending_update is not None and stored.pending_update["description"] == "Broken"


def test_checks_left_in_processing_by_a_crash_run_again_on_start(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    crashed = _submit(engine, complete(credential_id, name="Crashed"))
    active = _submit(engine, complete(credential_id, name="Live"))
    _check(engine, graph, vault, active, graph_simulator)
    _submit(engine, complete(credential_id, name="Live", description="Update"), active)
    with Session(engine) as session:
        draft = configurations.save_draft(session=session, actor=DEMO_ADMIN, values=ConfigurationInput(name="Idle"))
        draft_version = draft.version
        draft_id = draft.id
    assert recover_processing(engine=engine, graph=graph, vault=vault, now=graph_simulator.simulator.now()) == 2
    assert _stored(engine, crashed).status == "active"
    assert (_stored(engine, active).update_status, _stored(engine, active).description) == ("success", "Update")
    assert _stored(engine, draft_id).version == draft_version  # type: ignore[arg-type]
    assert recover_processing(engine=engine, graph=graph, vault=vault) == 0
    with Session(engine) as session:
        actors = session.exec(select(AuditEvent.actor).where(AuditEvent.action == "checks_passed")).all()
    assert SYSTEM.email in actors


def test_results_are_stored_even_when_the_page_goes_away_mid_check(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    class PageGone(BaseException):
        pass

    def leave(result: CheckResult) -> None:
        raise PageGone

    configuration_id = _submit(engine, complete(credential_id))
    with pytest.raises(PageGone):
        run_checks(engine=engine, graph=graph, vault=vault, configuration_id=configuration_id, on_progress=leave)
    assert _stored(engine, configuration_id).status == "active"
    assert len(_stored(engine, configuration_id).check_results) == len(CHECKS)


def test_nothing_is_checked_when_nothing_is_processing(
    engine: Engine, graph: GraphClient, vault: TokenVault, graph_simulator: ServedSimulator
) -> None:
    with Session(engine) as session:
        draft = configurations.save_draft(session=session, actor=DEMO_ADMIN, values=ConfigurationInput(name="Idle"))
        draft_id = draft.id
    assert draft_id is not None
    run = run_checks(engine=engine, graph=graph, vault=vault, configuration_id=draft_id)
    assert (run.target, run.status, run.results) == ("nothing", "draft", ())
    assert graph_simulator.simulator.request_count == 0
