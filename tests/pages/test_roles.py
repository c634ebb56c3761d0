"""Every page as a viewer and as an admin: viewers see no change controls, and the services refuse them too."""

from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor, PermissionDenied
from services.configurations import lifecycle as configurations
from services.configurations.records import list_configurations
from services.credentials import lifecycle as credentials
from tests.channel_configurations import ADMIN, PageWorld, complete, page_world
from tests.fixtures.simulator import ServedSimulator

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["app.py", *sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("[0-9]*.py"))]
VIEWER = Actor(email="watcher@example.com", role="viewer")
# Buttons that create, change or delete something; viewers must never see them.
CHANGE_CONTROLS = {
    "Create new API credentials",
    "Create channel configuration",
    "Replace token",
    "Delete",
    "Edit",
    "Deactivate",
    "Activate",
    "Duplicate",
    "Submit",
    "Save as draft",
}


@pytest.fixture
def world(console_env: dict[str, str], graph_simulator: ServedSimulator, monkeypatch: pytest.MonkeyPatch) -> PageWorld:
    world = page_world(graph_simulator.simulator, graph_simulator.url, monkeypatch)
    with Session(world.engine) as session:
        configurations.save_draft(session=session, actor=ADMIN, values=complete(world.credential_id, name="draft-one"))
    return world


def _render(page: str, actor: Actor) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    at.session_state["signed_in_actor"] = actor
    return at.run()


def _buttons(at: AppTest) -> set[str]:
    return {b.label for b in at.button} | {b.label for b in at.get("form_submit_button")}


@pytest.mark.parametrize("page", PAGES)
def test_viewers_see_no_change_controls(world: PageWorld, page: str) -> None:
    at = _render(page, VIEWER)
    assert not at.exception, [e.value for e in at.exception]
    assert not _buttons(at) & CHANGE_CONTROLS
    assert "Signed in as watcher@example.com · viewer" in [c.value for c in at.sidebar.caption]


def test_admins_see_the_change_controls_the_viewers_do_not(world: PageWorld) -> None:
    seen: set[str] = set()
    for page in PAGES:
        at = _render(page, ADMIN)
        assert not at.exception, (page, [e.value for e in at.exception])
        seen |= _buttons(at)
    assert {"Create new API credentials", "Create channel configuration", "Replace token", "Edit", "Delete"} <= seen


def test_services_refuse_a_viewer_whatever_the_page_shows(world: PageWorld) -> None:
    with Session(world.engine) as session:
        draft = list_configurations(session=session)[0]
        with pytest.raises(PermissionDenied):
            configurations.save_draft(session=session, actor=VIEWER, values=complete(world.credential_id, name="x1"))
        with pytest.raises(PermissionDenied):
            configurations.submit(session=session, actor=VIEWER, values=complete(world.credential_id, name="x2"))
        with pytest.raises(PermissionDenied):
            credentials.delete(session=session, actor=VIEWER, credential_id=world.credential_id)
        with pytest.raises(PermissionDenied):
            credentials.rotate_token(
                session=session,
                graph=world.graph,
                vault=world.vault,
                actor=VIEWER,
                credential_id=world.credential_id,
                token="EAANEWTOKEN0000001",
                at=world.simulator.now(),
            )
        with pytest.raises(PermissionDenied):
            configurations.delete(session=session, actor=VIEWER, configuration_id=draft.id)
    with Session(world.engine) as session:
        assert [c.name for c in list_configurations(session=session)] == ["draft-one"]
        assert credentials.list_credentials(session=session)[0].id == world.credential_id
