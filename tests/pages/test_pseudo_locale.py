"""Every translated page read in a pseudo-locale: each msgid of the catalogue shows as «msgid», so any word on
screen outside «» did not come through the catalogue.

The pseudo-locale is built from the Chinese catalogue at test time (services.language.pseudo). Names from Meta and
from people (WABA, verified, credential and configuration names, e-mails), numbers, dates and `code` are not
translated by design and are left out of the search; anything else in English is a miss.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from services.language import pseudo
from services.runtime import open_store
from services.store.models import (
    ChannelConfiguration,
    Credential,
    MessageTemplate,
    PhoneNumber,
    WhatsAppBusinessAccount,
)
from tests.demo_store import use_shared_demo_store
from tests.pages.test_words_on_every_page import rendered
from ui.layout import PRODUCT


def _create_step_one(at: AppTest) -> AppTest:
    [create] = [b for b in at.button if b.key == "cred_create"]
    return create.click().run()


def _create_step_two(at: AppTest) -> AppTest:
    at = _create_step_one(at)
    [fill] = [b for b in at.button if b.key == "cred_fill_demo"]
    fill.click().run()
    [go] = [b for b in at.button if b.key == "cred_continue_1"]
    return go.click().run()


def _as_it_opens(at: AppTest) -> AppTest:
    return at


def _no_query() -> dict[str, str]:
    return {}


def _worst_number() -> dict[str, str]:
    """The demo number in most trouble, so its page shows every panel (attention, templates in trouble)."""
    with Session(open_store()) as session:
        ids = sorted(session.exec(select(PhoneNumber.id)))
    return {"number": ids[0]}


def _a_template() -> dict[str, str]:
    with Session(open_store()) as session:
        ids = sorted(session.exec(select(MessageTemplate.id)))
    return {"template": ids[0]}


def _new_configuration(at: AppTest) -> AppTest:
    [create] = [b for b in at.button if b.key == "cc_create"]
    return create.click().run()


# Every page (and the states of a page a person reaches), each read in the pseudo-locale.
TRANSLATED: dict[str, tuple[str, Callable[[], dict[str, str]], Callable[[AppTest], AppTest]]] = {
    "Overview": ("../../app.py", _no_query, _as_it_opens),
    "API credentials": ("../../pages/1_API_credentials.py", _no_query, _as_it_opens),
    "API credentials, step 1": ("../../pages/1_API_credentials.py", _no_query, _create_step_one),
    "API credentials, step 2": ("../../pages/1_API_credentials.py", _no_query, _create_step_two),
    "Channel configurations": ("../../pages/2_Channel_configurations.py", _no_query, _as_it_opens),
    "Channel configurations, new": ("../../pages/2_Channel_configurations.py", _no_query, _new_configuration),
    "Monitoring": ("../../pages/3_Monitoring.py", _no_query, _as_it_opens),
    "Audit log": ("../../pages/4_Audit_log.py", _no_query, _as_it_opens),
    "Phone number": ("../../pages/5_Phone_number.py", _worst_number, _as_it_opens),
    "Webhooks": ("../../pages/6_Webhooks.py", _no_query, _as_it_opens),
    "Alerts": ("../../pages/7_Alerts.py", _no_query, _as_it_opens),
    "Templates": ("../../pages/8_Templates.py", _no_query, _as_it_opens),
    "Template": ("../../pages/8_Templates.py", _a_template, _as_it_opens),
}
# Words that are names, not sentences: the product's, the stores', the languages' own (the picker shows each in
# itself), the demo tokens'.
NAMES = {PRODUCT, "PostgreSQL", "SQLite", "English", "简体中文", "Pseudo", "Graph API", "WhatsApp", "Meta"}
MARKED = re.compile(r"«[^«»]*»")
NOT_WORDS = re.compile(
    r"`[^`]*`|\]\([^)]*\)|:[a-z]+-badge\[|:[a-z]+\[|https?://\S+|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b|\b(?:UTC|CET|CEST|GMT)\b"
    r"|\bEAA[A-Z0-9]+\b|\bv\d+\.\d+\b"
    # A token's last four characters after its mask; Plotly's hover template syntax (%{customdata}, <extra>).
    r"|••••\S{4}|%\{[^}]*\}|<[^>]+>"
)
WORD = re.compile(r"[A-Za-z]{2,}")


def _names_in_the_store() -> set[str]:
    with Session(open_store()) as session:
        names = set(session.exec(select(WhatsAppBusinessAccount.name)))
        names |= {p or "" for p in session.exec(select(WhatsAppBusinessAccount.portfolio_name))}
        names |= set(session.exec(select(PhoneNumber.verified_name)))
        names |= set(session.exec(select(Credential.name))) | set(session.exec(select(Credential.created_by)))
        names |= set(session.exec(select(ChannelConfiguration.name)))
        names |= set(session.exec(select(MessageTemplate.name)))
    return {name for name in names if name}


def untranslated(texts: list[str], names: set[str]) -> list[str]:
    """Each text that still shows a word outside «» once names, dates and code are taken out."""
    found = []
    for text in texts:
        left = NOT_WORDS.sub(" ", text)
        while MARKED.search(left):
            left = MARKED.sub(" ", left)
        for name in sorted(names, key=len, reverse=True):
            left = left.replace(name, " ")
        if WORD.search(left):
            found.append(text)
    return found


# What the browser shows in a widget with no placeholder of ours: Streamlit's own English words.
STREAMLIT_DEFAULT_PLACEHOLDER = "Choose options"


def placeholders(at: AppTest) -> list[str]:
    """The placeholders an empty widget shows; an unset one on a multiselect is Streamlit's English default."""
    shown = [w.proto.placeholder or STREAMLIT_DEFAULT_PLACEHOLDER for w in at.multiselect if not w.value]
    shown += [w.proto.placeholder for w in [*at.text_input, *at.text_area] if w.proto.placeholder]
    return shown


@pytest.fixture
def pseudo_demo(
    console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    use_shared_demo_store(monkeypatch, tmp_path_factory)
    pseudo.install()
    yield


@pytest.mark.parametrize("screen", list(TRANSLATED))
def test_every_word_on_a_translated_page_comes_from_the_catalogue(pseudo_demo: None, screen: str) -> None:
    path, query, reach = TRANSLATED[screen]
    at = AppTest.from_file(path, default_timeout=90)
    for key, value in query().items():
        at.query_params[key] = value
    at.query_params["lang"] = pseudo.PSEUDO.tag
    at = reach(at.run())
    assert not at.exception, at.exception
    texts, _formats = rendered(at)
    texts += placeholders(at)
    assert len(texts) > 5
    assert any(MARKED.search(text) for text in texts), "the pseudo-locale did not take"
    missing = untranslated(texts, _names_in_the_store() | NAMES)
    assert missing == [], "words outside the catalogue:\n" + "\n".join(missing)


def test_the_search_finds_a_sentence_outside_the_catalogue() -> None:
    names = {"Jasper's Market"}
    assert (
        untranslated(["«Created {day}» Jasper's Market", "2 Dec 2026, 14:05 CET", "`EAADEMOTOKEN`: «valid»"], names)
        == []
    )
    assert untranslated(["«Quality rating» is fine", "Connected", "«a «b» c» dd"], names) == [
        "«Quality rating» is fine",
        "Connected",
        "«a «b» c» dd",
    ]
