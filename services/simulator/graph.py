"""The Graph API endpoints the console calls: debug_token, business edges, WABA, phone numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from services.simulator import fields
from services.simulator import templates as message_templates
from services.simulator.errors import (
    GraphFailure,
    bad_parameter,
    invalid_token,
    missing_permission,
    nonexisting_field,
    unsupported_request,
)
from services.simulator.paging import page
from services.simulator.portfolio import Account, Number, Portfolio
from services.simulator.request import Request
from services.simulator.tokens import APP_ID, Token, TokenState, authenticate, describe

DEFAULT_VERSION = 24  # Graph serves unversioned paths at the app's default version
VERSIONS = range(17, 31)
_VERSION = re.compile(r"^v(\d+)\.0$")
_BUSINESS_EDGES = ("owned_whatsapp_business_accounts", "client_whatsapp_business_accounts")


@dataclass(frozen=True)
class World:
    """Everything one answer depends on, read once under the simulator's lock."""

    portfolio: Portfolio
    tokens: dict[str, Token]
    anchor: datetime
    now: datetime
    templates: message_templates.TemplateBook | None = None


@dataclass(frozen=True)
class Reply:
    body: dict[str, object]
    page: int | None = None  # the page number served, on list edges


def path_parts(path: str) -> tuple[int, list[str]]:
    """The API major version in the path (not yet checked) and the segments after it."""
    segments = [s for s in path.split("/") if s]
    match = _VERSION.match(segments[0]) if segments else None
    if match is None:
        return DEFAULT_VERSION, segments
    return int(match.group(1)), segments[1:]


def usage_key(path: str, portfolio: Portfolio) -> str:
    """The object Meta would count a call against in X-Business-Use-Case-Usage (WABA or business)."""
    segments = path_parts(path)[1]
    object_id = segments[0] if segments else ""
    if object_id in portfolio.numbers:
        return portfolio.numbers[object_id].waba_id
    if object_id in portfolio.accounts or object_id in portfolio.businesses:
        return object_id
    return APP_ID


def answer(request: Request, world: World) -> Reply:
    """The answer to one Graph request, or a GraphFailure in Meta's terms."""
    major, segments = path_parts(request.path)
    if major not in VERSIONS:
        raise GraphFailure(2635, f"(#2635) Graph API v{major}.0 is not served here; use v17.0 to v30.0.")
    if segments == ["debug_token"] and request.method == "GET" and _inspects_itself(request, world):
        # Meta answers a token that inspects itself with 200 and is_valid false, even when it no longer works.
        return Reply(_debug_token(request, world))
    token = authenticate(request.token, world.tokens, world.now)
    if request.method != "GET":
        raise unsupported_request(request.method, segments[0] if segments else "")
    if segments == ["debug_token"]:
        return Reply(_debug_token(request, world))
    if not segments or len(segments) > 2:
        raise GraphFailure(2500, "Unknown path components: /" + "/".join(segments[1:]))
    if token.state is TokenState.NO_PERMISSION:
        raise missing_permission()
    reach = {account.id for account in world.portfolio.reach(token.business_ids)}
    if len(segments) == 1:
        return Reply(_node(segments[0], request, world, token, reach, major))
    return _edge(segments[0], segments[1], request, world, token, reach, major)


def _node(object_id: str, request: Request, world: World, token: Token, reach: set[str], major: int) -> dict:
    portfolio, asked = world.portfolio, request.query.get("fields")
    number = portfolio.numbers.get(object_id)
    if number is not None and number.waba_id in reach and number.onboarded <= world.now - world.anchor:
        names = fields.asked_fields(asked, fields.PHONE_DEFAULT)
        fields.check_fields(names, fields.phone_fields(major), fields.PHONE_NODE)
        return fields.select(_phone_values(number, world, major), names)
    account = _account(object_id, portfolio, reach)
    if account is not None:
        return _render_accounts([account], request, world, major)[0]
    business = portfolio.businesses.get(object_id)
    if business is not None and object_id in token.business_ids:
        names = fields.asked_fields(asked, fields.BUSINESS_DEFAULT)
        fields.check_fields(names, fields.BUSINESS_FIELDS, fields.BUSINESS_NODE)
        return fields.select(fields.business_values(business), names)
    raise unsupported_request("GET", object_id)


def _phone_values(number: Number, world: World, major: int) -> dict[str, object]:
    health = number.schedule.at(world.now - world.anchor)
    owner = world.portfolio.accounts[number.waba_id].owner_business_id
    return fields.phone_values(number, health, major=major, anchor=world.anchor, business_id=owner)


def _account(object_id: str, portfolio: Portfolio, reach: set[str]) -> Account | None:
    account = portfolio.accounts.get(object_id)
    if account is not None and object_id not in reach:
        # Reference §1.4: a WABA your business does not own or manage answers error 200, not 100.
        raise missing_permission()
    return account


def _render_accounts(accounts: list[Account], request: Request, world: World, major: int) -> list[dict[str, object]]:
    portfolio = world.portfolio
    names, expansions = fields.expanded_fields(request.query.get("fields"), fields.WABA_DEFAULT)
    fields.check_fields(names, fields.WABA_FIELDS, fields.WABA_NODE)
    owners = portfolio.businesses
    rendered = []
    for account in accounts:
        problems = ()
        if "health_status" in names:
            offset = world.now - world.anchor
            problems = tuple(number.schedule.at(offset).problem for number in portfolio.numbers_of(account.id))
        values = fields.account_values(account, owners.get(account.owner_business_id), problems)
        if "phone_numbers" in names:
            values["phone_numbers"] = _nested_numbers(account, expansions.get("phone_numbers"), request, world, major)
        if "message_templates" in names:
            values["message_templates"] = _nested_templates(
                account, expansions.get("message_templates"), request, world, major
            )
        rendered.append(fields.select(values, names))
    return rendered


def _nested_numbers(
    account: Account, expansion: fields.Expansion | None, request: Request, world: World, major: int
) -> dict[str, object]:
    """`phone_numbers{...}` inside a WABA: the edge's first page, whose `next` link is the edge itself."""
    query = {"fields": expansion.fields} if expansion and expansion.fields else {}
    if expansion and expansion.limit is not None:
        query["limit"] = expansion.limit
    edge = Request("GET", f"/v{major}.0/{account.id}/phone_numbers", query, request.token, request.base_url)
    return _number_listing(account.id, edge, world, major).body


def _number_listing(waba_id: str, request: Request, world: World, major: int) -> Reply:
    names = fields.asked_fields(request.query.get("fields"), fields.PHONE_DEFAULT)
    fields.check_fields(names, fields.phone_fields(major), fields.PHONE_NODE)
    offset = world.now - world.anchor
    # A number is listed from its onboarding on, as Meta lists it.
    listed = [number for number in world.portfolio.numbers_of(waba_id) if number.onboarded <= offset]
    chosen = page(listed, request)
    rows = [fields.select(_phone_values(number, world, major), names) for number in chosen.items]
    return _listing(rows, chosen.paging, chosen.number)


def _nested_templates(
    account: Account, expansion: fields.Expansion | None, request: Request, world: World, major: int
) -> dict[str, object]:
    """`message_templates{...}` inside a WABA: the edge's first page, like the numbers'."""
    query = {"fields": expansion.fields} if expansion and expansion.fields else {}
    if expansion and expansion.limit is not None:
        query["limit"] = expansion.limit
    edge = Request("GET", f"/v{major}.0/{account.id}/message_templates", query, request.token, request.base_url)
    return _template_listing(account.id, edge, world).body


def _template_listing(waba_id: str, request: Request, world: World) -> Reply:
    names = fields.asked_fields(request.query.get("fields"), message_templates.TEMPLATE_DEFAULT)
    fields.check_fields(names, message_templates.TEMPLATE_FIELDS, message_templates.TEMPLATE_NODE)
    book, offset = world.templates, world.now - world.anchor
    listed = message_templates.filtered(book.of(waba_id, offset), book, offset, request.query) if book else []
    chosen = page(listed, request)
    rows = [
        fields.select(message_templates.values(book, template, offset, world.anchor), names)  # type: ignore[arg-type]
        for template in chosen.items
    ]
    return _listing(rows, chosen.paging, chosen.number)


def _edge(
    object_id: str, edge: str, request: Request, world: World, token: Token, reach: set[str], major: int
) -> Reply:
    portfolio = world.portfolio
    if object_id in portfolio.businesses and object_id in token.business_ids:
        if edge not in _BUSINESS_EDGES:
            raise nonexisting_field(edge, fields.BUSINESS_NODE)
        listed = portfolio.owned(object_id) if edge == _BUSINESS_EDGES[0] else portfolio.clients(object_id)
        chosen = page(listed, request)
        return _listing(_render_accounts(chosen.items, request, world, major), chosen.paging, chosen.number)
    if _account(object_id, portfolio, reach) is None:
        raise unsupported_request("GET", object_id)
    if edge == "message_templates":
        return _template_listing(object_id, request, world)
    if edge != "phone_numbers":
        raise nonexisting_field(edge, fields.WABA_NODE)
    return _number_listing(object_id, request, world, major)


def _listing(rows: list[dict[str, object]], paging: dict[str, object] | None, number: int) -> Reply:
    body: dict[str, object] = {"data": rows}
    if paging is not None:
        body["paging"] = paging
    return Reply(body, page=number)


def _inspects_itself(request: Request, world: World) -> bool:
    return bool(request.token) and request.query.get("input_token") == request.token and request.token in world.tokens


def _debug_token(request: Request, world: World) -> dict[str, object]:
    value = request.query.get("input_token")
    if not value:
        raise bad_parameter("The parameter input_token is required")
    token = world.tokens.get(value)
    if token is None:
        return {"data": {"error": invalid_token().inner(), "is_valid": False, "scopes": []}}
    targets = [account.id for account in world.portfolio.reach(token.business_ids)]
    return {"data": describe(token, targets=targets, now=world.now)}
