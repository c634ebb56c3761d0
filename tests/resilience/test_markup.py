"""HTML or Markdown in verified names, business account names, credential names and descriptions shows as text.

Meta's verified names and WABA names and what operators type (credential names, descriptions) reach four pages;
a hypothesis property draws each page with a neutral value and then with hostile ones (see markup.py).
"""

from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, update
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from services.access.roles import DEMO_ADMIN
from services.access.vault import load_vault
from services.settings import load_settings
from services.store.engine import create_store_engine
from services.store.models import (
    ChannelConfiguration,
    Credential,
    CredentialReach,
    HealthInterval,
    PhoneNumber,
    WhatsAppBusinessAccount,
)
from services.store.types import utcnow
from tests.resilience.markup import ASCII_PUNCTUATION, MARKUP_CHARACTERS, NEUTRAL, markup_problems, page_strings

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("app.py", "pages/1_API_credentials.py", "pages/2_Channel_configurations.py", "pages/3_Monitoring.py")
WABA, NUMBER, BUSINESS, TOKEN = "2000000000000777", "3000000000000777", "1000000000000777", "EAAMARKUPTEST0777"
EXAMPLES = 200

# Pieces of Markdown, HTML and Streamlit's own syntax, mixed with arbitrary Unicode words.
MARKUP = st.sampled_from(
    [
        "**", "__", "*", "_", "`", "```", "# ", "## ", "> ", "- ", "1. ", "---", "===", "~~", "|", "\\", "\n",
        "  \n", "\n\n", "[link](https://example.com)", "![pixel](https://example.com/p.png)", "<https://e.com>",
        "<b>", "</b>", "<script>alert(1)</script>", "<a href='https://example.com'>support</a>", "<br>",
        "<img src=x onerror=alert(1)>", "<!-- hidden -->", "&amp;", "&lt;", "&#42;", "&copy;", "$x^2$", "$",
        ":red[", "]", ":blue-badge[new]", ":material/home:", ":smile:", "[x]: https://e.com", "www.example.com",
        "https://example.com", "help@example.com", "%{x}", "<sup>2</sup>", "{", "}",
    ]
)  # fmt: skip
WORDS = st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=10)
VALUES = (
    st.lists(st.one_of(MARKUP, WORDS), min_size=1, max_size=8)
    .map(lambda pieces: "".join(pieces)[:120].strip())
    .filter(bool)
)


def _seed(engine: Engine) -> None:
    """One business account, number, credential and configuration, each free-text field holding NEUTRAL."""
    now = utcnow()
    vault = load_vault(load_settings())
    with Session(engine) as session:
        session.add(WhatsAppBusinessAccount(id=WABA, name=NEUTRAL, business_id=BUSINESS))
        session.flush()
        session.add(
            PhoneNumber(
                id=NUMBER,
                waba_id=WABA,
                display_phone_number="+1 555-0777",
                verified_name=NEUTRAL,
                quality_rating="RED",
                throughput_level="STANDARD",
                messaging_limit="TIER_1K",
                status="FLAGGED",
                last_polled_at=now,
            )
        )
        session.flush()
        for days, rating in ((3, "YELLOW"), (1, "RED")):
            since = now - timedelta(days=days)
            session.add(
                HealthInterval(
                    phone_number_id=NUMBER,
                    since=since,
                    last_confirmed_at=since + timedelta(days=days - 0.5),
                    quality_rating=rating,
                    throughput_level="STANDARD",
                    status="CONNECTED",
                    verified_name=NEUTRAL,
                )
            )
        credential = Credential(
            name=NEUTRAL,
            business_id=BUSINESS,
            waba_id=WABA,
            phone_number_id=NUMBER,
            token_ciphertext=vault.encrypt(TOKEN),
            token_last4=TOKEN[-4:],
            token_fingerprint=vault.fingerprint(TOKEN),
            token_state="valid",
            token_expires_at=now + timedelta(days=3),
        )
        session.add(credential)
        session.flush()
        assert credential.id is not None
        session.add(CredentialReach(credential_id=credential.id, waba_id=WABA))
        session.add(
            ChannelConfiguration(
                name="Markup-check",
                description=NEUTRAL,
                marketing_action="none",
                credential_id=credential.id,
                sender_phone_number_id=NUMBER,
                status="draft",
            )
        )
        session.commit()


def _write(engine: Engine, value: str) -> None:
    """Put `value` into every free-text field the pages show."""
    with Session(engine) as session:
        session.exec(update(WhatsAppBusinessAccount).values(name=value))  # type: ignore[call-overload]
        session.exec(update(PhoneNumber).values(verified_name=value))  # type: ignore[call-overload]
        session.exec(update(HealthInterval).values(verified_name=value))  # type: ignore[call-overload]
        session.exec(update(Credential).values(name=value))  # type: ignore[call-overload]
        session.exec(update(ChannelConfiguration).values(description=value))  # type: ignore[call-overload]
        session.commit()


def _drawn(page: AppTest) -> list[tuple[str, str, str]]:
    page.run()
    assert not page.exception, page.exception
    return page_strings(page)


def test_free_text_shows_as_text_on_every_page(console_env: dict[str, str], database_url: str) -> None:
    engine = create_store_engine(database_url)
    _seed(engine)
    pages = [AppTest.from_file(str(ROOT / name), default_timeout=30) for name in PAGES]
    for page in pages:
        page.session_state["signed_in_actor"] = DEMO_ADMIN
    for page in pages:  # a first run settles widget state (the monitoring page's chosen numbers, its range)
        _drawn(page)
    neutral = [_drawn(page) for page in pages]
    for name, strings in zip(PAGES, neutral, strict=True):
        assert any(NEUTRAL in text for _, _, text in strings), f"{name} shows none of the free-text fields"

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(value=VALUES)
    def shows_as_text(value: str) -> None:
        _write(engine, value)
        problems = [
            f"{name}: {problem}"
            for name, page, before in zip(PAGES, pages, neutral, strict=True)
            for problem in markup_problems(before, _drawn(page), value)
        ]
        assert not problems, "\n".join(problems[:8])

    try:
        shows_as_text()
    finally:
        engine.dispose()


def _write_meta(engine: Engine, value: str) -> None:
    """Put `value` where Meta's own words land: each number's status and messaging limit, now and in history."""
    with Session(engine) as session:
        for table in (PhoneNumber, HealthInterval):
            session.exec(update(table).values(status=value, messaging_limit=value))  # type: ignore[call-overload]
        session.commit()


def _monitoring_link(numbers: str) -> AppTest:
    page = AppTest.from_file(str(ROOT / "pages/3_Monitoring.py"), default_timeout=30)
    page.session_state["signed_in_actor"] = DEMO_ADMIN
    page.query_params["numbers"] = numbers
    return page


def test_dialogs_link_warnings_and_meta_values_show_as_text(console_env: dict[str, str], database_url: str) -> None:
    """The Delete and Replace-token dialogs, ?numbers= echoed in a warning, Meta's status and limit on Monitoring."""
    engine = create_store_engine(database_url)
    _seed(engine)
    _write_meta(engine, NEUTRAL)
    with Session(engine) as session:
        credential_id = session.exec(select(Credential.id)).one()
    pages = {
        "delete dialog": AppTest.from_file(str(ROOT / "pages/1_API_credentials.py"), default_timeout=30),
        "replace-token dialog": AppTest.from_file(str(ROOT / "pages/1_API_credentials.py"), default_timeout=30),
        "monitoring": AppTest.from_file(str(ROOT / "pages/3_Monitoring.py"), default_timeout=30),
    }
    for page in pages.values():
        page.session_state["signed_in_actor"] = DEMO_ADMIN
    pages["delete dialog"].session_state["cred_delete_id"] = credential_id
    pages["replace-token dialog"].session_state["cred_rotate_id"] = credential_id
    for page in pages.values():
        _drawn(page)
    neutral = {name: _drawn(page) for name, page in pages.items()}
    neutral_link = _drawn(_monitoring_link(NEUTRAL))
    for name, page in pages.items():
        assert page.get("dialog") or name == "monitoring", f"the {name} is not open"
    for name, strings in [*neutral.items(), ("link", neutral_link)]:
        assert any(NEUTRAL in text for _, _, text in strings), f"{name} shows none of the free-text fields"

    @settings(max_examples=EXAMPLES // 4, deadline=None, suppress_health_check=list(HealthCheck))
    @given(value=VALUES)
    def shows_as_text(value: str) -> None:
        _write(engine, value)
        _write_meta(engine, value)
        problems = [
            f"{name}: {problem}"
            for name, page in pages.items()
            for problem in markup_problems(neutral[name], _drawn(page), value)
        ]
        if "," not in value:  # the page splits ?numbers= at commas (and trims each part, as VALUES are)
            link = _drawn(_monitoring_link(value))
            problems += [f"?numbers=: {problem}" for problem in markup_problems(neutral_link, link, value)]
        assert not problems, "\n".join(problems[:8])

    try:
        shows_as_text()
    finally:
        engine.dispose()


def _escaped(value: str) -> str:
    """The fix the pages need: a backslash before every ASCII punctuation character (CommonMark keeps it literal)."""
    return "".join("\\" + char if char in ASCII_PUNCTUATION else char for char in value)


@settings(max_examples=EXAMPLES, deadline=None)
@given(value=VALUES)
def test_the_oracle_passes_escaped_text_and_catches_raw_markup(value: str) -> None:
    """The oracle itself: an escaped value passes; the raw value fails whenever it holds a markup character."""

    def page(shown: str, figure: str, plain: str) -> list[tuple[str, str, str]]:
        return [("/0", "markdown", f"**{shown}** · {shown}"), ("/1", "plotly", figure), ("/2", "plain", plain)]

    neutral = page(NEUTRAL, NEUTRAL, f"{NEUTRAL} (plain)")
    assert markup_problems(neutral, page(_escaped(value), html.escape(value), f"{value} (plain)"), value) == []
    raw = markup_problems(neutral, page(value, value, f"{value} (plain)"), value)
    if set(value) & (MARKUP_CHARACTERS - {"&", "\\"}):  # & and \ can stand for themselves
        assert raw
