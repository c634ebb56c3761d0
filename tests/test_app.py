from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.runtime import open_store
from services.store.models import Credential
from tests.demo_store import use_shared_demo_store
from tests.health_history import WABA_ID, every_poll, number, record
from tests.markdown import seen

APP = "../app.py"
HOUR_S = 3600
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def recorded(console_env: dict[str, str]) -> None:
    """Three days, hourly: 301 GREEN then YELLOW for the last day, 302 RED, 303 not yet rated."""
    first, last = NOW - timedelta(days=3), NOW - timedelta(days=1, hours=1)
    with Session(open_store()) as session:
        record(
            session,
            every_poll(first, last, number("301"), number("302", "RED"), number("303", "NA"), step_s=HOUR_S)
            + every_poll(
                NOW - timedelta(days=1),
                NOW,
                number("301", "YELLOW"),
                number("302", "RED"),
                number("303", "NA"),
                step_s=HOUR_S,
            ),
            poll_interval_s=HOUR_S,
        )
        session.add(
            Credential(
                name="Main",
                business_id="1000000000000001",
                waba_id=WABA_ID,
                phone_number_id="301",
                token_ciphertext="not a real ciphertext",
                token_last4="ABCD",
                token_fingerprint="main",
                token_state="invalid",
                token_problem="Meta revoked the session.",
            )
        )
        session.commit()


def _home() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["signed_in_actor"] = Actor(email="ops@example.com", role="viewer")
    return at


def test_the_fleet_is_listed_worst_first_with_a_thirty_day_strip(recorded: None) -> None:
    at = _home().run()
    assert not at.exception
    fleet = at.dataframe[0].value
    assert list(fleet["Number"]) == [
        "Jasper's Ice Cream +1 631-555-0102",
        "Jasper's Market +1 631-555-0101",
        "Lucky Shrub +1 415-555-0104",
    ]
    assert list(fleet["Quality"]) == ["🔴 Red · low", "🟡 Yellow · medium", "⚪ Not yet rated"]
    assert list(fleet["Throughput"]) == ["Standard · 80 messages/s"] * 3
    assert list(fleet["Status"]) == ["CONNECTED"] * 3
    strips = list(fleet["Last 30 days"])
    assert strips[0] == "▫️" * 26 + "🟥" * 4
    assert strips[1].startswith("▫️" * 26 + "🟩") and strips[1].endswith("🟨🟨")
    assert strips[2] == "▫️" * 26 + "⬜" * 4
    assert fleet["History"].iloc[0] == "Monitoring?numbers=302&range=30d"


def test_needs_attention_has_one_sentence_per_item(recorded: None) -> None:
    at = _home().run()
    items = [seen(m.value) for m in at.markdown if m.value.startswith("- ")]
    assert items[0] == "- 🔴 Jasper's Ice Cream +1 631-555-0102: quality rating is RED (low)"
    assert items[1] == (
        "- 🔴 Jasper's Market +1 631-555-0101: the token of API credential “Main” (••••ABCD) is invalid: "
        "Meta revoked the session."
    )
    assert items[2].startswith("- 🟡 Jasper's Market +1 631-555-0101: quality dropped from GREEN to YELLOW on ")
    assert len(items) == 3


def test_the_home_page_links_to_every_page_a_viewer_may_open(recorded: None) -> None:
    at = _home().run()
    pages = {
        path.stem.split("_", 1)[1].replace("_", " ") for path in (Path(__file__).parents[1] / "pages").glob("[0-9]*.py")
    }
    in_main = {link.proto.label for link in at.main.get("page_link")}
    in_sidebar = {link.proto.label for link in at.sidebar.get("page_link")}
    assert in_main == pages - {"Audit log"}
    assert in_sidebar == in_main | {"Overview"}


def test_an_empty_store_says_how_to_start(console_env: dict[str, str]) -> None:
    at = _home().run()
    assert not at.exception
    assert at.info[0].value.startswith("No phone numbers are monitored yet.")
    assert not at.dataframe
    assert not [i for i in at.info if "Demo mode" in i.value]


def test_demo_mode_says_it_runs_on_the_simulator_and_names_the_demo_tokens(
    console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    use_shared_demo_store(monkeypatch, tmp_path_factory)
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    banner = at.info[0].value
    assert "built-in Graph API simulator" in banner and "demo data" in banner
    assert "signed in automatically as the demo admin" in banner
    for token in ("EAADEMOTOKEN", "EAADEMOEXPIRED", "EAADEMONOPERM", "EAADEMOREVOKED"):
        assert token in banner


def test_a_first_visit_in_demo_mode_shows_the_demo_fleet_worst_first(
    console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    use_shared_demo_store(monkeypatch, tmp_path_factory)
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    fleet = at.dataframe[0].value
    assert len(fleet) == 8
    assert fleet["Number"].iloc[0] == "Lucky Shrub +1 415-555-0104"  # RED and FLAGGED
    assert fleet["Number"].iloc[-1] == "Lucky Shrub Garden Center +1 415-555-0105"  # not yet rated
    assert all(len(strip) == 30 for strip in fleet["Last 30 days"])
    attention = [seen(m.value) for m in at.markdown if m.value.startswith("- ")]
    assert "- 🔴 Lucky Shrub +1 415-555-0104: quality rating is RED (low)" in attention
