"""The Alerts and Webhooks pages in Chinese: an open alert and a webhook event said again in the reader's language
(the store keeps English), and a channel's language chosen when it is added and changed later."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.alerts import lifecycle
from services.runtime import open_store
from services.store.models import Alert, AlertChannel, WebhookDelivery, WebhookEvent
from tests.markdown import seen
from tests.services.alerts.fleet import NUMBER_ID, WABA_ID, add_fleet, set_health

ADMIN = Actor(email="lead@example.com", role="admin")
T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _page(path: str, lang: str) -> AppTest:
    at = AppTest.from_file(path, default_timeout=60)
    at.session_state["signed_in_actor"] = ADMIN
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def blocked(console_env: dict[str, str]) -> None:
    with Session(open_store()) as session:
        add_fleet(session)
        set_health(session, blocked=True)
        session.add(AlertChannel(kind="email", name="On-call team", config_ciphertext="sealed"))
        lifecycle.evaluate(session, now=T0)
        delivery = WebhookDelivery(
            received_at=T0, body_sha256="a" * 64, body="{}", source_address="", outcome="applied"
        )
        session.add(delivery)
        session.flush()
        assert delivery.id is not None
        session.add(
            WebhookEvent(
                delivery_id=delivery.id,
                event_key="k1",
                field="account_update",
                waba_id=WABA_ID,
                phone_number_id=None,
                received_at=T0,
                value={"event": "ACCOUNT_DELETED"},
                summary="Meta deleted WhatsApp Business Account Aurora Coffee.",
                outcome="applied",
            )
        )
        session.commit()


def test_an_open_alert_reads_in_chinese_while_the_store_keeps_english(blocked: None) -> None:
    at = _page("../../pages/7_Alerts.py", "zh-CN")
    table = at.dataframe[0].value
    [title] = list(table["内容"])
    assert title.startswith("+1 212-555-0107 (Aurora Coffee Deliveries) ") and _chinese(title)
    assert list(table["严重程度"]) == ["🔴 严重"] and list(table["状态"]) == ["未处理"]
    assert "电子邮件：On-call team，发送警告及更严重的告警" in [seen(t.label) for t in at.toggle]
    with Session(open_store()) as session:
        assert session.exec(select(Alert)).one().title.startswith("+1 212-555-0107 (Aurora Coffee Deliveries) cannot")
    english = _page("../../pages/7_Alerts.py", "en")
    assert list(english.dataframe[0].value["What"])[0].endswith("cannot send messages (Meta error 141006)")


def test_a_channel_is_added_in_chinese_and_switched_back_to_english(blocked: None) -> None:
    at = _page("../../pages/7_Alerts.py", "en")
    at.selectbox(key="alerts_new_kind").set_value("webhook")
    at.text_input(key="alerts_new_name").set_value("飞书群")
    at.selectbox(key="alerts_new_language").set_value("zh-Hans")
    at.text_input(key="alerts_new_address").set_value("https://hooks.example.com/alerts")
    [add] = [b for b in at.button if b.label == "Add channel"]
    add.click().run()
    assert not at.exception and not at.error
    with Session(open_store()) as session:
        added = session.exec(select(AlertChannel).where(AlertChannel.name == "飞书群")).one()
        assert added.language == "zh-Hans" and added.id is not None
        first = session.exec(select(AlertChannel).where(AlertChannel.name == "On-call team")).one()
        assert first.language == "en"
    assert at.selectbox(key=f"alerts_channel_language_{added.id}").value == "zh-Hans"
    at.selectbox(key=f"alerts_channel_language_{added.id}").set_value("en")
    at.button(key=f"alerts_channel_save_{added.id}").click().run()
    assert not at.exception
    with Session(open_store()) as session:
        assert session.get(AlertChannel, added.id).language == "en"  # type: ignore[union-attr]


def test_a_webhook_event_reads_in_chinese_from_its_stored_value(blocked: None) -> None:
    at = _page("../../pages/6_Webhooks.py", "zh-CN")
    events = at.dataframe[-1].value
    assert list(events["发生了什么"]) == ["Meta 删除了 WhatsApp 商业帐户 Aurora Coffee。"]
    english = _page("../../pages/6_Webhooks.py", "en")
    assert list(english.dataframe[-1].value["What happened"]) == [
        "Meta deleted WhatsApp Business Account Aurora Coffee."
    ]
    assert NUMBER_ID  # the fleet's number is there; the event names only its account
