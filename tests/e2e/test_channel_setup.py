"""Setting up a channel in a real browser: an API credential, then a channel configuration that goes Active.

The screenshots of these pages come from test_api_credentials.py and test_channel_configurations.py.
"""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from services.simulator.demo import JASPERS, JASPERS_WABA
from tests.e2e.console_page import ConsolePage

pytestmark = pytest.mark.e2e

# The demo credential services.demo stores for Jasper's Market (+1 631-555-0101); the other tests' fixture data.
JASPERS_CREDENTIAL = "Jasper's Market · +1 631-555-0101 (••••OKEN)"


def _start_credential(console: ConsolePage, *, token: str, business_id: str) -> None:
    console.open("API_credentials")
    console.button("Create new API credentials").click()
    expect(console.main.get_by_text("Step 1 of 2")).to_be_visible()
    console.field("API token").fill(token)
    console.field("Business account ID").fill(business_id)
    console.button("Continue").click()


def _fill_configuration(console: ConsolePage, *, name: str, marketing_action: str, credential: str) -> None:
    console.open("Channel_configurations")
    console.button("Create channel configuration").click()
    expect(console.main.get_by_role("heading", name="Create channel configuration")).to_be_visible()
    console.settle()
    console.type_into("Name", name)
    console.choose("Marketing action", marketing_action)
    console.choose("WhatsApp API configuration", credential)


def test_seed_flow_a_new_credential_and_a_draft_configuration_that_becomes_active(console: ConsolePage) -> None:
    _start_credential(console, token="EAADEMOTOKEN", business_id=JASPERS)
    expect(console.main.get_by_text("Step 2 of 2")).to_be_visible()
    console.settle()
    expect(console.selectbox("Business account")).to_have_value(f"Jasper's Market · {JASPERS_WABA}")
    expect(console.button("Continue")).to_have_count(0)  # the account's numbers are listed at once
    console.choose("Phone number", "+1 631-555-0102 · Jasper's Ice Cream")
    expect(console.main.get_by_text("Quality rating", exact=True)).to_be_visible()
    expect(console.main.get_by_text("Green · high")).to_be_visible()
    expect(console.main.get_by_text("Throughput", exact=True)).to_be_visible()
    expect(console.main.get_by_text("Standard · 80 messages/s")).to_be_visible()
    console.type_into("Name", "Jasper's Ice Cream promotions")
    console.button("Submit").click()
    expect(console.main.get_by_text("API credential “Jasper's Ice Cream promotions” saved")).to_be_visible()
    console.settle()
    card = console.card("Jasper's Ice Cream promotions", button="Re-validate")
    expect(card).to_contain_text("+1 631-555-0102")
    expect(card).to_contain_text("••••OKEN")
    expect(card).not_to_contain_text("EAADEMOTOKEN")

    name = "ice_cream.summer-2026"
    _fill_configuration(
        console,
        name=name,
        marketing_action="WhatsApp Marketing",
        credential="Jasper's Ice Cream promotions (••••OKEN)",
    )
    console.type_into("Description", "Summer offers for Jasper's Ice Cream customers who opted in.")
    expect(console.selectbox("Sender number")).to_have_value(
        f"✅ OK · +1 631-555-0102 · Jasper's Ice Cream (WABA {JASPERS_WABA})"
    )
    console.button("Save as draft").click()
    expect(console.main.get_by_text(f"Draft “{name}” saved")).to_be_visible()
    console.settle()

    console.page.reload()
    console.settle()
    draft = console.card(name, button="Edit")
    expect(draft).to_contain_text("Draft")
    expect(draft).to_contain_text("+1 631-555-0102 · Jasper's Ice Cream")
    draft.get_by_role("button", name="Edit", exact=True).click()
    expect(console.main.get_by_role("heading", name="Edit channel configuration")).to_be_visible()
    console.settle()
    expect(console.field("Name")).to_have_value(name)
    console.button("Submit").click()
    expect(console.main.get_by_text(f"“{name}” is Active.")).to_be_visible()
    console.settle()

    console.page.reload()
    console.settle()
    expect(console.card(name, button="Deactivate")).to_contain_text("Active")


def test_a_failing_check_fails_the_configuration_and_shows_why(
    console: ConsolePage, graph_faults: Callable[..., None]
) -> None:
    name = "jaspers.fault-check"
    _fill_configuration(console, name=name, marketing_action="None (transactional)", credential=JASPERS_CREDENTIAL)
    graph_faults(
        kind="error",
        path=f"/{JASPERS_WABA}$",
        code=200,
        message="(#200) Requires whatsapp_business_management permission to manage the object",
    )
    console.button("Submit").click()
    expect(console.main.get_by_text(f"“{name}” Failed: fix what the failed checks say")).to_be_visible()
    console.settle()
    failed = console.card(name, button="Edit")
    expect(failed).to_contain_text("Failed")
    expect(failed).to_contain_text("Failure reasons")
    expect(failed).to_contain_text(
        f"Give the token's system user access to WhatsApp Business Account {JASPERS_WABA} in Meta Business Suite"
    )


def test_an_expired_token_at_continue_shows_its_sentence_and_keeps_what_was_typed(console: ConsolePage) -> None:
    _start_credential(console, token="EAADEMOEXPIRED", business_id=JASPERS)
    sentence = console.main.get_by_text(re.compile(r"^The API token expired on .+ and paste it here\.$"))
    expect(sentence).to_be_visible()
    console.settle()
    expect(console.main.get_by_text("Step 1 of 2")).to_be_visible()
    expect(console.field("API token")).to_have_value("EAADEMOEXPIRED")
    expect(console.field("Business account ID")).to_have_value(JASPERS)
