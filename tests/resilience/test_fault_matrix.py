"""The fault matrix: every fault of the catalogue against every operation, one test id per cell.

Each cell asserts the sentence the operator sees, that no exception reaches the page, that nothing typed is lost
(and, once the fault is gone, the same input goes through without retyping), and for the poller that the error
is recorded while the other credential is read as usual.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from services.access.roles import DEMO_ADMIN
from services.poller.loop import run_cycle
from services.store.models import ChannelConfiguration, Credential, PhoneNumber, PollRun
from tests.channel_configurations import settled
from tests.resilience.faults import CASE_IDS, CASES, FaultCase, pattern
from tests.resilience.markup import seen
from tests.resilience.scene import (
    JASPERS_WABA,
    NORTHWIND,
    NORTHWIND_FIRST,
    NORTHWIND_WABA,
    TOKEN,
    Scene,
    poller_console,
)

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS_PAGE = str(ROOT / "pages" / "1_API_credentials.py")
CONFIGURATIONS_PAGE = str(ROOT / "pages" / "2_Channel_configurations.py")
CREDENTIAL_NAME = "Northwind stores"
TYPED = {
    "description": "Typed by hand <b>and</b> **kept**, whatever Meta answers.",
    "marketing_action": "whatsappMarketing",
}
WABA_FIX = (
    f" Give the token's system user access to WhatsApp Business Account {NORTHWIND_WABA} in Meta Business Suite, "
    "or choose another API credential, then submit again."
)
TOKEN_FIX = (
    f" Then replace the token of API credential “{CREDENTIAL_NAME}” (••••{TOKEN[-4:]}) on the API credentials page "
    "and submit again."
)
TRANSIENT_FIX = " The Graph API did not answer properly; submit again in a few minutes."
# Meta did answer, and named its wait: "submit again in a few minutes" would contradict "retry after 30 minutes".
RATE_LIMIT_FIX = " Then submit again."
TOKEN_WORDS = {"expired": "Expired on 31 Oct 2026", "invalid": "Invalid", None: "Valid · expires on ⟨date⟩"}


def _open(page: str) -> AppTest:
    at = AppTest.from_file(page, default_timeout=30)
    at.session_state["signed_in_actor"] = DEMO_ADMIN
    return at.run()


def _click(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    return button.click().run()


def _shown(elements: object) -> list[str]:
    """What the operator reads in these Markdown elements (escapes undone: a page may escape names)."""
    return [seen(str(element.value)) for element in elements]  # type: ignore[attr-defined]


def _assert_shown(sentence: str, texts: list[str]) -> None:
    """`sentence` (markers allowed, see faults.py) is one of `texts`."""
    expression = pattern(sentence)
    assert any(re.fullmatch(expression, text) for text in texts), f"not shown:\n  {sentence}\namong\n  {texts}"


# --- Continue on the credential form -------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_continue(case: FaultCase, scene: Scene) -> None:
    at = _open(CREDENTIALS_PAGE)
    at.button(key="cred_create").click().run()
    at.text_input(key="credform_token").input(TOKEN)
    at.text_input(key="credform_business_id").input(NORTHWIND)
    case.arm(scene)
    _click(at, "Continue")  # step 1 reads one page only; the account's 230 numbers are read right after it

    assert not at.exception
    _assert_shown(case.graph_sentence("continue"), _shown(at.error))
    if case.reaches == "page2":
        assert at.session_state["cred_step"] == 2
        assert at.selectbox(key="credform_waba").value == NORTHWIND_WABA
        at.button(key="cred_back_2").click().run()
    assert at.session_state["cred_step"] == 1
    assert at.text_input(key="credform_token").value == TOKEN
    assert at.text_input(key="credform_business_id").value == NORTHWIND
    with Session(scene.engine) as session:
        assert session.exec(select(Credential)).all() == []

    scene.disarm()  # the same input, unchanged, now goes through
    _click(at, "Continue")
    assert not at.exception
    assert at.session_state["cred_step"] == 2
    assert len(at.selectbox(key="credform_number").options) == 230
    assert at.error.len == 0


# --- Re-validate a stored credential -------------------------------------------------------------------------


def revalidate_flash(case: FaultCase) -> str:
    """What Re-validate flashes: an error if Meta could not be asked, else a warning with the token's state."""
    sentence = case.graph_sentence("revalidate")
    if case.transient:
        return f"“{CREDENTIAL_NAME}” was not re-validated: {sentence}"
    return f"“{CREDENTIAL_NAME}” re-validated: token {TOKEN_WORDS[case.token_state]}. {sentence}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_revalidate(case: FaultCase, scene: Scene, northwind_credential: int) -> None:
    at = _open(CREDENTIALS_PAGE)
    case.arm(scene)
    at.button(key=f"cred_revalidate_{northwind_credential}").click().run()

    assert not at.exception
    _assert_shown(revalidate_flash(case), _shown(at.error if case.transient else at.warning))
    with Session(scene.engine) as session:
        credential = session.get(Credential, northwind_credential)
        assert credential is not None
        assert credential.name == CREDENTIAL_NAME
        assert scene.vault.decrypt(credential.token_ciphertext) == TOKEN
        assert credential.token_state == (case.token_state or "valid")


# --- Configuration checks ------------------------------------------------------------------------------------


def failed_check(case: FaultCase) -> str:
    """The failure reason of the one check the fault breaks (the checks after it wait on it)."""
    sentence = case.graph_sentence("checks")
    if case.kind == "rate_limited":
        fix = RATE_LIMIT_FIX
    elif case.transient:
        fix = TRANSIENT_FIX
    else:
        fix = WABA_FIX if case.reaches in ("ids", "scope") else TOKEN_FIX
    return sentence + fix


def _failure_reasons(at: AppTest) -> list[str]:
    boxes = [text for text in _shown(at.error) if text.startswith("**Failure reasons**")]
    return [line[2:] for text in boxes for line in text.splitlines() if line.startswith("- ")]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_configuration_checks(case: FaultCase, scene: Scene, northwind_credential: int) -> None:
    name = f"Checks-{case.id}"
    at = _open(CONFIGURATIONS_PAGE)
    at.button(key="cc_create").click().run()
    at.selectbox(key="cc_credential").set_value(northwind_credential).run()
    at.text_input(key="cc_name").set_value(name)
    at.text_area(key="cc_description").set_value(TYPED["description"])
    at.selectbox(key="cc_marketing_action").set_value(TYPED["marketing_action"]).run()
    assert at.selectbox(key="cc_sender").value == NORTHWIND_FIRST
    case.arm(scene)
    at.button(key="cc_submit").click().run()
    settled(at, scene.engine)  # the checks run on a worker; the page shows their outcome once they end

    assert not at.exception
    _assert_shown(failed_check(case), _failure_reasons(at))
    with Session(scene.engine) as session:
        [row] = session.exec(select(ChannelConfiguration)).all()
        typed = (row.name, row.description, row.marketing_action, row.credential_id, row.sender_phone_number_id)
        assert typed == (name, TYPED["description"], TYPED["marketing_action"], northwind_credential, NORTHWIND_FIRST)
        assert row.status == "failed"

    at.button(key=f"cc_edit_{row.id}").click().run()  # reopened, every value is there to submit again
    assert not at.exception
    assert at.text_input(key="cc_name").value == name
    assert at.text_area(key="cc_description").value == TYPED["description"]
    assert at.selectbox(key="cc_marketing_action").value == TYPED["marketing_action"]
    assert at.selectbox(key="cc_credential").value == northwind_credential
    assert at.selectbox(key="cc_sender").value == NORTHWIND_FIRST


# --- A poll cycle --------------------------------------------------------------------------------------------


def _last_polled(scene: Scene, waba_id: str) -> set[datetime | None]:
    with Session(scene.engine) as session:
        query = select(PhoneNumber.last_polled_at).where(col(PhoneNumber.waba_id) == waba_id)
        return set(session.exec(query))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_poll_cycle(case: FaultCase, scene: Scene, northwind_credential: int, jaspers_credential: int) -> None:
    northwind_before = _last_polled(scene, NORTHWIND_WABA)
    case.arm(scene)
    console = poller_console(scene)
    try:
        returned = run_cycle(console=console, poll_interval_s=300)
    finally:
        console.graph.close()

    with Session(scene.engine) as session:
        run = session.get(PollRun, returned.id)
        assert run is not None
        credential = session.get(Credential, northwind_credential)
        assert credential is not None
    sentence = pattern(case.graph_sentence("poll"))
    errors = {(error["credential_id"], error["waba_id"]): error for error in run.errors}
    failed = errors[(northwind_credential, NORTHWIND_WABA)]
    assert failed["kind"] == case.kind
    assert re.fullmatch(sentence, failed["sentence"]), (sentence, failed["sentence"])
    if case.kind == "rate_limited":
        assert datetime.fromisoformat(failed["retry_at"]) > run.started_at
    assert _last_polled(scene, NORTHWIND_WABA) == northwind_before  # no partial list taken for the whole
    # Only a token Meta refuses outright is set aside; a permission or ID problem concerns this WABA alone.
    refused = case.kind in ("token_expired", "token_invalid")
    assert credential.token_state == (case.token_state if refused else "valid")

    if case.id == "connection-refused":  # nothing answers: every credential gets its error, none is skipped
        assert run.status == "failed"
        assert {key for key in errors if key[0] == jaspers_credential} >= {(jaspers_credential, JASPERS_WABA)}
        assert all(re.fullmatch(sentence, error["sentence"]) for error in run.errors)
        return
    assert run.status == "partial"
    assert [key for key in errors if key[0] == jaspers_credential] == []
    assert run.finished_at is not None
    for polled in _last_polled(scene, JASPERS_WABA):  # the other credential was read in this very cycle
        assert polled is not None and run.started_at <= polled <= run.finished_at
    assert run.numbers_seen >= 3
