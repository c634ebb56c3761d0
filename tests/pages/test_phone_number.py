"""The page of one phone number: its health in words with Meta's own, who sends from it, its history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.runtime import open_store
from services.store.models import ChannelConfiguration, Credential
from tests.health_history import WABA_ID, every_poll, number, record, waba_payment_problem
from tests.markdown import seen

PAGE = "../../pages/5_Phone_number.py"
HOUR_S = 3600
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def recorded(console_env: dict[str, str]) -> None:
    """Two days, hourly: 301 green then yellow; 303 green and connected, then blocked by its WABA's payment."""
    first, turn = NOW - timedelta(days=2), NOW - timedelta(hours=5)
    blocked = number("303", can_send="BLOCKED", problems=(waba_payment_problem(),))
    with Session(open_store()) as session:
        record(
            session,
            every_poll(first, turn - timedelta(hours=1), number("301"), number("303"))
            + every_poll(turn, NOW, number("301", "YELLOW"), blocked),
            poll_interval_s=HOUR_S,
        )
        credential = Credential(
            name="Lucky Shrub main",
            business_id="1000000000000001",
            waba_id=WABA_ID,
            phone_number_id="303",
            token_ciphertext="not a real ciphertext",
            token_last4="WXYZ",
            token_fingerprint="lucky",
            token_state="valid",
            token_expires_at=NOW + timedelta(days=40),
        )
        session.add(credential)
        session.flush()
        session.add(
            ChannelConfiguration(
                name="Spring <b>promo</b>", status="active", credential_id=credential.id, sender_phone_number_id="303"
            )
        )
        session.commit()


def _page(number_id: str | None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["signed_in_actor"] = Actor(email="ops@example.com", role="viewer")
    if number_id is not None:
        at.query_params["number"] = number_id
    return at.run()


def _text(at: AppTest) -> str:
    return "\n".join(seen(m.value) for m in at.markdown)


def test_a_blocked_number_says_why_since_when_in_metas_words_and_what_to_do(recorded: None) -> None:
    at = _page("303")
    assert not at.exception
    assert at.title[0].value == "⛔ Lucky Shrub \\+1 415\\-555\\-0104"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Can send": "Blocked",
        "Status": "Connected",
        "Quality rating": "🟢 Green · high",
        "Customers a day": "10,000",
        "Throughput": "80/s",
    }
    text = _text(at)
    assert "**Blocked** since " in text
    assert "It cannot send messages: its WhatsApp Business Account blocks sending (Meta error 141006)." in text
    assert "Meta says: “There is an error with the payment method." in text
    assert "What to do: Add a valid payment method in WhatsApp Manager." in text
    assert "10,000 customers a day" in text
    assert "Spring <b>promo</b>** · Active" in text  # a person's name as typed, never as markup
    assert "Lucky Shrub main** · token ••••WXYZ · Valid · expires on " in text
    manager = at.get("link_button")[0].proto
    assert (
        manager.url
        == f"https://business.facebook.com/wa/manage/phone-numbers/?waba_id={WABA_ID}&business_id=1000000000000001"
    )
    chart = at.get("plotly_chart")
    assert len(chart) == 1


def test_a_healthy_number_says_so_and_lists_its_changes_in_words(recorded: None) -> None:
    at = _page("301")
    assert not at.exception
    assert at.title[0].value.startswith("🟡 Jasper")
    text = _text(at)
    assert "🟡 It has medium quality (yellow): customers are blocking or reporting some messages" in text
    changes = [e for e in at.expander if e.label.startswith("Changes in the last 30 days")]
    assert [e.label for e in changes] == ["Changes in the last 30 days (1)"]
    line = seen(changes[0].markdown[0].value)
    assert line.startswith("- quality dropped from Green · high to Yellow · medium on ")
    assert "None: no channel configuration uses this number as its sender." in [c.value for c in at.caption]


def test_an_unknown_number_says_so_and_offers_the_fleet(recorded: None) -> None:
    at = _page("999<script>")
    assert not at.exception
    assert seen(at.warning[0].value) == (
        "The console does not monitor a phone number with the ID 999<script>. Pick one below."
    )
    picker = at.selectbox[0]
    assert picker.options[0].startswith("Lucky Shrub")  # worst first
    picker.select_index(1).run()
    assert at.query_params["number"] == "301"
    assert at.title[0].value.startswith("🟡 Jasper")


def test_no_number_asked_shows_the_picker_only(recorded: None) -> None:
    at = _page(None)
    assert not at.exception
    assert not at.warning
    assert at.selectbox[0].label == "Phone number"


def test_the_search_narrows_the_picker(recorded: None) -> None:
    at = _page(None)
    at.text_input(key="number_search").input("ice").run()
    assert [s for s in at.selectbox if s.label == "Phone number"] == []
    assert seen(at.info[0].value) == "No phone number matches ice."
    at.text_input(key="number_search").input("0104").run()
    (picker,) = [s for s in at.selectbox if s.label == "Phone number"]
    assert list(picker.options) == ["Lucky Shrub +1 415-555-0104"]


def test_templates_in_trouble_of_its_waba_link_to_their_pages(recorded: None) -> None:
    from services.templates.recording import observe_templates
    from services.templates.state import TemplateState

    with Session(open_store()) as session:
        observe_templates(
            session=session,
            waba_id=WABA_ID,
            templates=[
                TemplateState("9001", "spring_sale", "en_US", "MARKETING", "PAUSED", "YELLOW", reason="FIRST_PAUSE"),
                TemplateState("9002", "order_ready", "zh_CN", "UTILITY", "APPROVED", "GREEN"),
            ],
            at=NOW,
            poll_interval_s=HOUR_S,
        )
        session.commit()
    at = _page("303")
    assert not at.exception
    links = [(link.proto.label, link.proto.page) for link in at.get("page_link")]
    text = _text(at)
    paused = "spring_sale · English (United States) · it is paused for 3 hours"
    assert any(paused in label for label, _ in links) or paused in text
    assert "order_ready" not in text and not any("order_ready" in label for label, _ in links)
