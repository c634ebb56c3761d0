"""The two-step "Create new API credentials": one Continue, the account's numbers at once, a reload that keeps
the step (never the token), numbers that already have a credential marked, one button row on every step."""

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.store.types import utcnow
from tests.fixtures.simulator import ServedSimulator
from tests.markdown import seen
from ui.credential_form import TOKEN_LOST

PAGE = "../../pages/1_API_credentials.py"
ADMIN = Actor(email="ops@example.com", role="admin", name="Ops")
JASPERS = "1000000000000001"
JASPERS_WABA, LUCKY_SHRUB_WABA = "2000000000000011", "2000000000000012"
TOKEN, OTHER_TOKEN = "EAAFLOWTOKENK7P2", "EAAFLOWOTHERTOKENW9J4"
FLOW_BUTTONS = ("cred_back", "cred_continue", "cred_submit", "cred_cancel")


@pytest.fixture
def simulator(
    console_env: dict[str, str], graph_simulator: ServedSimulator, monkeypatch: pytest.MonkeyPatch
) -> ServedSimulator:
    monkeypatch.setenv("GRAPH_API_URL", graph_simulator.url)
    monkeypatch.setattr("services.graph.retry.backoff_s", lambda *_args, **_kw: 0.0)
    expires = utcnow() + timedelta(days=400)
    for token in (TOKEN, OTHER_TOKEN):
        graph_simulator.simulator.register_token(token, state="valid", business_ids=[JASPERS], expires_at=expires)
    return graph_simulator


def _page(query: dict[str, str] | None = None, actor: Actor = ADMIN) -> AppTest:
    """A new session on the page, as a reload of an address with `query` would open it."""
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["signed_in_actor"] = actor
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _button(at: AppTest, label: str):  # noqa: ANN202
    [button] = [b for b in at.button if b.label == label]
    return button


def _texts(at: AppTest) -> list[str]:
    return [seen(e.value) for e in (*at.markdown, *at.caption, *at.success, *at.warning, *at.error, *at.info)]


def _row(at: AppTest) -> list[tuple[str, bool]]:
    """The flow's button row: each button's label and whether it can be clicked."""
    return [(b.label, not b.disabled) for b in at.button if b.key and b.key.startswith(FLOW_BUTTONS)]


def _continue(at: AppTest, token: str = TOKEN) -> AppTest:
    _button(at, "Create new API credentials").click().run()
    at.text_input(key="credform_token").input(token)
    at.text_input(key="credform_business_id").input(JASPERS)
    return _button(at, "Continue").click().run()


def test_one_continue_then_choosing_an_account_lists_its_numbers_at_once(simulator: ServedSimulator) -> None:
    at = _page()
    _button(at, "Create new API credentials").click().run()
    assert _row(at) == [("Back", False), ("Continue", True), ("Cancel", True)]
    at.text_input(key="credform_token").input(TOKEN)
    at.text_input(key="credform_business_id").input(JASPERS)
    _button(at, "Continue").click().run()
    assert not at.exception
    assert "Step 2 of 2 · WhatsApp Business Account and phone number" in _texts(at)
    assert _row(at) == [("Back", True), ("Submit", True), ("Cancel", True)]  # the same row, no second Continue
    assert at.selectbox(key="credform_number").options[0] == "+1 631-555-0103 · Jasper's Bakery"

    at.selectbox(key="credform_waba").select(LUCKY_SHRUB_WABA).run()
    assert not at.exception
    assert at.selectbox(key="credform_number").options == [
        "+1 415-555-0104 · Lucky Shrub",
        "+1 415-555-0105 · Lucky Shrub Garden Center",
    ]
    # a client's number under Jasper's is named after its own business, not after the partner's WABA
    assert at.text_input(key="credform_name").value == "Lucky Shrub · +1 415-555-0104"
    assert ":red-badge[Red · low]" in _texts(at), "the settings are the new account's first number's"
    _button(at, "Submit").click().run()
    assert seen(at.success[0].value).startswith("API credential “Lucky Shrub · +1 415-555-0104” saved")


def test_a_reload_keeps_the_step_and_the_choices_and_asks_for_the_token_again(simulator: ServedSimulator) -> None:
    at = _continue(_page())
    at.selectbox(key="credform_number").select("3000000000000102").run()
    at.text_input(key="credform_name").input("Ice cream promotions").run()
    address = dict(at.query_params)
    assert address == {
        "step": "2",
        "business": JASPERS,
        "waba": JASPERS_WABA,
        "number": "3000000000000102",
        "name": "Ice cream promotions",
    }
    assert TOKEN not in repr(address) and TOKEN[-4:] not in repr(address), "the token never goes into the address"

    reloaded = _page(address)
    assert not reloaded.exception
    texts = _texts(reloaded)
    assert "Step 2 of 2 · WhatsApp Business Account and phone number" in texts, "not dropped back to the list"
    assert TOKEN_LOST in texts
    assert not [b for b in reloaded.button if b.label == "Create new API credentials"]
    assert reloaded.text_input(key="credform_token").value == ""
    assert _row(reloaded) == [("Back", True), ("Continue", True), ("Cancel", True)]

    reloaded.text_input(key="credform_token").input("EAADEMOREVOKED")
    _button(reloaded, "Continue").click().run()
    assert seen(reloaded.error[0].value).startswith("Meta no longer accepts this API token")
    assert TOKEN_LOST in _texts(reloaded)

    reloaded.text_input(key="credform_token").input(TOKEN)
    _button(reloaded, "Continue").click().run()
    assert not reloaded.exception
    assert reloaded.selectbox(key="credform_waba").value == JASPERS_WABA
    assert reloaded.selectbox(key="credform_number").value == "3000000000000102"
    assert reloaded.text_input(key="credform_name").value == "Ice cream promotions"
    assert TOKEN_LOST not in _texts(reloaded)
    _button(reloaded, "Submit").click().run()
    assert seen(reloaded.success[0].value).startswith("API credential “Ice cream promotions” saved")
    assert dict(reloaded.query_params) == {}


def test_a_reload_on_step_one_stays_on_step_one(simulator: ServedSimulator) -> None:
    at = _page()
    _button(at, "Create new API credentials").click().run()
    assert dict(at.query_params) == {"step": "1"}
    reloaded = _page(dict(at.query_params))
    assert "Step 1 of 2 · API token and business" in _texts(reloaded)
    assert [t.label for t in reloaded.text_input] == ["API token", "Business account ID"]


def test_an_edited_address_and_a_viewer_never_reach_the_flow(simulator: ServedSimulator) -> None:
    forged = _page({"step": "2", "business": "not-digits", "waba": "<b>x</b>"})
    assert "Step 1 of 2 · API token and business" in _texts(forged), "step 2 needs a business ID made of digits"
    assert forged.text_input(key="credform_business_id").value == ""
    viewer = _page({"step": "2", "business": JASPERS}, Actor(email="viewer@example.com", role="viewer"))
    assert not viewer.exception
    assert "Only admins can create, replace or delete API credentials." in _texts(viewer)
    assert dict(viewer.query_params) == {}


def test_a_number_that_already_has_a_credential_is_marked_and_not_submitted_silently(
    simulator: ServedSimulator,
) -> None:
    at = _continue(_page())
    _button(at, "Submit").click().run()  # Jasper's Bakery, +1 631-555-0103
    assert seen(at.success[0].value).startswith("API credential “Jasper's Bakery · +1 631-555-0103” saved")

    again = _continue(at)
    number = again.selectbox(key="credform_number")
    assert (
        number.options[0]
        == "+1 631-555-0103 · Jasper's Bakery — already connected as “Jasper's Bakery · +1 631-555-0103”"
    )
    assert number.value == "3000000000000102", "the first free number is offered first"
    number.select("3000000000000103").run()
    assert seen(again.error[0].value).startswith(
        "This API token is already stored for this number as “Jasper's Bakery · +1 631-555-0103”"
    )
    assert ("Submit", False) in _row(again)
    _button(again, "Cancel").click().run()

    other = _continue(again, OTHER_TOKEN)  # another token may connect it again, but only when asked to
    other.selectbox(key="credform_number").select("3000000000000103").run()
    assert seen(other.warning[0].value).startswith(
        "This number is already connected as “Jasper's Bakery · +1 631-555-0103”, with another API token."
    )
    assert ("Submit", False) in _row(other)
    other.checkbox[0].check().run()
    assert ("Submit", True) in _row(other)
    other.text_input(key="credform_name").input("Bakery, second token").run()
    _button(other, "Submit").click().run()
    assert seen(other.success[0].value).startswith("API credential “Bakery, second token” saved")


def test_revoked_and_mistyped_tokens_get_different_sentences_under_the_token(simulator: ServedSimulator) -> None:
    sentences = []
    for token in ("EAADEMOREVOKED", "EAADEMOREVOKEDX"):
        at = _continue(_page(), token)
        [error] = at.error
        sentences.append(seen(error.value))
    revoked, mistyped = sentences
    assert revoked.startswith("Meta no longer accepts this API token: it was revoked (or its user logged out)")
    assert mistyped.startswith("Meta cannot read this API token: it looks mistyped or cut short.")
    assert "mistyped" not in revoked and "revoked" not in mistyped
