"""The fault catalogue: how each fault is armed, and the sentence an operator must see for it in each operation.

Expectations are sentences in which ⟨markers⟩ stand for what changes from run to run (Meta's trace id, a port,
a date); `pattern()` turns one into a regular expression. A Graph error's sentence is wrapped differently by each
operation: the credential form shows it as is, Re-validate in a flash, the configuration checks in a failure
reason, the poller in its run's error list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from services.simulator import Fault
from tests.resilience.scene import (
    FAST_TIMEOUT_S,
    NORTHWIND,
    NORTHWIND_WABA,
    SLOW_ANSWER_S,
    TOKEN,
    Scene,
    refused_url,
)

OPERATIONS = ("continue", "revalidate", "checks", "poll")
EXPIRED_AT = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
ID_PATHS = r"^/v\d+\.\d+/\d+"  # calls about a business, WABA or number; not debug_token
UNSUPPORTED_GET = (
    f"Unsupported get request. Object with ID '{NORTHWIND_WABA}' does not exist, cannot be loaded due to missing "
    "permissions, or does not support this operation. Please read the Graph API documentation at "
    "https://developers.facebook.com/docs/graph-api"
)
NEW_TOKEN = "create a new one in Meta Business Suite (Business settings > System users > Generate new token)"
BUSINESS = (f"Business account ID {NORTHWIND}", "Meta Business Suite > Business settings > Business info")
WABA = (
    f"WhatsApp Business Account ID {NORTHWIND_WABA}",
    "Meta Business Suite > Business settings > Accounts > WhatsApp accounts",
)
Subject = tuple[str, str] | None


MARKERS = {"⟨trace id⟩": r"[A-Za-z0-9+/]+", "⟨port⟩": r"[0-9]+", "⟨date⟩": r"[0-9]{1,2} [A-Z][a-z]{2} [0-9]{4}"}


def pattern(sentence: str) -> str:
    """The regular expression of an expected sentence: the text exactly, each marker as what it stands for."""
    expression = re.escape(sentence)
    for marker, stands_for in MARKERS.items():
        expression = expression.replace(re.escape(marker), stands_for)
    return expression


def server_error(status: int) -> str:
    return f"Meta's Graph API had a server error (HTTP {status}); try again in a few minutes (reference ⟨trace id⟩)."


def permission(subject: Subject) -> str:
    if subject is None:
        return (
            "The API token lacks the whatsapp_business_management permission; generate a token that includes it "
            "in Meta Business Suite (Business settings > System users)."
        )
    return (
        f"The API token lacks the whatsapp_business_management permission for {subject[0]}; generate a token that "
        "includes it and can reach that ID in Meta Business Suite (Business settings > System users)."
    )


def not_found(subject: Subject) -> str:
    named, where = subject or BUSINESS
    return f"{named} was not found, or this token cannot reach it; check the ID in {where}."


def rate_limited(wait: str) -> str:
    return f"Meta is limiting calls for this business right now; retry after {wait}."


def unreadable(status: int, media: str) -> str:
    return f"The Graph API sent an answer the console cannot read (HTTP {status}, {media}); try again in a few minutes."


@dataclass(frozen=True)
class FaultCase:
    """One fault of the matrix.

    `reaches` says which call it first breaks: `first` any call (so the first one made), `ids` only calls about a
    business/WABA/number ID, `scope` the token lacks a permission (debug_token answers, WABA calls refuse),
    `page2` only the second page of a list.
    """

    id: str
    arm: Callable[[Scene], None]
    sentence: Callable[[Subject], str]
    kind: str  # the GraphError kind the poller records
    transient: bool
    reaches: str = "first"
    token_state: str | None = None  # what Re-validate and the poller make of the credential's token
    credential_sentence: str | None = None  # the credential form and Re-validate word it more precisely

    def subject(self, operation: str) -> Subject:
        """What the failing call is about: the form and Re-validate first ask about the business, the rest the WABA."""
        if self.reaches == "scope":
            return None if operation in ("continue", "revalidate") else WABA
        if self.reaches == "ids":
            return BUSINESS if operation in ("continue", "revalidate") else WABA
        return None

    def graph_sentence(self, operation: str) -> str:
        if self.credential_sentence and operation in ("continue", "revalidate"):
            return self.credential_sentence
        return self.sentence(self.subject(operation))


def _token_becomes(state: str) -> Callable[[Scene], None]:
    def arm(scene: Scene) -> None:
        expires = EXPIRED_AT if state == "expired" else None
        scene.simulator.register_token(TOKEN, state=state, business_ids=[NORTHWIND], expires_at=expires)

    return arm


def _inject(**fault: object) -> Callable[[Scene], None]:
    def arm(scene: Scene) -> None:
        scene.simulator.faults.add(Fault(token=TOKEN, **fault))  # type: ignore[arg-type]

    return arm


def _refuse_connections(scene: Scene) -> None:
    scene.point_console_at(refused_url())


def _refused_sentence(_subject: Subject) -> str:
    return "Cannot reach the Graph API at 127.0.0.1:⟨port⟩; check the network or GRAPH_API_URL."


CASES = (
    FaultCase(
        "expired-token",
        _token_becomes("expired"),
        lambda _subject: f"The API token expired on 31 Oct 2026, 12:00 UTC; {NEW_TOKEN} and paste it here.",
        kind="token_expired",
        transient=False,
        token_state="expired",
    ),
    FaultCase(
        "invalid-token",
        _token_becomes("invalid"),
        lambda _subject: (
            "Meta does not accept this API token (it was revoked, or it is mistyped); copy it again from Meta "
            "Business Suite."
        ),
        kind="token_invalid",
        transient=False,
        token_state="invalid",
        credential_sentence=(
            "Meta no longer accepts this API token: it was revoked (or its user logged out), so it will not work "
            f"again; {NEW_TOKEN} and paste it here."
        ),
    ),
    FaultCase(
        "permission-10",
        _inject(code=10, path=ID_PATHS),
        lambda subject: permission(subject),
        kind="permission_missing",
        transient=False,
        reaches="ids",
        token_state="invalid",
    ),
    FaultCase(
        "permission-200",
        _token_becomes("no_permission"),
        lambda subject: permission(subject),
        kind="permission_missing",
        transient=False,
        reaches="scope",
        token_state="invalid",
    ),
    FaultCase(
        "bad-parameter-100",
        _inject(code=100, subcode=33, message=UNSUPPORTED_GET, path=ID_PATHS),
        lambda subject: not_found(subject),
        kind="bad_parameter",
        transient=False,
        reaches="ids",
    ),
    FaultCase(
        "rate-limit-4",
        _inject(code=4, retry_after_minutes=1),
        lambda _subject: rate_limited("1 minute"),
        kind="rate_limited",
        transient=True,
    ),
    FaultCase(
        "rate-limit-80007",
        _inject(code=80007, retry_after_minutes=7),
        lambda _subject: rate_limited("7 minutes"),
        kind="rate_limited",
        transient=True,
    ),
    FaultCase(
        "rate-limit-130429",
        _inject(code=130429, retry_after_minutes=30),
        lambda _subject: rate_limited("30 minutes"),
        kind="rate_limited",
        transient=True,
    ),
    FaultCase(
        "server-500",
        _inject(code=131000),
        lambda _subject: server_error(500),
        kind="server_error",
        transient=True,
    ),
    FaultCase(
        "server-503",
        _inject(code=2),
        lambda _subject: server_error(503),
        kind="server_error",
        transient=True,
    ),
    FaultCase(
        "timeout",
        _inject(kind="slow", seconds=SLOW_ANSWER_S),
        lambda _subject: f"Meta's Graph API did not answer within {FAST_TIMEOUT_S:g} seconds; try again in a minute.",
        kind="timeout",
        transient=True,
    ),
    FaultCase(
        "connection-refused",
        _refuse_connections,
        _refused_sentence,
        kind="unreachable",
        transient=True,
    ),
    FaultCase(
        "malformed-json",
        _inject(kind="malformed"),
        lambda _subject: unreadable(200, "application/json"),
        kind="unreadable",
        transient=True,
    ),
    FaultCase(
        "html-error-page",
        _inject(kind="html"),
        lambda _subject: unreadable(502, "text/html"),
        kind="unreadable",
        transient=True,
    ),
    FaultCase(
        "page-2-fails",
        _inject(kind="fail_on_page", page=2, code=131000),
        lambda _subject: server_error(500),
        kind="server_error",
        transient=True,
        reaches="page2",
    ),
)
CASE_IDS = [case.id for case in CASES]
