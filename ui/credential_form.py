"""Widgets of the API credentials page: the three-step "Create new API credentials" flow and its pieces.

The flow keeps what was typed in non-widget `cred_` keys (widget state vanishes while a widget is not shown), so
Back and failed calls keep everything; the token lives there only until Submit or Cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlmodel import Session

from services.access.roles import Actor, PermissionDenied
from services.access.vault import VaultError, last4, masked
from services.credentials import lifecycle as credentials
from services.graph.errors import GraphError
from services.graph.types import PhoneNumberHealth
from services.health.vocabulary import limit_words, throughput_words
from services.runtime import Console
from services.simulator.demo import AURORA, JASPERS, NORTHWIND
from ui.badges import quality_badge
from ui.text import plain

T = TypeVar("T")
# Everything a credential action may refuse with; each carries an operator sentence.
PROBLEMS = (
    GraphError,
    credentials.CredentialInputError,
    credentials.DuplicateCredential,
    credentials.CredentialInUse,
    credentials.CredentialNotFound,
    PermissionDenied,
    VaultError,
)
FLOW_KEYS = (
    "cred_step",
    "cred_token",
    "cred_business_id",
    "cred_discovery",
    "cred_waba_id",
    "cred_numbers",
    "cred_phone_number_id",
    "cred_name",
    "cred_name_default",
    "cred_error",
)
WIDGET_PREFIX = "credform_"
QUALITY_MEANING = (
    "Customer feedback on the messages this number sent recently (Meta weighs the last 7 days): "
    "Green = high, Yellow = medium, Red = low."
)
THROUGHPUT_MEANING = "The rate at which this number can send messages."
DEMO_TOKENS = (
    ("EAADEMOTOKEN", f"valid; business account IDs {JASPERS} (Jasper's Market Group) and {AURORA} (Aurora Coffee Co.)"),
    ("EAADEMOEXPIRED", "expired: shows the expired-token sentence"),
    ("EAADEMONOPERM", "lacks the whatsapp_business_management permission"),
    ("EAADEMOREVOKED", "revoked: Meta no longer accepts it"),
    ("EAADEMOBIGWABA", f"valid for {NORTHWIND} (Northwind Traders): a WABA of 230 numbers, 3 pages"),
)


def flash(kind: str, text: str) -> None:
    """Show `text` once, on the next run (after st.rerun)."""
    st.session_state["cred_flash"] = (kind, text)


def show_flash() -> None:
    kind, text = st.session_state.pop("cred_flash", ("", ""))
    if text:
        {"success": st.success, "warning": st.warning, "error": st.error}.get(kind, st.info)(text)


def start_flow() -> None:
    clear_flow()
    st.session_state["cred_step"] = 1


def clear_flow() -> None:
    """Forget the flow, the token included."""
    for key in [*FLOW_KEYS, *(k for k in st.session_state if str(k).startswith(WIDGET_PREFIX))]:
        st.session_state.pop(key, None)


def attempt(label: str, call: Callable[[], T]) -> tuple[T | None, str | None]:
    """Run a Graph-calling action under a status: (its result, None), or (None, the sentence it was refused with)."""
    with st.status(label, expanded=False) as status:
        try:
            result = call()
        except PROBLEMS as exc:
            status.update(label="Stopped.", state="error")
            return None, str(exc)
        status.update(label="Done.", state="complete")
    return result, None


def _remember(problem: str | None) -> None:
    if problem:
        st.session_state["cred_error"] = problem
    else:
        st.session_state.pop("cred_error", None)


def setting(label: str, value: str, meaning: str = "") -> None:
    """A read-only setting: bold label, value (markdown, badges allowed), optional meaning below."""
    st.markdown(f"**{label}**")
    st.markdown(value)
    if meaning:
        st.caption(meaning)


def number_settings(number: PhoneNumberHealth) -> None:
    """The chosen number's settings, read-only, as Meta reports them."""
    quality, throughput, status, limit = st.columns(4)
    with quality:
        setting("Quality rating", quality_badge(number.quality_rating.value), QUALITY_MEANING)
    with throughput:
        setting("Throughput", throughput_words(number.throughput_level.value), THROUGHPUT_MEANING)
    with status:
        setting("Status", plain((number.status or "Not reported").replace("_", " ").title()))
    with limit:
        setting("Messaging limit", plain(limit_words(number.messaging_limit)), "Shared by the business portfolio.")


def demo_hint() -> None:
    lines = "\n".join(f"- `{token}`: {meaning}" for token, meaning in DEMO_TOKENS)
    st.info(f"**Demo mode.** The built-in Graph API simulator knows these API tokens:\n{lines}", icon="🧪")


def _fill_demo() -> None:
    st.session_state["credform_token"], st.session_state["credform_business_id"] = "EAADEMOTOKEN", JASPERS


def _step_header(step: int, title: str) -> None:
    st.subheader("Create new API credentials")
    st.caption(f"Step {step} of 3 · {title}")
    if st.session_state.get("cred_error"):  # sentences quote what was typed and what Meta answered
        st.error(plain(st.session_state["cred_error"]))


def _back_to(step: int) -> None:
    st.session_state["cred_step"] = step
    st.session_state.pop("cred_error", None)
    if step == 1:  # the step-1 widgets were not shown meanwhile, so their state is gone: refill it
        st.session_state["credform_token"] = st.session_state.get("cred_token", "")
        st.session_state["credform_business_id"] = st.session_state.get("cred_business_id", "")
    if step == 2:
        st.session_state["credform_waba"] = st.session_state.get("cred_waba_id")


def step_one(console: Console) -> None:
    """API token and business account ID, checked locally, then with Meta."""
    _step_header(1, "API token and business")
    if console.settings.demo:
        demo_hint()
        st.button("Fill in EAADEMOTOKEN and 1000000000000001", on_click=_fill_demo, key="cred_fill_demo")
    with st.form("credform_step1", border=False):
        token = st.text_input("API token", type="password", key="credform_token", autocomplete="off")
        business_id = st.text_input("Business account ID", key="credform_business_id", placeholder="1000000000000001")
        submitted = st.form_submit_button("Continue", type="primary")
    st.button("Cancel", on_click=clear_flow, key="cred_cancel_1")
    if not submitted:
        return
    try:
        token, business_id = credentials.check_input(token=token or "", business_id=business_id or "")
    except credentials.CredentialInputError as exc:
        st.session_state["cred_error"] = str(exc)
        st.rerun()
    found, problem = attempt(
        "Checking the token and the business with Meta…",
        lambda: credentials.discover(graph=console.graph, token=token, business_id=business_id, at=console.clock()),
    )
    _remember(problem)
    if found is not None:
        st.session_state.update(cred_token=token, cred_business_id=business_id, cred_discovery=found, cred_step=2)
        if found.account(st.session_state.get("cred_waba_id", "")) is None:
            st.session_state["cred_waba_id"] = found.accounts[0].id
        st.session_state["credform_waba"] = st.session_state["cred_waba_id"]
    st.rerun()


def _context() -> None:
    token = masked(last4(st.session_state["cred_token"]))
    st.caption(f"Business account ID {st.session_state['cred_business_id']} · API token {token}")


def step_two(console: Console) -> None:
    """Choose one of the WhatsApp Business Accounts the token and business reach."""
    _step_header(2, "WhatsApp Business Account")
    _context()
    discovery: credentials.Discovery = st.session_state["cred_discovery"]
    names = {a.id: f"{a.name} · {a.id}" + (" (client)" if a.ownership == "client" else "") for a in discovery.accounts}
    waba_id = st.selectbox("Business account", list(names), format_func=names.__getitem__, key="credform_waba")
    st.session_state["cred_waba_id"] = waba_id
    back, go, cancel = st.columns(3)
    back.button("Back", on_click=_back_to, args=(1,), key="cred_back_2", width="stretch")
    cancel.button("Cancel", on_click=clear_flow, key="cred_cancel_2", width="stretch")
    if not go.button("Continue", type="primary", key="cred_continue_2", width="stretch"):
        return
    token = st.session_state["cred_token"]
    numbers, problem = attempt(
        "Reading the account's phone numbers (every page)…",
        lambda: credentials.discover_numbers(graph=console.graph, token=token, waba_id=waba_id),
    )
    _remember(problem)
    if numbers is not None:
        chosen = st.session_state.get("cred_phone_number_id")
        if chosen not in {n.id for n in numbers}:
            chosen = numbers[0].id
        st.session_state.update(cred_numbers=numbers, cred_phone_number_id=chosen, cred_step=3, credform_number=chosen)
        _default_name(chosen)
    st.rerun()


def _default_name(phone_number_id: str) -> None:
    """Name the credential after the WABA and number, unless the person has typed a name of their own."""
    discovery: credentials.Discovery = st.session_state["cred_discovery"]
    account = discovery.account(st.session_state["cred_waba_id"])
    number = next(n for n in st.session_state["cred_numbers"] if n.id == phone_number_id)
    default = f"{account.name if account else ''} · {number.display_phone_number}".strip(" ·")
    current = st.session_state.get("credform_name", st.session_state.get("cred_name"))
    if current in (None, "", st.session_state.get("cred_name_default")):
        st.session_state["credform_name"] = default
    else:
        st.session_state["credform_name"] = current
    st.session_state["cred_name_default"] = default


def _number_changed() -> None:
    _default_name(st.session_state["credform_number"])


def step_three(console: Console, actor: Actor) -> None:
    """Choose the number; its settings fill in read-only; Submit stores the credential."""
    _step_header(3, "Phone number")
    _context()
    numbers: list[PhoneNumberHealth] = st.session_state["cred_numbers"]
    by_id = {n.id: n for n in numbers}
    labels = {n.id: f"{n.display_phone_number} · {n.verified_name}" for n in numbers}
    number_id = st.selectbox(
        "Phone number", list(labels), format_func=labels.__getitem__, key="credform_number", on_change=_number_changed
    )
    st.session_state["cred_phone_number_id"] = number_id
    number_settings(by_id[number_id])
    name = st.text_input("Name", key="credform_name", max_chars=credentials.NAME_MAX)
    st.session_state["cred_name"] = name
    back, submit, cancel = st.columns(3)
    back.button("Back", on_click=_back_to, args=(2,), key="cred_back_3", width="stretch")
    cancel.button("Cancel", on_click=clear_flow, key="cred_cancel_3", width="stretch")
    if not submit.button("Submit", type="primary", key="cred_submit", width="stretch"):
        return

    def store() -> str:
        with Session(console.engine) as session:
            credential = credentials.connect(
                session=session,
                graph=console.graph,
                vault=console.vault,
                actor=actor,
                token=st.session_state["cred_token"],
                business_id=st.session_state["cred_business_id"],
                waba_id=st.session_state["cred_waba_id"],
                phone_number_id=number_id,
                name=name,
                at=console.clock(),
                poll_interval_s=console.settings.poll_interval_seconds,
            )
            return credential.name

    stored, problem = attempt("Checking again with Meta and storing the credential…", store)
    _remember(problem)
    if stored is not None:
        clear_flow()
        joined = f"{plain(labels[number_id])} joined the monitored fleet."
        flash("success", f"API credential “{plain(stored)}” saved; {joined}")
    st.rerun()
