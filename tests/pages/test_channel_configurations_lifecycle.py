"""Submit and its checks (each failing through the simulator), and every transition of the lifecycle."""

import time
from datetime import timedelta

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.access.roles import DEMO_ADMIN, Actor
from services.configurations import lifecycle as configurations
from services.configurations.records import get, list_configurations
from services.simulator import Fault
from tests.channel_configurations import (
    JASPERS_ICE_CREAM,
    JASPERS_WABA,
    LUCKY_SHRUB,
    LUCKY_SHRUB_WABA,
    TOKEN,
    PageWorld,
    checks_shown,
    chips,
    complete,
    connect_credential,
    fill,
    open_page,
    page_world,
    settled,
    texts,
)
from tests.fixtures.simulator import ServedSimulator
from tests.markdown import seen


@pytest.fixture
def world(console_env: dict[str, str], graph_simulator: ServedSimulator, monkeypatch: pytest.MonkeyPatch) -> PageWorld:
    return page_world(graph_simulator.simulator, graph_simulator.url, monkeypatch)


def _lucky_credential(world: PageWorld) -> int:
    """A credential for Lucky Shrub's WABA: its number is CONNECTED and RED, yet its WABA's payment blocks it."""
    return connect_credential(
        engine=world.engine,
        graph=world.graph,
        vault=world.vault,
        at=world.simulator.now(),
        waba_id=LUCKY_SHRUB_WABA,
        phone_number_id=LUCKY_SHRUB,
        name="Lucky Shrub",
    )


def _submit_new(world: PageWorld, name: str = "Promo", *, settle: bool = True, **values: object) -> AppTest:
    """Fill the form and Submit; then (unless `settle` is False) wait for the checks and rerun the page."""
    at = open_page()
    at.button(key="cc_create").click().run()
    fill(at, name=name, marketing_action="whatsappMarketing", credential_id=world.credential_id)
    if values:
        fill(at, **values)
    at.button(key="cc_submit").click().run()
    assert not at.exception
    return settled(at, world.engine) if settle else at


def _failure_reasons(at: AppTest) -> str:
    (failure,) = [e for e in at.error if str(e.value).startswith("**Failure reasons**")]
    return str(failure.value)


def _slow_checks(world: PageWorld, seconds: float = 2.0) -> None:
    """Meta answers the WABA check slowly (the simulator's latency), so the checks take `seconds` at least."""
    world.simulator.faults.add(Fault(kind="slow", seconds=seconds, path=f"{JASPERS_WABA}$"))


def _row_id(world: PageWorld, name: str) -> int:
    with Session(world.engine) as session:
        (row,) = [row for row in list_configurations(session=session) if row.name == name]
        assert row.id is not None
        return row.id


def test_submit_shows_processing_in_the_list_at_once_then_the_outcome(world: PageWorld) -> None:
    _slow_checks(world)
    started = time.monotonic()
    at = _submit_new(world, settle=False)
    assert time.monotonic() - started < 2.0  # the click does not wait for the checks
    assert chips(at) == {"Promo": "Processing"}
    assert (
        at.info[0].value == "“Promo” was submitted. It is Processing while the checks run; this list shows the outcome."
    )
    assert "The checks are running; this card shows their outcome when they finish." in texts(at)
    assert "⏳ Checking 1 configuration; the list updates by itself when the checks finish." in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith(("cc_edit_", "cc_delete_"))]

    settled(at, world.engine)
    assert chips(at) == {"Promo": "Active"}
    assert at.success[0].value == "“Promo” is Active."
    assert "⏳ Checking" not in texts(at)
    lines = checks_shown(at)
    assert len(lines) == 6 and all(line.startswith("✅") for line in lines)
    assert lines[0].startswith("✅ **The credential's token is valid and not expired.**")
    assert at.expander[0].label.startswith("Checks: 6 passed, ")
    at.run()
    assert not at.success  # the outcome is said once
    with Session(world.engine) as session:
        row = get(session=session, configuration_id=_row_id(world, "Promo"))
        assert row.status == "active" and len(row.check_results) == 6
        # Processing came first, in its own commit, then the checks' outcome: two versions after the insert.
        assert row.version == 2


def _expire(world: PageWorld) -> None:
    world.simulator.register_token(TOKEN, state="expired")


def _revoke(world: PageWorld) -> None:
    world.simulator.register_token(TOKEN, state="invalid")


def _hide_waba(world: PageWorld) -> None:
    world.simulator.faults.add(Fault(path=f"{JASPERS_WABA}$", code=200, http_status=403))


def _fail_number_list(world: PageWorld) -> None:
    world.simulator.faults.add(Fault(path=f"{JASPERS_WABA}/phone_numbers", code=100, http_status=400))


@pytest.mark.parametrize(
    ("break_it", "failed_line", "reason"),
    [
        (_expire, 0, "The API token expired on"),
        (_revoke, 0, "Meta does not accept this API token"),
        (_hide_waba, 1, f"Give the token's system user access to WhatsApp Business Account {JASPERS_WABA}"),
        (_fail_number_list, 2, "Then submit again."),
    ],
    ids=["token-expired", "token-revoked", "waba-unreachable", "number-list-refused"],
)
def test_each_graph_check_failing_leaves_the_configuration_failed_with_its_reason(
    world: PageWorld,
    break_it,
    failed_line: int,
    reason: str,  # type: ignore[no-untyped-def]
) -> None:
    break_it(world)
    at = _submit_new(world)
    lines = checks_shown(at)
    assert lines[failed_line].startswith("❌"), lines
    assert all(line.startswith(("⏭️", "❌")) for line in lines[failed_line:4])
    assert at.error[0].value == "“Promo” Failed: fix what the failed checks say, then Submit again."
    assert chips(at) == {"Promo": "Failed"}
    failure = _failure_reasons(at)
    assert failure.startswith("**Failure reasons**\n\n- ")
    assert reason in seen(failure)
    assert TOKEN not in texts(at)


def test_a_number_of_another_waba_fails_belongs_to_that_waba(world: PageWorld) -> None:
    _lucky_credential(world)
    at = _submit_new(world, sender_phone_number_id=LUCKY_SHRUB)
    assert checks_shown(at)[2].startswith(
        "❌ **The sender number belongs to that WABA.** Sender number +1 415-555-0104"
    )
    assert chips(at) == {"Promo": "Failed"}
    assert f"is not a number of WhatsApp Business Account {JASPERS_WABA}" in seen(_failure_reasons(at))


def test_a_blocked_number_is_marked_before_submit_and_fails_with_metas_reason(world: PageWorld) -> None:
    lucky = _lucky_credential(world)
    at = open_page()
    at.button(key="cc_create").click().run()
    fill(at, name="Lucky", marketing_action="none", credential_id=lucky)
    sender = at.selectbox(key="cc_sender")
    assert sender.value == LUCKY_SHRUB
    assert sender.options[0].startswith("⛔ Blocked · +1 415-555-0104 · Lucky Shrub")
    before = seen(at.error[0].value)
    assert "cannot send messages" in before and "Submit will fail until this is fixed" in before
    assert "There is an error with the payment method" in before
    at.button(key="cc_submit").click().run()
    settled(at, world.engine)
    assert checks_shown(at)[3].startswith("❌ **The sender number is connected and Meta lets it send.**")
    assert chips(at) == {"Lucky": "Failed"}
    failure = seen(_failure_reasons(at))
    assert "cannot send messages: its WhatsApp Business Account blocks sending (Meta error 141006)" in failure
    assert "has low quality (red)" in seen(at.warning[0].value)


def test_a_red_rating_on_a_connected_number_warns_but_the_configuration_is_active(world: PageWorld) -> None:
    world.simulator.set_now(world.simulator.anchor - timedelta(days=19))  # Jasper's Ice Cream was RED then
    at = _submit_new(world, sender_phone_number_id=JASPERS_ICE_CREAM)
    assert chips(at) == {"Promo": "Active"}
    assert seen(at.warning[0].value).startswith("Sender number +1 631-555-0102 has low quality (red)")


def test_stored_results_are_shown_not_recomputed(world: PageWorld) -> None:
    _submit_new(world)
    _expire(world)  # Meta's answer changes; the stored outcome stands until the next check
    before = world.simulator.request_count
    at = open_page()
    assert chips(at) == {"Promo": "Active"}
    assert world.simulator.request_count == before


def test_a_withdrawn_marketing_action_fails_a_restart_recheck(world: PageWorld) -> None:
    """A crash left a configuration in Processing; meanwhile its marketing action was withdrawn. (Its name cannot
    have been taken meanwhile: the unique index refuses that, see tests/resilience/test_races.py.)"""
    with Session(world.engine) as session:
        gone = configurations.submit(
            session=session, actor=DEMO_ADMIN, values=complete(world.credential_id, name="Gone")
        )
        gone_id = gone.id
        row = session.get(type(gone), gone_id)
        assert row is not None
        row.marketing_action = "smsTargeting"
        session.commit()
    at = open_page()
    assert chips(at) == {"Gone": "Failed"}
    assert "Marketing action “smsTargeting” does not exist; choose one listed and submit again." in texts(at)
    with Session(world.engine) as session:
        assert get(session=session, configuration_id=gone_id).status == "failed"  # type: ignore[arg-type]


def test_a_configuration_left_processing_by_a_crash_is_checked_when_the_app_starts(world: PageWorld) -> None:
    with Session(world.engine) as session:
        configurations.submit(session=session, actor=DEMO_ADMIN, values=complete(world.credential_id, name="Crashed"))
    at = open_page()
    assert chips(at) == {"Crashed": "Active"}
    assert any(seen(str(c.value)).endswith("by system@console.local") for c in at.caption)


def test_failed_then_edit_and_submit_again_becomes_active(world: PageWorld) -> None:
    _hide_waba(world)
    at = _submit_new(world)
    assert chips(at) == {"Promo": "Failed"}
    world.simulator.faults.clear()
    at.button(key=f"cc_edit_{_row_id(world, 'Promo')}").click().run()
    assert at.text_input(key="cc_name").value == "Promo"
    fill(at, description="Fixed")
    at.button(key="cc_submit").click().run()
    assert chips(settled(at, world.engine)) == {"Promo": "Active"}
    assert not at.error


def test_a_failed_card_has_submit_again_for_admins_and_it_runs_the_checks_again(world: PageWorld) -> None:
    _hide_waba(world)
    at = _submit_new(world)
    row_id = _row_id(world, "Promo")
    labels = [b.label for b in at.button if b.key and b.key.endswith(f"_{row_id}")]
    assert labels == ["Submit again", "Edit", "Duplicate", "Delete"]
    viewer = open_page(Actor(email="viewer@example.com", role="viewer"))
    assert chips(viewer) == {"Promo": "Failed"} and not [b for b in viewer.button if b.key and b.key.startswith("cc_")]

    at.button(key=f"cc_submit_again_{row_id}").click().run()  # Meta still refuses: Failed again, for that reason
    assert chips(settled(at, world.engine)) == {"Promo": "Failed"}
    assert at.error[0].value == "“Promo” Failed: fix what the failed checks say, then Submit again."
    assert "Give the token's system user access" in seen(_failure_reasons(at))

    world.simulator.faults.clear()  # fixed in Meta Business Suite, nothing to edit here
    _slow_checks(world, seconds=1.0)
    at.button(key=f"cc_submit_again_{row_id}").click().run()
    assert chips(at) == {"Promo": "Processing"}
    assert at.info[0].value == "“Promo” was submitted again; it is Processing while the checks run."
    assert chips(settled(at, world.engine)) == {"Promo": "Active"}
    assert at.success[0].value == "“Promo” is Active."
    with Session(world.engine) as session:
        # Submitted and checked: version 2; each Submit again and its checks: two more.
        assert get(session=session, configuration_id=row_id).version == 6


def test_submit_again_refuses_a_configuration_whose_fields_no_longer_hold(world: PageWorld) -> None:
    _hide_waba(world)
    _submit_new(world)
    row_id = _row_id(world, "Promo")
    with Session(world.engine) as session:
        row = get(session=session, configuration_id=row_id)
        row.marketing_action = "smsTargeting"  # withdrawn since
        session.commit()
    at = open_page()
    at.button(key=f"cc_submit_again_{row_id}").click().run()
    assert not at.exception
    problem = seen(at.error[0].value)
    assert problem.startswith("“Promo” cannot be submitted again as it is: There is no marketing action")
    assert problem.endswith("Edit it to fix this.")
    assert chips(at) == {"Promo": "Failed"}


def test_deactivate_asks_first_then_activate_rechecks_and_duplicate_copies(world: PageWorld) -> None:
    at = _submit_new(world)
    row_id = _row_id(world, "Promo")
    assert {b.label for b in at.button if b.key and b.key.endswith(f"_{row_id}")} == {"Edit", "Deactivate", "Duplicate"}
    at.button(key=f"cc_deactivate_{row_id}").click().run()
    assert "Deactivate “Promo”?" in texts(at)
    at.button(key="cc_deactivate_no").click().run()
    assert chips(at) == {"Promo": "Active"}
    at.button(key=f"cc_deactivate_{row_id}").click().run()
    at.button(key="cc_deactivate_yes").click().run()
    assert chips(at) == {"Promo": "Deactivated"}
    assert at.success[0].value == "“Promo” is Deactivated."
    labels = {b.label for b in at.button if b.key and b.key.endswith(f"_{row_id}")}
    assert labels == {"Activate", "Duplicate"}  # no Delete: a deactivated configuration stays for the record

    at.button(key=f"cc_duplicate_{row_id}").click().run()
    assert at.success[0].value == "“Promo” was duplicated as a new draft; it is open for editing."
    assert at.text_input(key="cc_name").value == "Promo-copy"
    at.button(key="cc_cancel").click().run()
    assert chips(at) == {"Promo-copy": "Draft", "Promo": "Deactivated"}

    at.button(key=f"cc_activate_{row_id}").click().run()
    assert at.info[0].value == "“Promo” is being activated; it is Processing while the checks run."
    settled(at, world.engine)
    assert at.success[0].value == "“Promo” is Active."
    assert chips(at)["Promo"] == "Active"


def test_deleting_a_deactivated_configuration_is_refused(world: PageWorld) -> None:
    _submit_new(world)
    row_id = _row_id(world, "Promo")
    with Session(world.engine) as session:
        configurations.deactivate(session=session, actor=DEMO_ADMIN, configuration_id=row_id)
        with pytest.raises(configurations.ConfigurationRefused, match="cannot be deleted"):
            configurations.delete(session=session, actor=DEMO_ADMIN, configuration_id=row_id)
    assert chips(open_page()) == {"Promo": "Deactivated"}


def test_editing_an_active_configuration_checks_the_update_while_it_stays_active(world: PageWorld) -> None:
    at = _submit_new(world)
    row_id = _row_id(world, "Promo")
    at.button(key=f"cc_edit_{row_id}").click().run()
    assert at.subheader[0].value == "Update the active configuration"
    assert at.text_input(key="cc_name").disabled
    assert not [b for b in at.button if b.key == "cc_save_draft"]
    fill(at, description="Now with Ice Cream", sender_phone_number_id=JASPERS_ICE_CREAM)
    at.button(key="cc_submit").click().run()
    settled(at, world.engine)
    assert at.success[0].value == "“Promo”: the update passed every check and is in service."
    assert chips(at) == {"Promo": "Active"}
    with Session(world.engine) as session:
        row = get(session=session, configuration_id=row_id)
        assert (row.description, row.sender_phone_number_id, row.update_status) == (
            "Now with Ice Cream",
            JASPERS_ICE_CREAM,
            "success",
        )


def test_a_failed_update_says_the_active_version_stays_in_service(world: PageWorld) -> None:
    _lucky_credential(world)
    at = _submit_new(world)
    row_id = _row_id(world, "Promo")
    at.button(key=f"cc_edit_{row_id}").click().run()
    fill(at, description="Wrong number", sender_phone_number_id=LUCKY_SHRUB)
    at.button(key="cc_submit").click().run()
    settled(at, world.engine)
    assert at.error[0].value == "“Promo”: the update failed; the active version stays in service."
    assert chips(at) == {"Promo": "Active"}
    (warning,) = at.warning
    assert seen(warning.value).startswith(
        "The update failed; the active version stays in service: Sender number +1 415"
    )
    with Session(world.engine) as session:
        row = get(session=session, configuration_id=row_id)
        assert (row.status, row.description, row.update_status) == ("active", "", "failed")
        assert row.sender_phone_number_id != LUCKY_SHRUB
    at.button(key=f"cc_edit_{row_id}").click().run()  # reopens the values the update tried, to fix them
    assert at.text_area(key="cc_description").value == "Wrong number"
