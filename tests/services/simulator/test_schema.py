"""Our answers validate against the 200-response schemas of Meta's own OpenAPI file for the paths we serve."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from services.graph.types import LEGACY_MESSAGING_LIMITS, MESSAGING_LIMITS, PHONE_STATUSES
from tests.services.simulator.conftest import Graph

# Meta's own OpenAPI file for the WhatsApp Business API (facebook/openapi, MIT licence beside it).
SPEC = Path(__file__).parent / "meta_openapi" / "business-messaging-api_v23.0.yaml"
SPEC_URI = "urn:meta:business-messaging-api-v23"
PHONE_FIELDS = (
    "id,display_phone_number,verified_name,quality_rating,status,name_status,code_verification_status,account_mode,"
    "is_official_business_account,messaging_limit_tier"
)


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    """Meta's OpenAPI file, loaded once, with the few enums it gets wrong against Graph widened."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC.open("rb") as handle:
        document = copy.deepcopy(yaml.load(handle, Loader=loader))
    schemas = document["components"]["schemas"]
    # The spec's phone status enum (PENDING/LINKED/UNLINKED/...) is not Graph's: the reference lists CONNECTED,
    # FLAGGED, RESTRICTED... (services.graph.types.PHONE_STATUSES), which is what the API answers.
    schemas["WhatsAppPhoneNumberStatus"]["enum"] = sorted(
        {*schemas["WhatsAppPhoneNumberStatus"]["enum"], *PHONE_STATUSES}
    )
    # The spec's tier enum predates the Oct 2025 ladder (250, 2K, 10K, 100K, unlimited): TIER_2K is missing.
    tier = schemas["WhatsAppBusinessAccountPhoneNumber"]["properties"]["messaging_limit_tier"]
    tier["enum"] = sorted({*LEGACY_MESSAGING_LIMITS, *MESSAGING_LIMITS})
    # Graph reference: code_verification_status is NOT_VERIFIED/VERIFIED/EXPIRED; the spec knows VERIFIED/UNVERIFIED.
    for schema in (
        schemas["WhatsAppCodeVerificationStatus"],
        schemas["PhoneNumberInfo"]["properties"]["code_verification_status"],
    ):
        schema["enum"] = ["VERIFIED", "UNVERIFIED", "NOT_VERIFIED", "EXPIRED"]
    return document


def validator(spec: dict[str, Any], path: str, *, status_required: bool = True) -> Draft202012Validator:
    schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    document = spec
    if not status_required:
        # Graph's default phone_numbers fields are verified_name, display_phone_number, id, quality_rating: the
        # spec's `required: [..., status]` only holds when status is asked for.
        document = copy.deepcopy(spec)
        document["components"]["schemas"]["WhatsAppBusinessAccountPhoneNumber"]["required"].remove("status")
    registry = Registry().with_resource(SPEC_URI, Resource(contents=document, specification=DRAFT202012))
    return Draft202012Validator({"$ref": SPEC_URI + schema["$ref"]}, registry=registry)


def check(spec_validator: Draft202012Validator, body: Any) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in spec_validator.iter_errors(body)]
    assert errors == []


def test_the_spec_catches_a_wrong_answer(spec: dict[str, Any]) -> None:
    phone = validator(spec, "/{Version}/{Phone-Number-ID}")
    assert list(phone.iter_errors({"id": "1", "quality_rating": "PURPLE"}))
    waba = validator(spec, "/{Version}/{WABA-ID}")
    assert list(waba.iter_errors({"id": "1"}))  # name is required
    numbers = validator(spec, "/{Version}/{WABA-ID}/phone_numbers")
    assert list(numbers.iter_errors({"data": [{"id": "1", "display_phone_number": "+1", "status": "SLEEPING"}]}))


def test_waba_node(spec: dict[str, Any], local: Graph) -> None:
    waba = validator(spec, "/{Version}/{WABA-ID}")
    check(waba, local.get("/v23.0/2000000000000011").json())
    everything = "name,currency,timezone_id,country,account_review_status,business_verification_status"
    check(waba, local.get("/v23.0/2000000000000012", fields=everything).json())


def test_phone_number_node(spec: dict[str, Any], local: Graph) -> None:
    phone = validator(spec, "/{Version}/{Phone-Number-ID}")
    for number in ("3000000000000101", "3000000000000104", "3000000000000105"):
        check(phone, local.get(f"/v23.0/{number}").json())
        check(phone, local.get(f"/v23.0/{number}", fields="name_status,code_verification_status,quality_rating").json())


def test_phone_numbers_edge(spec: dict[str, Any], local: Graph) -> None:
    for waba in ("2000000000000011", "2000000000000012", "2000000000000021"):
        check(
            validator(spec, "/{Version}/{WABA-ID}/phone_numbers"),
            local.get(f"/v23.0/{waba}/phone_numbers", fields=PHONE_FIELDS).json(),
        )
        check(
            validator(spec, "/{Version}/{WABA-ID}/phone_numbers", status_required=False),
            local.get(f"/v23.0/{waba}/phone_numbers").json(),
        )
    paged = local.get("/v23.0/2000000000000031/phone_numbers", token="EAADEMOBIGWABA", limit=100, fields=PHONE_FIELDS)
    check(validator(spec, "/{Version}/{WABA-ID}/phone_numbers"), paged.json())


@pytest.mark.parametrize("edge", ["owned_whatsapp_business_accounts", "client_whatsapp_business_accounts"])
def test_business_edges(spec: dict[str, Any], local: Graph, edge: str) -> None:
    accounts = validator(spec, f"/{{Version}}/{{Business-ID}}/{edge}")
    body = local.get(f"/v23.0/1000000000000001/{edge}").json()
    assert body["data"]
    check(accounts, body)
    check(accounts, local.get(f"/v23.0/1000000000000002/{edge}", fields="name,country,account_review_status").json())
