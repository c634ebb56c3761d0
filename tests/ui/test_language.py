"""The language a page speaks: ?lang= in a deep link, the person's stored choice, the browser's, the sidebar picker."""

from __future__ import annotations

import pytest
import streamlit as st
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.language import preference
from services.language.languages import CHINESE
from services.runtime import open_store
from services.store.types import utcnow

PAGE = "../../pages/1_API_credentials.py"
ADMIN = Actor(email="ops@example.com", role="admin", name="Ops")


def _page(*, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["signed_in_actor"] = ADMIN
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def _browser_says(monkeypatch: pytest.MonkeyPatch, locale: str) -> None:
    monkeypatch.setattr(type(st.context), "locale", property(lambda _self: locale))


def test_english_by_default(console_env: dict[str, str]) -> None:
    at = _page()
    assert not at.exception
    assert at.title[0].value == "API credentials"
    assert at.selectbox(key="language_picker").value == "en"


def test_a_chinese_browser_reads_chinese(console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _browser_says(monkeypatch, "zh-CN")
    at = _page()
    assert at.title[0].value == "API凭据"
    assert [b.label for b in at.button if b.key == "cred_create"] == ["创建新API凭据"]
    assert "退出登录" in [b.label for b in at.button]  # the sidebar too


def test_a_deep_link_wins_over_the_browser_and_is_kept_after_it(
    console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _browser_says(monkeypatch, "en-US")
    at = _page(lang="zh-CN")
    assert at.title[0].value == "API凭据"
    del at.query_params["lang"]  # the next page's address has no ?lang=
    at.run()
    assert at.title[0].value == "API凭据"


def test_the_picker_remembers_the_choice_for_the_person(console_env: dict[str, str]) -> None:
    at = _page()
    at.selectbox(key="language_picker").select("zh-Hans").run()
    assert at.title[0].value == "API凭据"
    with Session(open_store()) as session:
        assert preference.stored(session=session, email=ADMIN.email) is CHINESE
    later = _page()  # a new session, another browser: the stored choice
    assert later.title[0].value == "API凭据"
    assert later.selectbox(key="language_picker").value == "zh-Hans"
    linked = _page(lang="en")  # a deep link still wins
    assert linked.title[0].value == "API credentials"


def test_a_stored_choice_beats_the_browser(console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _browser_says(monkeypatch, "en-US")
    with Session(open_store()) as session:
        preference.remember(session=session, email=ADMIN.email, language=CHINESE, at=utcnow())
    assert _page().title[0].value == "API凭据"
