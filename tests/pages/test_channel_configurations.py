"""The form, drafts, the list, and nothing lost: labels, validation, restarts and two sessions at once."""

import contextlib
import gc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import Pool
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.configurations import lifecycle as configurations
from services.configurations import marketing_actions
from services.configurations.fields import ConfigurationInput
from services.configurations.names import NAME_RULE
from services.configurations.records import list_configurations
from services.store.engine import create_store_engine
from tests.channel_configurations import (
    ADMIN,
    JASPERS_ICE_CREAM,
    JASPERS_MARKET,
    PAGE,
    PageWorld,
    chips,
    fill,
    open_page,
    page_world,
    settled,
    texts,
)
from tests.fixtures.simulator import ServedSimulator
from tests.markdown import seen

OTHER = Actor(email="someone-else@example.com", role="admin")


@pytest.fixture
def world(console_env: dict[str, str], graph_simulator: ServedSimulator, monkeypatch: pytest.MonkeyPatch) -> PageWorld:
    return page_world(graph_simulator.simulator, graph_simulator.url, monkeypatch)


def _stored(world: PageWorld) -> dict[str, str]:
    with Session(world.engine) as session:
        return {row.name: row.status for row in list_configurations(session=session)}


def test_the_empty_list_says_what_a_configuration_is(world: PageWorld) -> None:
    at = open_page()
    assert not at.exception
    assert at.title[0].value == "Channel configurations"
    assert "A **channel configuration** is what journeys send WhatsApp messages through" in at.info[0].value
    assert at.button(key="cc_create").label == "Create channel configuration"


def test_the_form_has_the_seeds_fields_labels_and_rule(world: PageWorld) -> None:
    at = open_page()
    at.button(key="cc_create").click().run()
    assert at.subheader[0].value == "Create channel configuration"
    assert at.text_input(key="cc_name").label == "Name"
    assert NAME_RULE in [caption.value for caption in at.caption]
    assert at.text_area(key="cc_description").label == "Description"
    labels = [box.label for box in at.main.selectbox]
    assert labels == ["Channel", "Marketing action", "WhatsApp API configuration", "Sender number"]
    assert at.selectbox(key="cc_channel").options == ["WhatsApp"]
    actions = at.selectbox(key="cc_marketing_action").options
    assert actions == [action.label for action in marketing_actions.MARKETING_ACTIONS]
    assert {"Email Targeting", "WhatsApp Marketing", "None (transactional)"} <= set(actions)
    assert [at.button(key=key).label for key in ("cc_submit", "cc_save_draft")] == ["Submit", "Save as draft"]


def test_the_sender_defaults_to_the_credentials_own_number_and_lists_its_reach(world: PageWorld) -> None:
    at = open_page()
    at.button(key="cc_create").click().run()
    fill(at, credential_id=world.credential_id)
    sender = at.selectbox(key="cc_sender")
    assert sender.value == JASPERS_MARKET
    assert sender.options[0] == "✅ OK · +1 631-555-0101 · Jasper's Market (WABA 2000000000000011)"
    assert len(sender.options) == 3


def test_submit_puts_each_message_beside_its_field_and_keeps_every_value(world: PageWorld) -> None:
    at = open_page()
    at.button(key="cc_create").click().run()
    fill(at, name="2027 sale", description="Keep these words")
    at.button(key="cc_submit").click().run()
    assert not at.exception
    errors = [seen(error.value) for error in at.error]
    assert errors == [
        "The name must start with a letter (A-Z or a-z), not '2'. "
        "The name may only hold letters, digits, _, . and -; remove a space.",
        "Choose a marketing action, or “None (transactional)” for messages that need no marketing consent.",
        "Choose the WhatsApp API configuration (a stored API credential) to send through.",
        "Choose the sender number.",
    ]
    assert at.text_input(key="cc_name").value == "2027 sale"
    assert at.text_area(key="cc_description").value == "Keep these words"
    assert _stored(world) == {}
    fill(at, name="Sale-2027", marketing_action="none", credential_id=world.credential_id)
    at.button(key="cc_submit").click().run()
    assert chips(settled(at, world.engine)) == {"Sale-2027": "Active"}


def test_save_as_draft_takes_missing_fields_and_refuses_only_a_broken_name(world: PageWorld) -> None:
    at = open_page()
    at.button(key="cc_create").click().run()
    fill(at, name="spring sale")
    at.button(key="cc_save_draft").click().run()
    assert [seen(error.value) for error in at.error] == [
        "The name may only hold letters, digits, _, . and -; remove a space."
    ]
    assert at.text_input(key="cc_name").value == "spring sale"
    fill(at, name="spring-sale")
    at.button(key="cc_save_draft").click().run()
    assert at.success[0].value == "Draft “spring-sale” saved. Reopen it with Edit to finish it."
    assert chips(at) == {"spring-sale": "Draft"}
    assert "Marketing action: Not chosen" in texts(at)
    assert _stored(world) == {"spring-sale": "draft"}


def test_a_draft_survives_a_restart_and_reopens_intact(world: PageWorld) -> None:
    at = open_page()
    at.button(key="cc_create").click().run()
    fill(at, name="Autumn", description="Half done", credential_id=world.credential_id)
    fill(at, sender_phone_number_id=JASPERS_ICE_CREAM)
    at.button(key="cc_save_draft").click().run()
    st.cache_resource.clear()  # a new process: nothing is left in memory but the database file

    fresh = open_page()
    assert chips(fresh) == {"Autumn": "Draft"}
    (draft_id,) = [int(b.key.rsplit("_", 1)[1]) for b in fresh.button if b.key and b.key.startswith("cc_edit_")]
    fresh.button(key=f"cc_edit_{draft_id}").click().run()
    assert fresh.subheader[0].value == "Edit channel configuration"
    assert fresh.text_input(key="cc_name").value == "Autumn"
    assert fresh.text_area(key="cc_description").value == "Half done"
    assert fresh.selectbox(key="cc_credential").value == world.credential_id
    assert fresh.selectbox(key="cc_sender").value == JASPERS_ICE_CREAM
    assert fresh.selectbox(key="cc_marketing_action").value is None


def test_a_draft_can_be_deleted(world: PageWorld) -> None:
    at = open_page()
    at.button(key="cc_create").click().run()
    fill(at, name="Scratch")
    at.button(key="cc_save_draft").click().run()
    (delete,) = [b for b in at.button if b.key and b.key.startswith("cc_delete_")]
    delete.click().run()
    assert at.success[0].value == "“Scratch” deleted."
    assert _stored(world) == {}
    assert "A **channel configuration** is" in at.info[0].value


def test_the_later_of_two_sessions_is_refused_and_keeps_its_input(world: PageWorld) -> None:
    with Session(world.engine) as session:
        draft = configurations.save_draft(session=session, actor=OTHER, values=ConfigurationInput(name="Shared"))
        draft_id = draft.id
    first, second = open_page(), open_page()
    for at in (first, second):
        at.button(key=f"cc_edit_{draft_id}").click().run()
    fill(second, description="Second session's words")
    second.button(key="cc_save_draft").click().run()
    assert second.success[0].value.startswith("Draft “Shared” saved")

    fill(first, description="First session's words", marketing_action="analytics")
    first.button(key="cc_save_draft").click().run()
    (problem,) = [seen(error.value) for error in first.error]
    assert "“Shared” was changed since you opened it (by ops-admin@example.com" in problem
    assert first.text_area(key="cc_description").value == "First session's words"
    assert first.selectbox(key="cc_marketing_action").value == "analytics"
    first.button(key="cc_submit").click().run()  # a submit is refused the same way
    assert "changed since you opened it" in first.error[0].value
    with Session(world.engine) as session:
        (row,) = list_configurations(session=session)
        assert (row.description, row.marketing_action, row.status) == ("Second session's words", None, "draft")


def test_filter_by_status_and_search_by_name(world: PageWorld) -> None:
    with Session(world.engine) as session:
        for name in ("Spring-sale", "Summer-sale", "Receipts"):
            configurations.save_draft(session=session, actor=OTHER, values=ConfigurationInput(name=name))
    at = open_page()
    assert set(chips(at)) == {"Spring-sale", "Summer-sale", "Receipts"}
    at.text_input(key="cc_search").input("sale").run()
    assert set(chips(at)) == {"Spring-sale", "Summer-sale"}
    at.multiselect(key="cc_filter_status").set_value(["active"]).run()
    assert chips(at) == {}
    assert at.info[0].value == "No channel configuration matches this status filter and search."
    assert at.multiselect(key="cc_filter_status").options == ["Draft", "Processing", "Active", "Failed", "Deactivated"]


def test_the_list_shows_last_change_and_who_in_the_viewers_zone(world: PageWorld) -> None:
    with Session(world.engine) as session:
        configurations.save_draft(
            session=session,
            actor=OTHER,
            values=ConfigurationInput(name="Receipts"),
            at=datetime(2026, 12, 2, 13, 5, tzinfo=UTC),
        )
    at = open_page()
    assert "Last change: 2 Dec 2026, 13:05 UTC by someone-else@example.com" in _captions(at)
    berlin = AppTest.from_file(PAGE, default_timeout=30)
    berlin.session_state["signed_in_actor"] = ADMIN
    berlin.context = {"timezone": "Europe/Berlin", "timezone_offset": -60}
    assert "Last change: 2 Dec 2026, 14:05 CET by someone-else@example.com" in _captions(berlin.run())


def _captions(at: AppTest) -> list[str]:
    return [seen(str(c.value)) for c in at.caption]


def test_the_open_form_shows_the_form_only_and_the_filters_come_back_as_they_were(world: PageWorld) -> None:
    with Session(world.engine) as session:
        for name in ("Spring-sale", "Receipts"):
            configurations.save_draft(session=session, actor=OTHER, values=ConfigurationInput(name=name))
    at = open_page()
    at.text_input(key="cc_search").input("sale").run()
    assert set(chips(at)) == {"Spring-sale"}
    at.button(key="cc_create").click().run()
    assert at.subheader[0].value == "Create channel configuration"
    assert not at.multiselect and not [t for t in at.text_input if t.key == "cc_search"]
    assert chips(at) == {} and not at.info
    assert not [b for b in at.button if b.key and b.key.startswith(("cc_edit_", "cc_create"))]
    at.button(key="cc_cancel").click().run()
    assert at.text_input(key="cc_search").value == "sale"
    assert set(chips(at)) == {"Spring-sale"}


def test_leaving_the_name_field_says_every_problem_with_it_at_once(world: PageWorld) -> None:
    with Session(world.engine) as session:
        configurations.save_draft(session=session, actor=OTHER, values=ConfigurationInput(name="Receipts"))
    at = open_page()
    at.button(key="cc_create").click().run()
    at.text_input(key="cc_name").set_value("9bad name!").run()
    assert [seen(e.value) for e in at.error] == [
        "The name must start with a letter (A-Z or a-z), not '9'. "
        "The name may only hold letters, digits, _, . and -; remove a space and '!'."
    ]
    at.text_input(key="cc_name").set_value("receipts").run()
    assert [seen(e.value) for e in at.error] == [
        "Another configuration that is not deactivated is already named “receipts”; choose another name."
    ]
    at.text_input(key="cc_name").set_value("Receipts-2027").run()
    assert not at.error
    assert _stored(world) == {"Receipts": "draft"}  # leaving the field checks, it does not save


def test_a_viewer_sees_the_list_without_actions(world: PageWorld) -> None:
    with Session(world.engine) as session:
        configurations.save_draft(session=session, actor=OTHER, values=ConfigurationInput(name="Receipts"))
    at = open_page(Actor(email="viewer@example.com", role="viewer"))
    assert chips(at) == {"Receipts": "Draft"}
    assert not [b for b in at.button if b.key and b.key.startswith("cc_")]


@contextlib.contextmanager
def _full_disk(url: str, fill: Callable[[int], None]) -> Iterator[None]:
    """Every connection to the store behaves as on a full disk: capped near today's size, then filled by `fill(i)`
    (the same kind of write the test then makes, so the test's write is sure not to fit either)."""
    probe = create_store_engine(url)
    with probe.connect() as connection:
        cap = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one()) + 2
    probe.dispose()

    def capped(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {cap}")

    event.listen(Pool, "connect", capped)  # every engine's pool, the page's cached one included
    try:
        for engine in [o for o in gc.get_objects() if isinstance(o, Engine) and str(o.url) == url]:
            engine.dispose()  # their next connections are capped
        for i in range(10_000):
            try:
                fill(i)
            except OperationalError as full:
                assert "full" in str(full)
                break
        yield
    finally:
        event.remove(Pool, "connect", capped)


def test_a_full_disk_on_save_keeps_the_form_and_says_what_to_do(world: PageWorld) -> None:
    # Once: Streamlit's generic error page, and the typed form gone.
    words = "Typed before the disk filled up. " * 30

    def another_draft(i: int) -> None:
        with Session(world.engine) as session:
            values = ConfigurationInput.from_dict({"name": f"filler-{i}", "description": words})
            configurations.save_draft(session=session, actor=ADMIN, values=values)

    at = open_page()
    at.button(key="cc_create").click().run()
    fill(at, name="Winter-sale", description=words)
    with _full_disk(str(world.engine.url), another_draft):
        at.button(key="cc_save_draft").click().run()
    assert not at.exception
    shown = seen(" ".join(e.value for e in at.error))
    assert "is full, so nothing more could be saved: free some space, then do it again" in shown
    assert at.text_input(key="cc_name").value == "Winter-sale"
    assert at.text_area(key="cc_description").value == words
    with Session(world.engine) as session:
        assert not [c for c in list_configurations(session=session) if c.name == "Winter-sale"]
