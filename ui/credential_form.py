"""Widgets of the API credentials page: the two-step "Create new API credentials" flow and its pieces.

Step 1 asks for the API token and the business account ID (one Continue); step 2 chooses the WhatsApp Business
Account and the phone number (choosing an account lists its numbers at once), whose settings fill in; Submit.

The flow keeps what was typed in non-widget `cred_` keys (widget state vanishes while a widget is not shown), so
Back and failed calls keep everything; the token lives there only until Submit or Cancel. The step and the
non-secret choices are mirrored into the page's address (services.credentials.flow), so a reload keeps them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import streamlit as st
from sqlmodel import Session

from services.access.roles import Actor, PermissionDenied
from services.access.vault import VaultError, last4, masked
from services.credentials import lifecycle as credentials
from services.credentials import numbers as offered
from services.credentials.flow import KEYS as ADDRESS_KEYS
from services.credentials.flow import FlowPlace, from_query, to_query
from services.graph.errors import GraphError
from services.graph.types import PhoneNumberHealth
from services.health.vocabulary import limit_words, status_words, throughput_words
from services.language.translate import N_, _, lazy
from services.runtime import Console
from services.simulator.demo import AURORA, JASPERS, NORTHWIND
from ui.badges import quality_badge
from ui.text import plain

T = TypeVar("T")
STEPS = 2
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
    "cred_numbers_failed",
    "cred_phone_number_id",
    "cred_name",
    "cred_name_default",
    "cred_errors",
    "cred_wanted",
)
WIDGET_PREFIX = "credform_"
QUALITY_MEANING = lazy(
    "Customer feedback on the messages this number sent recently (Meta weighs the last 7 days): "
    "Green = high, Yellow = medium, Red = low."
)
THROUGHPUT_MEANING = lazy("The rate at which this number can send messages.")
TOKEN_LOST = lazy(
    "The page was reloaded, and the console never keeps the API token across a reload (it is not in the address "
    "and not stored before Submit). Paste the token again to go on; the business account ID and your choices "
    "are kept."
)


def _demo_tokens() -> tuple[tuple[str, str], ...]:
    return (
        (
            "EAADEMOTOKEN",
            _(
                "valid; business account IDs {first} (Jasper's Market Group) and {second} (Aurora Coffee Co.)",
                first=JASPERS,
                second=AURORA,
            ),
        ),
        ("EAADEMOEXPIRED", _("expired: shows the expired-token sentence")),
        ("EAADEMONOPERM", _("cannot manage WhatsApp Business Accounts: shows the missing-permission sentence")),
        ("EAADEMOREVOKED", _("revoked: Meta no longer accepts it")),
        (
            "EAADEMOBIGWABA",
            _("valid for {business} (Northwind Traders): a WABA of 230 numbers, 3 pages", business=NORTHWIND),
        ),
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


def resume(actor: Actor) -> None:
    """A new session (a reload) on an address that names a step: go back to it, without the token."""
    if st.session_state.get("credentials_address_read") or not actor.is_admin:
        return
    # Only a session's first run reads the address: later runs wrote it themselves (a flow closed since included).
    st.session_state["credentials_address_read"] = True
    if "cred_step" in st.session_state:
        return
    place = from_query(st.query_params.to_dict())
    if place is None:
        return
    st.session_state.update(cred_step=place.step, cred_business_id=place.business_id, cred_wanted=place)
    st.session_state["credform_business_id"] = place.business_id
    st.session_state["cred_name"] = place.name


def keep_in_address() -> None:
    """Mirror the step and the non-secret choices into the address; nothing once the flow is closed."""
    wanted: FlowPlace | None = st.session_state.get("cred_wanted")
    step = st.session_state.get("cred_step")
    query: dict[str, str] = {}
    if step:
        query = to_query(
            FlowPlace(
                step=step,
                business_id=st.session_state.get("cred_business_id") or "",
                waba_id=st.session_state.get("cred_waba_id") or (wanted.waba_id if wanted else ""),
                phone_number_id=st.session_state.get("cred_phone_number_id")
                or (wanted.phone_number_id if wanted else ""),
                name=st.session_state.get("cred_name") or "",
            )
        )
    for key in ADDRESS_KEYS:
        if key in query and st.query_params.get(key) != query[key]:
            st.query_params[key] = query[key]
        elif key not in query and key in st.query_params:
            del st.query_params[key]


def _run(label: str, call: Callable[[], T]) -> tuple[T | None, Exception | None]:
    with st.status(label, expanded=False) as status:
        try:
            result = call()
        except PROBLEMS as exc:
            status.update(label=_("Stopped."), state="error")
            return None, exc
        status.update(label=_("Done."), state="complete")
    return result, None


def attempt(label: str, call: Callable[[], T]) -> tuple[T | None, str | None]:
    """Run a Graph-calling action under a status: (its result, None), or (None, the sentence it was refused with)."""
    result, problem = _run(label, call)
    return result, str(problem) if problem else None


def _attempt_fields(label: str, call: Callable[[], T]) -> T | None:
    """Like attempt(), but the refusal is kept for the field it concerns (shown under that field)."""
    result, problem = _run(label, call)
    st.session_state["cred_errors"] = {credentials.field_of(problem): str(problem)} if problem else {}
    return result


def _field_error(field: str) -> None:
    """The refusal about `field`, right under it ("" = about none: shown above the buttons)."""
    sentence = st.session_state.get("cred_errors", {}).get(field)
    if sentence:  # sentences quote what was typed and what Meta answered
        with st.container(key=f"cred_field_{field or 'general'}_error"):
            st.error(plain(sentence))


@contextmanager
def _field(field: str) -> Iterator[None]:
    """A field and, right under it in the same block, the refusal about it."""
    with st.container(key=f"cred_field_{field}", gap="small"):
        yield
        _field_error(field)


def setting(label: str, value: str, meaning: str = "") -> None:
    """A read-only setting: bold label, value (markdown, badges allowed), optional meaning below."""
    st.markdown(f"**{label}**")  # labels come translated
    st.markdown(value)
    if meaning:
        st.caption(meaning)


def number_settings(number: PhoneNumberHealth) -> None:
    """The chosen number's settings, read-only, as Meta reports them."""
    quality, throughput, status, limit = st.columns(4)
    with quality:
        setting(_("Quality rating"), quality_badge(number.quality_rating.value), str(QUALITY_MEANING))
    with throughput:
        setting(_("Throughput"), throughput_words(number.throughput_level.value), str(THROUGHPUT_MEANING))
    with status:
        setting(_("Status"), plain(status_words(number.status)))
    with limit:
        setting(
            _("Messaging limit"), plain(limit_words(number.messaging_limit)), _("Shared by the business portfolio.")
        )


def demo_hint() -> None:
    lines = "\n".join(f"- `{token}`: {meaning}" for token, meaning in _demo_tokens())
    st.info(_("**Demo mode.** The built-in Graph API simulator knows these API tokens:") + f"\n{lines}", icon="🧪")


def _fill_demo() -> None:
    st.session_state["credform_token"], st.session_state["credform_business_id"] = "EAADEMOTOKEN", JASPERS


def _step_header(step: int, title: str) -> None:
    st.subheader(_("Create new API credentials"))
    st.caption(_("Step {step} of {steps} · {title}", step=step, steps=STEPS, title=title))


def _back_to(step: int) -> None:
    st.session_state["cred_step"] = step
    st.session_state.pop("cred_errors", None)
    if step == 1:  # the step-1 widgets were not shown meanwhile, so their state is gone: refill it
        st.session_state["credform_token"] = st.session_state.get("cred_token", "")
        st.session_state["credform_business_id"] = st.session_state.get("cred_business_id", "")


def _actions(step: int, primary: str, *, in_form: bool, disabled: bool = False) -> bool:
    """The one button row of every step: Back | Continue or Submit | Cancel, in one line on any screen."""
    button = st.form_submit_button if in_form else st.button
    with st.container(horizontal=True, key=f"cred_actions_{step}"):
        button(_("Back"), key=f"cred_back_{step}", on_click=_back_to, args=(step - 1,), disabled=step == 1)
        go = button(_(primary), type="primary", key=f"cred_{primary.lower()}_{step}", disabled=disabled)
        button(_("Cancel"), key=f"cred_cancel_{step}", on_click=clear_flow)
    return go


def _check_with_meta(console: Console, token: str, business_id: str) -> None:
    """Continue: check locally, then with Meta; on success step 2 opens with the kept (or first) account."""
    try:
        token, business_id = credentials.check_input(token=token, business_id=business_id)
    except credentials.CredentialInputError as exc:
        st.session_state["cred_errors"] = {exc.field: str(exc)}
        st.rerun()
    found = _attempt_fields(
        _("Checking the token and the business with Meta…"),
        lambda: credentials.discover(graph=console.graph, token=token, business_id=business_id, at=console.clock()),
    )
    if found is not None:
        wanted: FlowPlace | None = st.session_state.get("cred_wanted")
        kept = [st.session_state.get("cred_waba_id"), wanted.waba_id if wanted else None]
        waba_id = next((w for w in kept if w and found.account(w)), found.accounts[0].id)
        if st.session_state.get("cred_business_id") != business_id or waba_id != st.session_state.get("cred_waba_id"):
            st.session_state.pop("cred_numbers", None)
        st.session_state.pop("cred_numbers_failed", None)  # a new Continue reads a refused account again
        st.session_state.update(
            cred_token=token, cred_business_id=business_id, cred_discovery=found, cred_step=2, cred_waba_id=waba_id
        )
        st.session_state["credform_waba"] = waba_id
    st.rerun()


def step_one(console: Console) -> None:
    """API token and business account ID, each refusal under its field; one Continue."""
    _step_header(1, _("API token and business"))
    if console.settings.demo:
        demo_hint()
        st.button(
            _("Fill in {token} and {business_id}", token="EAADEMOTOKEN", business_id=JASPERS),
            on_click=_fill_demo,
            key="cred_fill_demo",
        )
    with st.form("credform_step1", border=False):
        with _field("token"):
            token = st.text_input(_("API token"), type="password", key="credform_token", autocomplete="off")
        with _field("business_id"):
            business_id = st.text_input(
                _("Business account ID"), key="credform_business_id", placeholder="1000000000000001"
            )
        _field_error("")
        submitted = _actions(1, N_("Continue"), in_form=True)
    if submitted:
        _check_with_meta(console, token or "", business_id or "")


def _context() -> None:
    token = st.session_state.get("cred_token")
    shown = masked(last4(token)) if token else _("not held (paste it again)")
    st.caption(
        _(
            "Business account ID {business_id} · API token {token}",
            business_id=st.session_state["cred_business_id"],
            token=shown,
        )
    )


def _ask_token_again(console: Console) -> None:
    """After a reload: say the token is gone and ask for it, keeping the step and the choices."""
    st.warning(str(TOKEN_LOST), icon="🔑")
    with st.form("credform_again", border=False):
        with _field("token"):
            token = st.text_input(_("API token"), type="password", key="credform_token", autocomplete="off")
            _field_error("business_id")  # the business ID is not shown here; its refusal goes with the token
        _field_error("")
        submitted = _actions(2, N_("Continue"), in_form=True)
    if submitted:
        _check_with_meta(console, token or "", st.session_state["cred_business_id"])


def _account_changed() -> None:
    st.session_state["cred_waba_id"] = st.session_state["credform_waba"]
    st.session_state.pop("cred_errors", None)
    st.session_state.pop("credform_number", None)


def _numbers_of(console: Console, waba_id: str) -> list[PhoneNumberHealth] | None:
    """The account's numbers, read once per account (every page) in this very run; None if Meta refused."""
    cache: dict[str, list[PhoneNumberHealth]] = st.session_state.setdefault("cred_numbers", {})
    if waba_id in cache:
        return cache[waba_id]
    if st.session_state.get("cred_numbers_failed") == waba_id:
        return None
    token = st.session_state["cred_token"]
    with st.spinner(_("Reading the account's phone numbers (every page)…")):
        try:
            numbers = credentials.discover_numbers(graph=console.graph, token=token, waba_id=waba_id)
        except PROBLEMS as exc:
            st.session_state["cred_numbers_failed"] = waba_id
            st.session_state["cred_errors"] = {"waba_id": str(exc)}
            return None
    cache[waba_id] = numbers
    return numbers


def _read_again() -> None:
    st.session_state.pop("cred_numbers_failed", None)
    st.session_state.pop("cred_errors", None)


def _default_name(number: PhoneNumberHealth) -> None:
    """Name the credential after the number itself, unless the person has typed a name of their own."""
    default = offered.default_name(number)
    current = st.session_state.get("credform_name", st.session_state.get("cred_name"))
    if current in (None, "", st.session_state.get("cred_name_default")):
        st.session_state["credform_name"] = default
    else:
        st.session_state["credform_name"] = current
    st.session_state["cred_name_default"] = default


def _choose_number(numbers: list[PhoneNumberHealth], taken: dict[str, offered.Connection]) -> None:
    """Before the number widget: keep a valid choice, else the address's, the last one, or the first free number."""
    ids = [n.id for n in numbers]
    if st.session_state.get("credform_number") in ids:
        return
    wanted: FlowPlace | None = st.session_state.get("cred_wanted")
    kept = [wanted.phone_number_id if wanted else None, st.session_state.get("cred_phone_number_id")]
    chosen = next((n for n in kept if n in ids), None) or offered.first_free(numbers, taken)
    st.session_state.pop("cred_wanted", None)  # the address's choices are used up once the numbers are shown
    st.session_state["credform_number"] = chosen
    _default_name(next(n for n in numbers if n.id == chosen))


def _number_changed(numbers: list[PhoneNumberHealth]) -> None:
    st.session_state.pop("cred_errors", None)
    _default_name(next(n for n in numbers if n.id == st.session_state["credform_number"]))


def _connected(connection: offered.Connection | None) -> bool:
    """Say so under the number when it already has a credential; True while Submit must stay off."""
    if connection is None:
        return False
    if connection.same_token:
        st.error(
            _(
                "This API token is already stored for this number as “{name}”; use that credential, "
                "or choose another number.",
                name=plain(connection.name),
            )
        )
        return True
    st.warning(
        _(
            "This number is already connected as “{name}”, with another API token. "
            "A second credential makes the console read it twice.",
            name=plain(connection.name),
        )
    )
    return not st.checkbox(_("Connect it a second time anyway"), key=f"credform_again_{connection.credential_id}")


def step_two(console: Console, actor: Actor) -> None:
    """Choose the account (its numbers list at once) and the number; its settings fill in read-only; Submit."""
    _step_header(2, _("WhatsApp Business Account and phone number"))
    _context()
    if not st.session_state.get("cred_token") or "cred_discovery" not in st.session_state:
        _ask_token_again(console)
        return
    discovery: credentials.Discovery = st.session_state["cred_discovery"]
    client = _(" (client)")
    names = {a.id: f"{a.name} · {a.id}" + (client if a.ownership == "client" else "") for a in discovery.accounts}
    with _field("waba_id"):
        waba_id = st.selectbox(
            _("Business account"),
            list(names),
            format_func=names.__getitem__,
            key="credform_waba",
            on_change=_account_changed,
        )
        st.session_state["cred_waba_id"] = waba_id
        numbers = _numbers_of(console, waba_id)
    if numbers is None:
        st.button(_("Read the numbers again"), on_click=_read_again, key="cred_read_again")
        _actions(2, N_("Submit"), in_form=False, disabled=True)
        return
    with Session(console.engine) as session:
        taken = offered.connections(
            session=session,
            phone_number_ids=[n.id for n in numbers],
            fingerprint=console.vault.fingerprint(st.session_state["cred_token"]),
        )
    by_id = {n.id: n for n in numbers}
    labels = {n.id: offered.label(n, taken.get(n.id)) for n in numbers}
    _choose_number(numbers, taken)
    with _field("phone_number_id"):
        number_id = st.selectbox(
            _("Phone number"),
            list(labels),
            format_func=labels.__getitem__,
            key="credform_number",
            on_change=_number_changed,
            args=(numbers,),
        )
        st.session_state["cred_phone_number_id"] = number_id
        blocked = _connected(taken.get(number_id))
    number_settings(by_id[number_id])
    with _field("name"):
        name = st.text_input(_("Name"), key="credform_name", max_chars=credentials.NAME_MAX)
        st.session_state["cred_name"] = name
    _field_error("token")
    _field_error("")
    if not _actions(2, N_("Submit"), in_form=False, disabled=blocked):
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
                waba_id=waba_id,
                phone_number_id=number_id,
                name=name,
                at=console.clock(),
                poll_interval_s=console.settings.poll_interval_seconds,
            )
            return credential.name

    stored = _attempt_fields(_("Checking again with Meta and storing the credential…"), store)
    if stored is not None:
        clear_flow()
        shown = f"{by_id[number_id].display_phone_number} · {by_id[number_id].verified_name}"
        flash(
            "success",
            _(
                "API credential “{name}” saved; {number} joined the monitored fleet.",
                name=plain(stored),
                number=plain(shown),
            ),
        )
    st.rerun()
