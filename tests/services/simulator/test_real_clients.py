"""Meta's own SDK (facebook-business) and pywa, with their default calls, against the simulator over real HTTP.

Both SDKs ask the fields their authors read from Meta's reference; a field the simulator refuses fails their call,
so this is where the simulator's field lists are held to Meta's. Their answers must match the console's client.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from facebook_business.adobjects.business import Business
from facebook_business.adobjects.whatsappbusinessaccount import WhatsAppBusinessAccount as SdkAccount
from facebook_business.api import FacebookAdsApi
from facebook_business.session import FacebookSession
from pywa import WhatsApp
from pywa.types.others import BusinessPhoneNumber

from services.graph.client import HEALTH_FIELDS, GraphClient
from services.graph.connection import build_graph_client
from services.graph.types import PhoneNumberHealth
from services.simulator.demo import AURORA_WABA, BIG_WABA, BIG_WABA_NUMBERS, JASPERS_WABA, LUCKY_SHRUB_WABA
from tests.fixtures.simulator import ServedSimulator

SPEC = Path(__file__).parent / "meta_openapi" / "business-messaging-api_v23.0.yaml"
# The schemas Meta's OpenAPI file gives each node the console reads (node reads, list rows, the account-number read).
SPEC_SCHEMAS = {
    "phone": ("PhoneNumberInfo", "WhatsAppBusinessAccountPhoneNumber", "WhatsAppAccountNumber", "PhoneNumber"),
    "waba": ("WhatsAppBusinessAccount", "WhatsAppBusinessAccount_1", "WhatsAppBusinessAccount_3"),
}

TOKEN, BIG = "EAADEMOTOKEN", "EAADEMOBIGWABA"
JASPERS, NORTHWIND = "1000000000000001", "1000000000000003"
# Numbers whose demo state differs from the plain one: official, pending review, restricted, disconnected.
NUMBERS = ("3000000000000101", "3000000000000105", "3000000000000107", "3000000000000108")
CONSOLE_VERSION = "v24.0"
SDK_DEFAULT_PAGE = 25  # Graph's page size when a call asks no limit
# The health fields the console compares, asked of facebook-business explicitly (its default is Meta's four).
SDK_NUMBER_FIELDS = [*HEALTH_FIELDS, "whatsapp_business_manager_messaging_limit"]


@pytest.fixture
def console(graph_simulator: ServedSimulator) -> Iterator[GraphClient]:
    client = build_graph_client(graph_simulator.url, version=CONSOLE_VERSION, sleep=lambda _s: None)
    yield client
    client.close()


@pytest.fixture(params=["24.0", "sdk-default"])
def pywa_for(request: pytest.FixtureRequest, graph_simulator: ServedSimulator) -> Iterator[Any]:
    """pywa on the simulator, at the console's version and at pywa's own default; call with a token."""
    sessions: list[httpx.Client] = []

    def build(token: str) -> WhatsApp:
        session = httpx.Client(timeout=10)
        sessions.append(session)
        version = {} if request.param == "sdk-default" else {"api_version": request.param}
        client = WhatsApp(token=token, session=session, **version)
        # pywa has no base-URL option: it points the session it was given at graph.facebook.com/v<version>.
        session.base_url = graph_simulator.url + session.base_url.path.rstrip("/")
        return client

    yield build
    for session in sessions:
        session.close()


@pytest.fixture(params=["v24.0", "sdk-default"])
def sdk_for(
    request: pytest.FixtureRequest, graph_simulator: ServedSimulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """facebook-business on the simulator (its GRAPH base URL overridden); call with a token."""
    monkeypatch.setattr(FacebookSession, "GRAPH", graph_simulator.url)
    previous = FacebookAdsApi.get_default_api()

    def build(token: str) -> FacebookAdsApi:
        version = None if request.param == "sdk-default" else request.param
        return FacebookAdsApi.init(access_token=token, api_version=version, crash_log=False)

    yield build
    FacebookAdsApi.set_default_api(previous)


@pytest.fixture(scope="module")
def spec_fields() -> dict[str, list[str]]:
    """Every property Meta's OpenAPI file lists for the phone number, WABA and business nodes."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC.open("rb") as handle:
        document = yaml.load(handle, Loader=loader)
    schemas = document["components"]["schemas"]
    found = {
        node: sorted({f for name in names for f in schemas[name]["properties"]}) for node, names in SPEC_SCHEMAS.items()
    }
    business = document["paths"]["/{Version}/{Business-ID}"]["get"]["responses"]["200"]["content"]
    found["business"] = sorted(business["application/json"]["schema"]["properties"])
    return found


def same_number(sdk: BusinessPhoneNumber, ours: PhoneNumberHealth) -> None:
    assert sdk.id == ours.id
    assert sdk.display_phone_number == ours.display_phone_number
    assert sdk.verified_name == ours.verified_name
    assert sdk.quality_rating == ours.quality_rating
    assert sdk.quality_score == {"score": ours.quality_rating}
    assert sdk.throughput == {"level": ours.throughput_level}
    assert sdk.status == ours.status
    assert sdk.name_status == ours.name_status
    assert sdk.whatsapp_business_manager_messaging_limit == ours.messaging_limit
    assert sdk.health_status is not None and sdk.health_status["can_send_message"] == ours.can_send


def same_default_row(row: dict[str, Any], ours: PhoneNumberHealth) -> None:
    """A phone number read without `fields=`: Meta's default four fields, exactly."""
    assert set(row) == {"id", "display_phone_number", "verified_name", "quality_rating"}
    assert row["id"] == ours.id
    assert row["display_phone_number"] == ours.display_phone_number
    assert row["verified_name"] == ours.verified_name
    assert row["quality_rating"] == ours.quality_rating


# --- Meta's OpenAPI file ---------------------------------------------------------------------------------------


def spec_read(served: ServedSimulator, path: str, fields: list[str], token: str = TOKEN) -> dict[str, Any]:
    with httpx.Client(base_url=served.url, timeout=10) as http:
        response = http.get(path, params={"fields": ",".join(fields)}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert sorted(body) == sorted({*fields, "id"})
    return body


@pytest.mark.parametrize("number_id", NUMBERS)
def test_every_phone_number_field_of_the_spec_is_served(
    graph_simulator: ServedSimulator, spec_fields: dict[str, list[str]], number_id: str
) -> None:
    # messaging_limit_tier is the spec's (v23.0) name; from v24.0 on Graph serves the renamed field instead.
    v24 = [f for f in spec_fields["phone"] if f != "messaging_limit_tier"] + [
        "whatsapp_business_manager_messaging_limit"
    ]
    body = spec_read(graph_simulator, f"/v24.0/{number_id}", v24)
    assert body["country_dial_code"] == "1" and body["host_platform"] == "CLOUD_API"
    assert spec_read(graph_simulator, f"/v23.0/{number_id}", spec_fields["phone"])["messaging_limit_tier"]
    edge = f"/v24.0/{BIG_WABA}/phone_numbers"
    with httpx.Client(base_url=graph_simulator.url, timeout=10) as http:
        rows = http.get(edge, params={"fields": ",".join(v24)}, headers={"Authorization": f"Bearer {BIG}"}).json()
    assert all(sorted(row) == sorted(v24) for row in rows["data"])


@pytest.mark.parametrize("waba_id", [JASPERS_WABA, LUCKY_SHRUB_WABA, AURORA_WABA])
def test_every_waba_field_of_the_spec_is_served(
    graph_simulator: ServedSimulator, spec_fields: dict[str, list[str]], waba_id: str
) -> None:
    body = spec_read(graph_simulator, f"/v24.0/{waba_id}", spec_fields["waba"])
    assert body["phone_numbers"]["data"] and body["message_templates"]["data"][0]["name"] == "hello_world"
    assert body["ownership_type"] == ("CLIENT_OWNED" if waba_id == LUCKY_SHRUB_WABA else "SELF_OWNED")


def test_every_business_field_of_the_spec_is_served(
    graph_simulator: ServedSimulator, spec_fields: dict[str, list[str]]
) -> None:
    assert spec_read(graph_simulator, f"/v24.0/{JASPERS}", spec_fields["business"])["timezone_id"] == 1


# --- pywa ------------------------------------------------------------------------------------------------------


def test_pywa_pages_through_every_number_of_the_big_waba(pywa_for: Any, console: GraphClient) -> None:
    wa = pywa_for(BIG)
    first = wa.get_business_phone_numbers(waba_id=BIG_WABA)
    assert len(first) == SDK_DEFAULT_PAGE and first.has_next
    numbers = first.all()
    ours = console.phone_numbers(BIG, BIG_WABA)
    assert len(numbers) == len(ours) == BIG_WABA_NUMBERS
    assert [number.id for number in numbers] == [number.id for number in ours]
    for sdk, mine in zip(numbers, ours, strict=True):
        same_number(sdk, mine)


def test_pywa_reads_the_numbers_of_a_small_waba_in_one_page(pywa_for: Any, console: GraphClient) -> None:
    numbers = pywa_for(TOKEN).get_business_phone_numbers(waba_id=AURORA_WABA)
    assert not numbers.has_next
    ours = console.phone_numbers(TOKEN, AURORA_WABA)
    assert len(numbers) == len(ours) == 3
    for sdk, mine in zip(numbers, ours, strict=True):
        same_number(sdk, mine)


@pytest.mark.parametrize("number_id", NUMBERS)
def test_pywa_reads_one_phone_number(pywa_for: Any, console: GraphClient, number_id: str) -> None:
    number = pywa_for(TOKEN).get_business_phone_number(phone_id=number_id)
    same_number(number, console.phone_number(TOKEN, number_id))
    assert number.conversational_automation is not None and number.conversational_automation.id == number_id
    assert number.platform_type == "CLOUD_API" and number.last_onboarded_time
    assert number.country_code == "US" and number.country_dial_code == "1"


def test_pywa_sees_the_demo_numbers_particulars(pywa_for: Any) -> None:
    wa = pywa_for(TOKEN)
    official = wa.get_business_phone_number(phone_id="3000000000000101")
    assert official.is_official_business_account and official.is_pin_enabled and official.certificate
    pending = wa.get_business_phone_number(phone_id="3000000000000105")
    assert pending.name_status == "PENDING_REVIEW" and pending.code_verification_status == "NOT_VERIFIED"
    assert not pending.is_pin_enabled and pending.certificate is None and pending.search_visibility == "HIDDEN"


@pytest.mark.parametrize(("token", "waba_id"), [(TOKEN, JASPERS_WABA), (TOKEN, LUCKY_SHRUB_WABA), (BIG, BIG_WABA)])
def test_pywa_reads_the_waba(pywa_for: Any, console: GraphClient, token: str, waba_id: str) -> None:
    account = pywa_for(token).get_business_account(waba_id=waba_id)
    ours = console.business_account(token, waba_id)
    health = console.account_health(token, waba_id)
    assert (account.id, account.name, account.currency, account.timezone_id) == (
        ours.id,
        ours.name,
        ours.currency,
        ours.timezone_id,
    )
    assert account.account_review_status == health.review_status
    assert account.owner_business_info is not None
    assert (account.owner_business_info.id, account.owner_business_info.name) == (
        health.portfolio_id,
        health.portfolio_name,
    )
    assert account.health_status is not None and account.health_status["can_send_message"] == health.can_send
    assert account.status == "ACTIVE" and account.message_template_namespace
    assert account.subscribed_apps and account.subscribed_apps[0].id


def test_pywa_lists_the_owned_and_shared_wabas_of_a_business(pywa_for: Any, console: GraphClient) -> None:
    wa = pywa_for(TOKEN)
    owned = wa.get_owned_business_accounts(business_portfolio_id=JASPERS)
    shared = wa.get_shared_business_accounts(business_portfolio_id=JASPERS)
    ours = {account.id: account for account in console.business_accounts(TOKEN, JASPERS)}
    assert [account.id for account in owned] == [i for i, a in ours.items() if a.ownership == "owned"]
    assert [account.id for account in shared] == [i for i, a in ours.items() if a.ownership == "client"]
    for account in [*owned, *shared]:
        mine = ours[account.id]
        assert (account.name, account.currency, account.timezone_id) == (mine.name, mine.currency, mine.timezone_id)
    assert [account.ownership_type for account in shared] == ["CLIENT_OWNED"]
    assert {account.ownership_type for account in owned} == {"SELF_OWNED"}


# --- facebook-business (Meta's SDK) ----------------------------------------------------------------------------


def test_meta_sdk_pages_through_every_number_of_the_big_waba(sdk_for: Any, console: GraphClient) -> None:
    api = sdk_for(BIG)
    rows = [dict(row) for row in SdkAccount(BIG_WABA, api=api).get_phone_numbers()]
    ours = console.phone_numbers(BIG, BIG_WABA)
    assert len(rows) == len(ours) == BIG_WABA_NUMBERS
    for row, mine in zip(rows, ours, strict=True):
        same_default_row(row, mine)


def test_meta_sdk_reads_the_health_fields_the_console_reads(sdk_for: Any, console: GraphClient) -> None:
    api = sdk_for(BIG)
    # As a parameter: the SDK types this edge's rows as bare objects, so its field checker knows none of these.
    params = {"fields": ",".join(SDK_NUMBER_FIELDS), "limit": 100}
    rows = list(SdkAccount(BIG_WABA, api=api).get_phone_numbers(params=params))
    ours = console.phone_numbers(BIG, BIG_WABA)
    assert len(rows) == len(ours) == BIG_WABA_NUMBERS
    for row, mine in zip(rows, ours, strict=True):
        assert row["throughput"] == {"level": mine.throughput_level}
        assert (row["status"], row["name_status"]) == (mine.status, mine.name_status)
        assert row["whatsapp_business_manager_messaging_limit"] == mine.messaging_limit


@pytest.mark.parametrize("number_id", NUMBERS)
def test_meta_sdk_reads_one_phone_number(sdk_for: Any, console: GraphClient, number_id: str) -> None:
    # facebook-business has no phone-number class: a node read is a plain call on the number's path.
    body = sdk_for(TOKEN).call("GET", (number_id,)).json()
    same_default_row(body, console.phone_number(TOKEN, number_id))


@pytest.mark.parametrize(("token", "waba_id"), [(TOKEN, JASPERS_WABA), (TOKEN, AURORA_WABA), (BIG, BIG_WABA)])
def test_meta_sdk_reads_the_waba(sdk_for: Any, console: GraphClient, token: str, waba_id: str) -> None:
    account = SdkAccount(waba_id, api=sdk_for(token)).api_get()
    ours = console.business_account(token, waba_id)
    assert (account["id"], account["name"], account["currency"], account["timezone_id"]) == (
        ours.id,
        ours.name,
        ours.currency,
        ours.timezone_id,
    )
    assert account["message_template_namespace"]


def test_meta_sdk_reads_every_field_it_knows_of_a_waba_that_the_spec_lists(sdk_for: Any) -> None:
    known = {value for name, value in vars(SdkAccount.Field).items() if not name.startswith("_")}
    spec = {
        "id",
        "name",
        "timezone_id",
        "message_template_namespace",
        "account_review_status",
        "country",
        "currency",
        "ownership_type",
        "primary_business_location",
        "purchase_order_number",
        "on_behalf_of_business_info",
        "is_enabled_for_insights",
    }
    asked = sorted(known & spec)
    account = SdkAccount(JASPERS_WABA, api=sdk_for(TOKEN)).api_get(fields=asked)
    assert sorted(account.export_all_data()) == asked
    assert account["ownership_type"] == "SELF_OWNED" and account["primary_business_location"] == "US"


@pytest.mark.parametrize(("token", "business_id"), [(TOKEN, JASPERS), (BIG, NORTHWIND)])
def test_meta_sdk_lists_the_owned_and_client_wabas(
    sdk_for: Any, console: GraphClient, token: str, business_id: str
) -> None:
    business = Business(business_id, api=sdk_for(token))
    owned = [dict(row) for row in business.get_owned_whats_app_business_accounts()]
    client = [dict(row) for row in business.get_client_whats_app_business_accounts()]
    ours = console.business_accounts(token, business_id)
    assert [row["id"] for row in owned] == [a.id for a in ours if a.ownership == "owned"]
    assert [row["id"] for row in client] == [a.id for a in ours if a.ownership == "client"]
    by_id = {account.id: account for account in ours}
    for row in [*owned, *client]:
        mine = by_id[row["id"]]
        assert set(row) == {"id", "name", "currency", "timezone_id", "message_template_namespace"}
        assert (row["name"], row["currency"], row["timezone_id"]) == (mine.name, mine.currency, mine.timezone_id)


def test_meta_sdk_reads_the_business(sdk_for: Any) -> None:
    business = Business(JASPERS, api=sdk_for(TOKEN)).api_get()
    assert business.export_all_data() == {"id": JASPERS, "name": "Jasper's Market Group"}
