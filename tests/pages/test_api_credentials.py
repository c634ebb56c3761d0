import socket
from datetime import timedelta

import pytest
from sqlmodel import Session, select, update
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.moments import day_words
from services.runtime import open_store
from services.simulator import Fault
from services.store.models import ChannelConfiguration, Credential, PhoneNumber
from services.store.types import utcnow
from tests.fixtures.simulator import ServedSimulator
from tests.markdown import seen

PAGE = "../../pages/1_API_credentials.py"
ADMIN = Actor(email="ops@example.com", role="admin", name="Ops")
JASPERS, NORTHWIND = "1000000000000001", "1000000000000003"
TOKEN, NEW_TOKEN = "EAAPAGEFLOWTOKEN4Q7R", "EAAPAGEROTATEDTOKEN8M2N"


@pytest.fixture
def simulator(
    console_env: dict[str, str], graph_simulator: ServedSimulator, monkeypatch: pytest.MonkeyPatch
) -> ServedSimulator:
    """The page's console talks to a fresh simulator over HTTP; retries do not sleep."""
    monkeypatch.setenv("GRAPH_API_URL", graph_simulator.url)
    monkeypatch.setattr("services.graph.retry.backoff_s", lambda *_args, **_kw: 0.0)
    expires = utcnow() + timedelta(days=400)  # the console judges expiry by the wall clock
    for token in (TOKEN, NEW_TOKEN):
        graph_simulator.simulator.register_token(token, state="valid", business_ids=[JASPERS], expires_at=expires)
    return graph_simulator


def _page(actor: Actor = ADMIN) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["signed_in_actor"] = actor
    return at.run()


def _button(at: AppTest, label: str):  # noqa: ANN202 (AppTest's Button type is internal)
    [button] = [b for b in at.button if b.label == label]
    return button


def _texts(at: AppTest) -> list[str]:
    return [seen(e.value) for e in (*at.markdown, *at.caption, *at.success, *at.warning, *at.error, *at.info)]


def _step_one(at: AppTest, token: str, business_id: str) -> AppTest:
    at.text_input(key="credform_token").input(token)
    at.text_input(key="credform_business_id").input(business_id)
    return _button(at, "Continue").click().run()


def _to_numbers(at: AppTest, token: str = TOKEN, waba: str = "2000000000000011") -> AppTest:
    """Create, step 1, and the account: its numbers are listed with no further Continue."""
    _button(at, "Create new API credentials").click().run()
    _step_one(at, token, JASPERS)
    if at.selectbox(key="credform_waba").value != waba:
        at.selectbox(key="credform_waba").select(waba).run()
    return at


def test_the_whole_flow_create_list_revalidate_rotate_and_delete(simulator: ServedSimulator) -> None:
    at = _page()
    assert not at.exception
    assert at.title[0].value == "API credentials"
    assert at.info[0].value.startswith("An API credential is a Meta access token together with a business account ID")

    # Step 1
    _button(at, "Create new API credentials").click().run()
    assert "Step 1 of 2 · API token and business" in _texts(at)
    assert [(t.label, t.proto.type) for t in at.text_input] == [("API token", 1), ("Business account ID", 0)]
    _step_one(at, TOKEN, JASPERS)
    # Step 2: the business's WABAs, named and with their IDs, and at once the first account's numbers
    assert "Step 2 of 2 · WhatsApp Business Account and phone number" in _texts(at)
    assert at.selectbox(key="credform_waba").label == "Business account"
    assert at.selectbox(key="credform_waba").options == [
        "Jasper's Market · 2000000000000011",
        "Lucky Shrub · 2000000000000012 (client)",
    ]
    assert f"Business account ID {JASPERS} · API token ••••4Q7R" in _texts(at)
    assert [b.label for b in at.button if b.key and b.key.startswith("cred_")] == ["Back", "Submit", "Cancel"]
    _button(at, "Back").click().run()
    assert at.text_input(key="credform_token").value == TOKEN  # Back keeps what was typed
    assert at.text_input(key="credform_business_id").value == JASPERS
    _button(at, "Continue").click().run()

    # The numbers, and the chosen one's settings read-only
    number = at.selectbox(key="credform_number")
    assert number.label == "Phone number"
    assert number.options == [
        "+1 631-555-0103 · Jasper's Bakery",
        "+1 631-555-0102 · Jasper's Ice Cream",
        "+1 631-555-0101 · Jasper's Market",
    ]
    number.select("3000000000000103").run()
    texts = _texts(at)
    assert {"**Quality rating**", ":green-badge[Green · high]", "**Throughput**", "Standard · 80 messages/s"} <= set(
        texts
    )
    assert any(text.startswith("Customer feedback on the messages this number sent recently") for text in texts)
    assert {"**Status**", "Connected", "**Messaging limit**", "Unlimited"} <= set(texts)
    assert at.text_input(key="credform_name").value == "Jasper's Bakery · +1 631-555-0103"
    number.select("3000000000000102").run()  # the default name follows the number's own name
    assert at.text_input(key="credform_name").value == "Jasper's Ice Cream · +1 631-555-0102"
    at.selectbox(key="credform_number").select("3000000000000103").run()
    at.text_input(key="credform_name").input("Bakery main").run()
    _button(at, "Back").click().run()
    _button(at, "Continue").click().run()
    assert at.selectbox(key="credform_waba").value == "2000000000000011"
    assert at.selectbox(key="credform_number").value == "3000000000000103"
    assert at.text_input(key="credform_name").value == "Bakery main"
    _button(at, "Submit").click().run()

    # The list
    assert not at.exception
    assert seen(at.success[0].value).startswith("API credential “Bakery main” saved; +1 631-555-0103")
    texts = _texts(at)
    assert {"##### Bakery main", "Jasper's Market", "ID 2000000000000011", "+1 631-555-0103", "Jasper's Bakery"} <= set(
        texts
    )
    assert ":green-badge[Green · high]" in texts and "Standard · 80 messages/s" in texts
    assert any(t.startswith("`••••4Q7R`  \n:green-badge[Valid · expires on ") for t in texts)
    assert f"Created {day_words(utcnow().date())} by ops@example.com" in texts
    assert not [k for k in at.session_state if str(k).startswith(("cred_token", "credform_token"))]

    # Re-validate: three hours later the bakery's quality has dropped
    simulator.simulator.advance(3 * 3600)
    _button(at, "Re-validate").click().run()
    assert "quality :orange-badge[Yellow · medium]" in seen(at.success[0].value)
    assert ":orange-badge[Yellow · medium]" in _texts(at)

    # Replace the token: a failing token keeps the dialog and what was typed, a good one replaces it
    _button(at, "Replace token").click().run()
    at.text_input(key="credform_new_token").input("EAADEMOEXPIRED")
    at.button(key="cred_rotate_confirm").click().run()
    assert "The API token expired on 31 Oct 2026" in seen(at.error[0].value)
    assert at.text_input(key="credform_new_token").value == "EAADEMOEXPIRED"
    at.text_input(key="credform_new_token").input(NEW_TOKEN)
    at.button(key="cred_rotate_confirm").click().run()
    assert seen(at.success[0].value) == "“Bakery main” now uses the token ••••8M2N; the old one is no longer stored."
    assert any(t.startswith("`••••8M2N`") for t in _texts(at))

    # Delete: refused while a configuration uses the credential, confirmed otherwise
    with Session(open_store()) as session:
        credential = session.exec(select(Credential)).one()
        session.add(ChannelConfiguration(name="spring-sale", credential_id=credential.id, status="active"))
        session.commit()
    at.run()
    _button(at, "Delete").click().run()
    assert seen(at.error[0].value).startswith(
        "“Bakery main” cannot be deleted while channel configuration “spring-sale”"
    )
    assert not at.get("dialog")
    with Session(open_store()) as session:
        configuration = session.exec(select(ChannelConfiguration)).one()
        configuration.status = "deactivated"
        session.add(configuration)
        session.commit()
    at.run()
    _button(at, "Delete").click().run()
    assert at.get("dialog"), "the confirmation opens"
    at.button(key="cred_delete_cancel").click().run()
    assert not at.get("dialog")
    _button(at, "Delete").click().run()
    at.button(key="cred_delete_confirm").click().run()
    assert seen(at.success[0].value) == "API credential “Bakery main” deleted."
    assert at.info[0].value.startswith("An API credential is")
    with Session(open_store()) as session:
        assert session.exec(select(Credential)).all() == []


# Where each step-1 refusal is shown: under the field it is about, or above the buttons when no field is to blame.
PLACE = {
    "no-token": "API token",
    "id-not-digits": "Business account ID",
    "expired": "API token",
    "revoked": "API token",
    "mistyped": "API token",
    "permission": "API token",
    "business": "Business account ID",
    "rate-limited": "the buttons",
    "unreachable": "the buttons",
}


def _next_to(at: AppTest, error: str) -> str:
    """The field an error is shown under, in the field's own block ("the buttons": in no field's block)."""

    def holder(node: object, fields: list[str]) -> str | None:
        block_id = str(getattr(getattr(node, "proto", None), "id", ""))
        own = [c.label for c in getattr(node, "children", {}).values() if c.type in ("text_input", "selectbox")]
        if block_id.rsplit("-", 1)[-1].startswith("cred_field_") and own:
            fields = own
        if getattr(node, "type", "") == "error" and node.value == error:  # type: ignore[attr-defined]
            return fields[0] if fields else "the buttons"
        for child in getattr(node, "children", {}).values():
            found = holder(child, fields)
            if found is not None:
                return found
        return None

    found = holder(at.main, [])
    assert found is not None, f"{error!r} is not shown"
    return found


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.mark.parametrize(
    ("token", "business_id", "sentence"),
    [
        ("", JASPERS, "Paste the API token (Meta Business Suite > System users > token)."),
        (TOKEN, "jaspers", "A business account ID is digits only (up to 32), like 1000000000000001."),
        ("EAADEMOEXPIRED", JASPERS, "The API token expired on 31 Oct 2026, 00:00 UTC; create a new one"),
        ("EAADEMOREVOKED", JASPERS, "Meta no longer accepts this API token: it was revoked (or its user logged out)"),
        ("EAAMISTYPEDT0KEN", JASPERS, "Meta cannot read this API token: it looks mistyped or cut short."),
        ("EAADEMONOPERM", JASPERS, "The API token lacks the whatsapp_business_management permission"),
        (TOKEN, NORTHWIND, f"Business account ID {NORTHWIND} was not found, or this token cannot reach it"),
        (TOKEN, JASPERS, "Meta is limiting calls for this business right now; retry after 5 minutes."),
        (TOKEN, JASPERS, "Cannot reach the Graph API at 127.0.0.1"),
    ],
    ids=[
        "no-token",
        "id-not-digits",
        "expired",
        "revoked",
        "mistyped",
        "permission",
        "business",
        "rate-limited",
        "unreachable",
    ],
)
def test_each_step_one_failure_has_its_sentence_and_keeps_the_input(
    simulator: ServedSimulator,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    token: str,
    business_id: str,
    sentence: str,
) -> None:
    case = request.node.callspec.id
    if case == "rate-limited":
        simulator.simulator.faults.add(Fault(code=80007, path="whatsapp_business_accounts", retry_after_minutes=5))
    if case == "unreachable":
        monkeypatch.setenv("GRAPH_API_URL", _closed_port_url())
    at = _page()
    _button(at, "Create new API credentials").click().run()
    _step_one(at, token, business_id)
    assert not at.exception
    assert seen(at.error[0].value).startswith(sentence)
    assert _next_to(at, at.error[0].value) == PLACE[case]
    assert at.text_input(key="credform_token").value == token
    assert at.text_input(key="credform_business_id").value == business_id
    assert at.session_state["cred_step"] == 1
    assert "Step 1 of 2 · API token and business" in _texts(at)
    # and fixing the input moves on
    if case in ("no-token", "id-not-digits", "expired", "business"):
        _step_one(at, TOKEN, JASPERS)
        assert at.selectbox(key="credform_waba").label == "Business account"
        assert not at.error


def test_a_100_kb_token_gets_a_sentence_not_the_error_page_and_no_call(simulator: ServedSimulator) -> None:
    # Once: httpx.InvalidURL ("URL component 'query' too long") behind Streamlit's generic error page.
    at = _page()
    _button(at, "Create new API credentials").click().run()
    before = simulator.simulator.request_count
    _step_one(at, "EAAD" + "x" * 100_000, JASPERS)
    assert not at.exception
    assert seen(at.error[0].value).startswith(
        "The API token is 100,004 characters long; Meta's tokens are at most 2,048."
    )
    assert simulator.simulator.request_count == before
    assert at.session_state["cred_step"] == 1


def test_every_page_of_numbers_is_offered(simulator: ServedSimulator) -> None:
    at = _page()
    _button(at, "Create new API credentials").click().run()
    _step_one(at, "EAADEMOBIGWABA", NORTHWIND)
    assert len(at.selectbox(key="credform_number").options) == 230


def test_cancel_forgets_the_token(simulator: ServedSimulator) -> None:
    at = _to_numbers(_page())
    assert at.query_params["step"] == "2"
    _button(at, "Cancel").click().run()
    assert not [k for k in at.session_state if str(k).startswith("cred_") and at.session_state[k]]
    assert dict(at.query_params) == {}, "the address forgets the flow too"
    assert _button(at, "Create new API credentials")


def test_viewers_see_the_list_without_the_admin_actions(simulator: ServedSimulator) -> None:
    at = _to_numbers(_page())
    _button(at, "Submit").click().run()
    viewer = _page(Actor(email="viewer@example.com", role="viewer"))
    assert not viewer.exception
    assert [b.label for b in viewer.button if b.key and b.key.startswith("cred_")] == ["Re-validate"]
    assert "Only admins can create, replace or delete API credentials." in _texts(viewer)


def test_demo_mode_shows_the_demo_tokens_and_walks_the_flow(
    console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAPH_API_URL", "demo")
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not at.exception
    assert any("`EAADEMOTOKEN`" in info.value for info in at.info), "the list shows the demo tokens too"
    _button(at, "Create new API credentials").click().run()
    hint = at.info[0].value
    for shown in ("EAADEMOTOKEN", "1000000000000001", "1000000000000002", "EAADEMOEXPIRED"):
        assert shown in hint
    _step_one(at, "EAADEMOEXPIRED", "1000000000000001")
    assert seen(at.error[0].value).startswith("The API token expired on ")
    _button(at, "Fill in EAADEMOTOKEN and 1000000000000001").click().run()
    assert at.text_input(key="credform_token").value == "EAADEMOTOKEN"
    _button(at, "Continue").click().run()
    _button(at, "Submit").click().run()
    assert not at.exception
    assert seen(at.success[0].value).startswith("API credential “Jasper's Bakery · +1 631-555-0103” saved")


HOSTILE = "**bold** [link](http://x) $x^2$ :red[red] <b>b</b>"


def _shown_as_typed(markdown: str, expected: str) -> bool:
    """`markdown` reads as `expected` and holds the hostile value only escaped (raw, it would be markup)."""
    return seen(markdown) == expected and HOSTILE not in markdown


def test_the_dialogs_and_their_sentences_show_the_names_as_typed(simulator: ServedSimulator) -> None:
    at = _to_numbers(_page())
    _button(at, "Submit").click().run()
    with Session(open_store()) as session:
        session.exec(update(Credential).values(name=HOSTILE))  # type: ignore[call-overload]
        session.exec(update(PhoneNumber).values(verified_name=HOSTILE))  # type: ignore[call-overload]
        session.commit()
    at.run()

    _button(at, "Replace token").click().run()
    [dialog] = at.get("dialog")
    assert dialog.proto.dialog.title == "Replace the API token"
    assert _shown_as_typed(dialog.markdown[0].value, f"**{HOSTILE}** uses the token `••••4Q7R`.")
    at.text_input(key="credform_new_token").input(NEW_TOKEN)
    at.button(key="cred_rotate_confirm").click().run()
    expected = f"“{HOSTILE}” now uses the token ••••8M2N; the old one is no longer stored."
    assert _shown_as_typed(at.success[0].value, expected)

    with Session(open_store()) as session:  # the new token's check read the verified name from Meta again
        session.exec(update(PhoneNumber).values(verified_name=HOSTILE))  # type: ignore[call-overload]
        session.commit()
    at.run()
    _button(at, "Delete").click().run()
    [dialog] = at.get("dialog")
    assert dialog.proto.dialog.title == "Delete the API credential"
    assert _shown_as_typed(dialog.markdown[0].value, f"Delete **{HOSTILE}** (+1 631-555-0103 · {HOSTILE})?")
    at.button(key="cred_delete_confirm").click().run()
    assert _shown_as_typed(at.success[0].value, f"API credential “{HOSTILE}” deleted.")
