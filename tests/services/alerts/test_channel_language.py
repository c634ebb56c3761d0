"""Each alert channel speaks its own language: a Chinese channel's email (real SMTP) and webhook message (a real
receiver) are in Chinese, an English channel's stay English, and the alert's stored words stay English."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlmodel import Session, select

from services.access.roles import Actor
from services.access.vault import TokenVault
from services.alerts import channels, lifecycle, sender, views
from services.language.current import speaking
from services.language.languages import CHINESE, ENGLISH
from services.store.models import Alert, AlertChannel
from tests.services.alerts.fleet import T0, add_fleet, set_health
from tests.smtp_server import smtp_server
from tests.webhook_receiver import receiving

ADMIN = Actor(email="lead@example.com", role="admin")
ENGLISH_TITLE = "+1 212-555-0107 (Aurora Coffee Deliveries) cannot send messages (Meta error 141006)"


@pytest.fixture
def vault() -> TokenVault:
    return TokenVault(Fernet.generate_key())


def _chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _channels(session: Session, vault: TokenVault, smtp_port: int, hooks: dict[str, str]) -> None:
    """An email and a webhook channel in each language; `hooks` is each language's receiver URL."""
    email = {"smtp_url": f"smtp://127.0.0.1:{smtp_port}", "from": "console@example.com"}
    for language, to in ((ENGLISH.tag, "ops@example.com"), (CHINESE.tag, "yunwei@example.com")):
        channels.create_channel(
            session,
            vault,
            ADMIN,
            kind="email",
            name=f"Email {language}",
            config={**email, "to": [to]},
            language=language,
        )
    for language, url in hooks.items():
        channels.create_channel(
            session, vault, ADMIN, kind="webhook", name=f"Hook {language}", config={"url": url}, language=language
        )


def test_a_chinese_channel_gets_chinese_words_and_an_english_one_english(
    store_engine: Engine, vault: TokenVault
) -> None:
    with smtp_server() as inbox, receiving("/en") as in_english, receiving("/zh") as in_chinese:
        with Session(store_engine) as session:
            add_fleet(session)
            _channels(session, vault, inbox.port, {ENGLISH.tag: in_english.url, CHINESE.tag: in_chinese.url})
            set_health(session, blocked=True)
            lifecycle.evaluate(session, now=T0)
            session.commit()
        assert sender.deliver_due(store_engine, vault, T0, base_url="https://console.example.com") == 4
        mails = {m.recipients[0]: m.message for m in inbox.wait_for(2)}
        posts = {
            "en": json.loads(in_english.wait_for(1)[0].body),
            "zh-Hans": json.loads(in_chinese.wait_for(1)[0].body),
        }

    english, chinese = mails["ops@example.com"], mails["yunwei@example.com"]
    assert " ".join(english["Subject"].split()) == f"Critical: {ENGLISH_TITLE}"
    assert "Opened: 2 Mar 2026, 09:00 UTC" in english.get_body(("plain",)).get_content()
    subject = " ".join(chinese["Subject"].split())
    assert subject.startswith("严重：+1 212-555-0107 (Aurora Coffee Deliveries)") and _chinese(subject)
    assert subject != f"Critical: {ENGLISH_TITLE}"
    text = chinese.get_body(("plain",)).get_content()
    assert "出现时间：2026年3月2日 09:00 UTC" in text and "在控制台中打开：https://console.example.com/alerts" in text
    assert "Opened:" not in text and "What to do" not in text
    assert "在控制台中打开</a>" in chinese.get_body(("html",)).get_content()

    assert posts["en"]["text"].startswith(f"Critical: {ENGLISH_TITLE}")
    assert posts["en"]["alert"]["alert"]["title"] == ENGLISH_TITLE
    assert posts["zh-Hans"]["text"].startswith("严重：+1 212-555-0107") and _chinese(posts["zh-Hans"]["subject"])
    assert (
        _chinese(posts["zh-Hans"]["alert"]["alert"]["title"]) and posts["zh-Hans"]["alert"]["event"] == "alert.opened"
    )
    with Session(store_engine) as session:
        assert session.exec(select(Alert)).one().title == ENGLISH_TITLE  # the row keeps the English


def test_a_resolved_alert_reaches_a_chinese_channel_in_chinese(store_engine: Engine, vault: TokenVault) -> None:
    with smtp_server() as inbox, receiving("/en") as in_english, receiving("/zh") as in_chinese:
        with Session(store_engine) as session:
            add_fleet(session)
            _channels(session, vault, inbox.port, {ENGLISH.tag: in_english.url, CHINESE.tag: in_chinese.url})
            set_health(session, blocked=True)
            lifecycle.evaluate(session, now=T0)
            set_health(session, blocked=False)
            lifecycle.evaluate(session, now=T0 + timedelta(minutes=1))
            lifecycle.evaluate(session, now=T0 + timedelta(minutes=40))
            session.commit()
        assert sender.deliver_due(store_engine, vault, T0 + timedelta(minutes=40)) == 8
        resolved = [m.message for m in inbox.wait_for(4) if "yunwei@example.com" in m.recipients]
        posts = [json.loads(p.body) for p in in_chinese.wait_for(2)]
        assert all(json.loads(p.body)["text"].startswith(("Critical", "Resolved")) for p in in_english.wait_for(2))
    subjects = sorted(" ".join(m["Subject"].split()) for m in resolved)
    assert subjects[0].startswith("严重：") and subjects[1].startswith("已解决：")
    assert "某个号码无法发送" in subjects[1] and "Aurora Coffee Deliveries" in subjects[1]
    assert any(post["text"].startswith("已解决：") for post in posts)


def test_a_channel_speaks_english_unless_told_and_its_language_can_change(
    store_engine: Engine, vault: TokenVault
) -> None:
    config = {"url": "https://hooks.example.com/x"}
    with Session(store_engine) as session:
        channel = channels.create_channel(session, vault, ADMIN, kind="webhook", name="Ops", config=config)
        assert channel.language == "en"
        channels.update_channel(session, vault, ADMIN, channel.id, language="zh-CN")
        assert channel.language == "zh-Hans"
        with pytest.raises(channels.ChannelError, match="language is one of en, zh-Hans"):
            channels.update_channel(session, vault, ADMIN, channel.id, language="fr")
        session.commit()
        assert [v.language for v in views.channels(session=session)] == ["zh-Hans"]
        assert session.exec(select(AlertChannel)).one().language == "zh-Hans"


def test_the_alerts_page_reads_an_open_alert_in_the_readers_language(store_engine: Engine) -> None:
    with Session(store_engine) as session:
        add_fleet(session)
        set_health(session, blocked=True)
        lifecycle.evaluate(session, now=T0)
        session.commit()
        [english] = views.alerts(session=session, now=T0)
        with speaking(CHINESE):
            [chinese] = views.alerts(session=session, now=T0)
    assert english.words is not None and english.words.title == ENGLISH_TITLE
    assert chinese.words is not None and _chinese(chinese.words.title) and _chinese(chinese.words.detail)
    assert chinese.words.title.startswith("+1 212-555-0107 (Aurora Coffee Deliveries)")
    assert chinese.words.advice == "Update the payment method in WhatsApp Manager."  # Meta's own words stay
