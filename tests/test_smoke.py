"""Every page script runs under AppTest without an exception: in demo mode, and signed in on a store with history."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.runtime import open_store
from tests.demo_store import use_shared_demo_store
from tests.health_history import every_poll, minutes, number, record

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["app.py", *sorted(f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py"))]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_demo_mode(
    page: str,
    console_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    use_shared_demo_store(monkeypatch, tmp_path_factory)
    at = AppTest.from_file(f"../{page}", default_timeout=90).run()
    assert not at.exception, at.exception
    assert at.title, "the page rendered no title"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_for_a_signed_in_admin_with_history(page: str, console_env: dict[str, str]) -> None:
    start = datetime.now(UTC) - timedelta(hours=2)
    with Session(open_store()) as session:
        record(session, every_poll(*minutes(0, 60, start=start), number("301"), number("302", "RED")))
    at = AppTest.from_file(f"../{page}", default_timeout=60)
    at.session_state["signed_in_actor"] = Actor(email="lead@example.com", role="admin")
    at.run()
    assert not at.exception, at.exception
    assert at.title, "the page rendered no title"
