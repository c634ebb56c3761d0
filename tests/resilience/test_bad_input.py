"""Bad input, drawn by hypothesis: every value gets stored as typed or refused with a sentence, never a traceback.

Each property runs EXAMPLES examples against the real services (and the simulator over HTTP where Meta is asked);
an oracle written here, independently of the product, says what must happen to each value.
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import count

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from services.access.roles import DEMO_ADMIN
from services.configurations import lifecycle as configurations
from services.configurations.fields import ConfigurationInput, ConfigurationInvalid
from services.configurations.records import get
from services.credentials import lifecycle as credentials
from services.credentials.discovery import BusinessNotReachable, CredentialInputError, discover
from services.graph.client import MAX_TOKEN_LENGTH
from services.graph.errors import BadParameter, GraphError, PermissionMissing, TokenInvalid
from services.store.engine import create_store_engine
from services.store.models import Credential
from services.store.types import utcnow
from tests.resilience.scene import JASPERS, JASPERS_MARKET, JASPERS_WABA, OTHER_TOKEN, Scene

EXAMPLES = 200
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
VISIBLE_ASCII = "".join(chr(code) for code in range(0x21, 0x7F))
ASCII_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
ASCII_ID = re.compile(r"[0-9]{1,32}")
TRICKY_IDS = [
    JASPERS,
    f" {JASPERS} ",
    f"{JASPERS}\n",
    "１０００００００００００００００１",  # fullwidth digits
    "١٠٠٠٠٠٠٠٠٠٠٠٠٠٠١",  # Arabic-Indic digits
    "1e15",
    "-1",
    "0x10",
    "1/../debug_token",
    "1?fields=name",
    "1#fragment",
    "1%2F..%2Fdebug_token",
    "../../etc/passwd",
    "0" * 33,
    "9" * 32,
    "",
    "   ",
]
IDS = st.one_of(
    st.sampled_from(TRICKY_IDS),
    st.text(max_size=40),
    st.from_regex(r"\d{1,40}", fullmatch=True),  # Unicode digits too
    st.text(alphabet=string.digits, min_size=1, max_size=60),
)
NAMES = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\s?[A-Za-z][A-Za-z0-9_.-]{0,130}\s?", fullmatch=True),
    st.text(alphabet=string.ascii_letters + string.digits + "_.- é\t", min_size=1, max_size=140),
    st.text(min_size=100, max_size=400),
)
LONG_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(min_size=990, max_size=1010),
    st.text(min_size=1500, max_size=4000),
    st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=995, max_size=1005),
)
TOKENS = st.one_of(
    st.text(max_size=40).map(lambda rest: "EAAZ" + rest),
    st.text(alphabet=VISIBLE_ASCII, max_size=60).map(lambda rest: "EAAZ" + rest),
    st.text(alphabet=VISIBLE_ASCII, min_size=1000, max_size=4000).map(lambda rest: "EAAZ" + rest),
    st.sampled_from(
        [
            "",
            "  ",
            "EAAZ token",
            "EAAZ\nsecond-line",
            "EAAZ\r\nX-Injected: 1",
            "EAAZ\ttab",
            "EAAZ\u200bzero-width",
            "EAAZé",
            "EAAZ%0d%0aX-Injected:%201",
            "EAAZ&input_token=EAADEMOTOKEN",
            "EAAZ#fragment",
            "EAAZ?access_token=x",
            "Bearer EAAZ",
            f" {OTHER_TOKEN} ",
        ]
    ),
)


def _sentence(text: str) -> None:
    """An operator sentence: words, not a traceback nor the repr of an object."""
    assert text and text.strip() == text and text.endswith(".")
    assert "Traceback" not in text and " object at 0x" not in text


@contextmanager
def _log_records() -> Iterator[list[str]]:
    """Every log line written meanwhile, at DEBUG, by the console and by httpx."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler, root = Keep(logging.DEBUG), logging.getLogger()
    loggers = [logging.getLogger(name) for name in ("httpx", "httpcore", "services")]
    levels = [logger.level for logger in loggers]
    root.addHandler(handler)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# --- configuration names and descriptions, on SQLite and on PostgreSQL --------------------------------------


def _name_problems(name: str, taken: set[str]) -> dict[str, bool]:
    """Which of the naming rule's parts `name` (already stripped) breaks."""
    return {
        "at most 120": len(name) > 120,
        "must start with a letter": not name[:1].isascii() or not name[:1].isalpha(),
        "may only hold letters, digits, _, . and -": ASCII_NAME.fullmatch("a" + name[1:]) is None,
        "already named": name.lower() in taken,
    }


def test_configuration_names(store_url: str) -> None:
    engine = create_store_engine(store_url)
    taken: set[str] = set()

    @PROPERTY
    @given(name=NAMES)
    def stored_or_refused(name: str) -> None:
        stripped = name.strip()
        broken = {part for part, broke in _name_problems(stripped, taken).items() if broke} if stripped else set()
        with Session(engine) as session:
            try:
                row = configurations.save_draft(
                    session=session, actor=DEMO_ADMIN, values=ConfigurationInput(name=name), at=utcnow()
                )
            except ConfigurationInvalid as refused:
                assert broken, f"{stripped!r} follows the rule but was refused: {refused.errors}"
                assert set(refused.errors) == {"name"}
                _sentence(refused.errors["name"])
                assert any(part in refused.errors["name"] for part in broken), (refused.errors, broken)
                return
            assert not broken, f"{stripped!r} breaks {broken} but was stored"
            assert row.id is not None
            row_id = row.id
        with Session(engine) as session:
            assert get(session=session, configuration_id=row_id).name == stripped
        if stripped:
            taken.add(stripped.lower())

    try:
        stored_or_refused()
    finally:
        engine.dispose()


def test_configuration_descriptions(store_url: str) -> None:
    engine = create_store_engine(store_url)

    @PROPERTY
    @given(description=LONG_TEXT)
    def stored_or_refused(description: str) -> None:
        stripped = description.strip()
        values = ConfigurationInput(name="", description=description)
        with Session(engine) as session:
            try:
                row = configurations.save_draft(session=session, actor=DEMO_ADMIN, values=values, at=utcnow())
            except ConfigurationInvalid as refused:
                assert set(refused.errors) == {"description"}
                _sentence(refused.errors["description"])
                if len(stripped) > 1000:
                    assert f"{len(stripped):,} characters" in refused.errors["description"]
                else:  # PostgreSQL cannot store NUL in text: refusing it with a sentence is fine
                    assert "\x00" in stripped, f"a description of {len(stripped)} characters was refused"
                return
            assert len(stripped) <= 1000
            assert row.id is not None
            row_id = row.id
        with Session(engine) as session:  # read back through a new session: stored exactly as typed
            assert get(session=session, configuration_id=row_id).description == stripped

    try:
        stored_or_refused()
    finally:
        engine.dispose()


# --- business, WABA and phone number IDs --------------------------------------------------------------------


def test_business_ids(scene: Scene) -> None:
    """Only 1 to 32 ASCII digits go to Meta; anything else is refused before any call, without echoing it."""

    @PROPERTY
    @given(business_id=IDS)
    @example(business_id="2000000000000021")  # a WABA's ID: Meta refuses it as a permission the token lacks
    def checked(business_id: str) -> None:
        stripped = business_id.strip()
        calls = scene.simulator.request_count
        try:
            found = discover(graph=scene.graph, token=OTHER_TOKEN, business_id=business_id, at=utcnow())
        except CredentialInputError as refused:
            assert refused.field == "business_id"
            assert not ASCII_ID.fullmatch(stripped), f"{stripped!r} is a business ID, yet refused: {refused}"
            assert scene.simulator.request_count == calls  # refused before asking Meta
            _sentence(str(refused))
            if len(stripped) >= 4:
                assert stripped not in str(refused)  # a token pasted into the wrong field is never shown
            return
        except (BusinessNotReachable, PermissionMissing) as unknown:
            # Meta answers an ID the token may not read (another business's, a WABA's) as a permission it lacks.
            assert ASCII_ID.fullmatch(stripped), f"{stripped!r} went to Meta"
            assert stripped != JASPERS
            _sentence(str(unknown))
            return
        assert stripped == JASPERS
        assert found.account(JASPERS_WABA) is not None

    checked()


def test_waba_and_phone_number_ids(scene: Scene) -> None:
    """The Graph client refuses anything but ASCII digits locally; other IDs get Meta's typed answer."""
    reachable = {JASPERS_WABA, "2000000000000012"}
    numbers = {JASPERS_MARKET, "3000000000000102", "3000000000000103", "3000000000000104", "3000000000000105"}

    @PROPERTY
    @given(object_id=IDS)
    def checked(object_id: str) -> None:
        stripped = object_id.strip()
        calls: list[Callable[[], object]] = [
            lambda: scene.graph.business_account(OTHER_TOKEN, object_id),
            lambda: scene.graph.phone_number(OTHER_TOKEN, object_id),
        ]
        for call, known in zip(calls, (reachable, numbers), strict=True):
            before = scene.simulator.request_count
            try:
                call()
            except BadParameter as refused:
                _sentence(str(refused))
                if not ASCII_ID.fullmatch(stripped):
                    assert scene.simulator.request_count == before, f"{stripped!r} was sent to Meta"
                    continue
                assert stripped not in known
            except GraphError as other:
                assert ASCII_ID.fullmatch(stripped), f"{stripped!r} was sent to Meta: {other}"
                assert stripped not in known
                _sentence(str(other))
            else:
                assert stripped in known

    checked()


# --- tokens with odd characters -----------------------------------------------------------------------------


def test_tokens(scene: Scene) -> None:
    """Odd tokens are refused with a sentence; no token is ever echoed, logged or sent when it cannot be one."""

    @PROPERTY
    @given(token=TOKENS)
    def checked(token: str) -> None:
        stripped = token.strip()
        calls = scene.simulator.request_count
        with _log_records() as logged:
            try:
                discover(graph=scene.graph, token=token, business_id=JASPERS, at=utcnow())
            except CredentialInputError as refused:
                assert refused.field == "token"
                assert not stripped or any(char.isspace() for char in stripped) or len(stripped) > MAX_TOKEN_LENGTH
                assert scene.simulator.request_count == calls
                problem = str(refused)
            except TokenInvalid as invalid:
                if any(char not in VISIBLE_ASCII for char in stripped):
                    assert scene.simulator.request_count == calls, f"{stripped!r} was sent to Meta"
                problem = str(invalid)
            else:
                assert stripped == OTHER_TOKEN
                return
        _sentence(problem)
        if len(stripped) > 4:
            assert stripped not in problem
            assert not [line for line in logged if stripped in line], "the token reached the log"

    checked()


# --- credential names ---------------------------------------------------------------------------------------


def test_credential_names(scene: Scene) -> None:
    """Any name up to 120 characters is stored as typed (blank: a default); a longer one is refused, nothing stored."""
    serial = count()

    @PROPERTY
    @given(name=NAMES)
    def stored_or_refused(name: str) -> None:
        token = f"EAANAMES{next(serial):06d}"
        scene.simulator.register_token(token, state="valid", business_ids=[JASPERS])
        with Session(scene.engine) as session:
            stored = session.exec(select(Credential)).all()
            try:
                credential = credentials.connect(
                    session=session,
                    graph=scene.graph,
                    vault=scene.vault,
                    actor=DEMO_ADMIN,
                    token=token,
                    business_id=JASPERS,
                    waba_id=JASPERS_WABA,
                    phone_number_id=JASPERS_MARKET,
                    name=name,
                    at=utcnow(),
                )
            except CredentialInputError as refused:
                assert refused.field == "name" and len(name.strip()) > 120
                _sentence(str(refused))
                session.rollback()
                assert len(session.exec(select(Credential)).all()) == len(stored)
                return
            assert len(name.strip()) <= 120
            expected = name.strip() or "Jasper's Market · +1 631-555-0101"
            credential_id = credential.id
        with Session(scene.engine) as session:
            again = session.get(Credential, credential_id)
            assert again is not None and again.name == expected

    stored_or_refused()


@pytest.mark.parametrize("value", ["\x00", "a\x00b"])
def test_a_nul_character_is_a_sentence_not_an_error(store_url: str, value: str) -> None:
    """Pasted text may carry NUL, which PostgreSQL refuses in text columns: refused as a sentence, or stored."""
    engine = create_store_engine(store_url)
    try:
        with Session(engine) as session:
            try:
                row = configurations.save_draft(
                    session=session, actor=DEMO_ADMIN, values=ConfigurationInput(description=value), at=utcnow()
                )
            except ConfigurationInvalid as refused:
                _sentence(refused.errors["description"])
                return
            assert row.description == value
    finally:
        engine.dispose()
