"""The one Graph API client of the console: typed results, typed errors, retries of transient failures."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import httpx

from services.graph import results, subjects
from services.graph.envelope import error_from_envelope, invalid_token, read_json, unreadable
from services.graph.errors import BadParameter, GraphError, TokenInvalid
from services.graph.network import failure_of
from services.graph.paging import every_page
from services.graph.redaction import redact
from services.graph.results import ShapeError
from services.graph.retry import SHORT_WAIT_S, with_retries
from services.graph.said import Said
from services.graph.subjects import Subject
from services.graph.types import AccountHealth, BusinessAccount, PhoneNumberHealth, TokenInfo
from services.language.translate import N_

HEALTH_FIELDS = results.HEALTH_FIELDS
# What the poller reads of a WABA besides its numbers: its ban/review state and can-send verdict.
ACCOUNT_HEALTH_FIELDS = ("id", "name", "account_review_status", "owner_business_info", "health_status")
ACCOUNT_FIELDS = ("id", "name", "currency", "timezone_id")
BUSINESS_EDGES = (("owned_whatsapp_business_accounts", "owned"), ("client_whatsapp_business_accounts", "client"))
MAX_PAGE_SIZE = 100
_TOKEN = re.compile(r"[\x21-\x7e]+")
# Meta's access tokens run to a few hundred characters; a longer paste is something else, and would not fit a URL.
MAX_TOKEN_LENGTH = 2048
_GRAPH_ID = re.compile(r"[0-9]{1,32}")

log = logging.getLogger(__name__)
T = TypeVar("T")
Reader = Callable[[dict[str, object], httpx.Response], T]


def _usable(token: str) -> str:
    token = (token or "").strip()
    if not token:
        raise TokenInvalid(
            Said(N_("No API token was given; paste the token from Meta Business Suite (Business settings)."))
        )
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenInvalid(token_too_long(len(token)))
    if not _TOKEN.fullmatch(token):
        raise TokenInvalid(
            Said(
                N_(
                    "The API token holds spaces or characters Meta never puts in a token; "
                    "copy it again from Meta Business Suite."
                )
            )
        )
    return token


def token_too_long(length: int) -> Said:
    return Said(
        N_(
            "The API token is {length} characters long; Meta's tokens are at most {most}. "
            "Copy only the token from Meta Business Suite (System users > Generate token) and paste it again."
        ),
        length=length,
        most=MAX_TOKEN_LENGTH,
    )


def _checked(subject: Subject) -> Subject:
    if not _GRAPH_ID.fullmatch(subject.id):
        raise BadParameter(subject.digits_only)
    return subject


class GraphClient:
    """Calls Meta's Graph API (or the simulator) over one shared `httpx.Client`; thread-safe."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        version: str = "v24.0",
        max_retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        longest_wait_s: float = SHORT_WAIT_S,
        on_response: Callable[[httpx.Response], None] | None = None,
    ) -> None:
        self.http = http
        self.version = version
        self.major = int(version.lstrip("v").split(".")[0])
        self.max_retries = max_retries
        self.longest_wait_s = longest_wait_s
        self.calls = 0  # Graph HTTP requests made, retries included
        self._sleep = sleep
        self._on_response = on_response
        self._lock = threading.Lock()

    def sharing(
        self, *, longest_wait_s: float, on_response: Callable[[httpx.Response], None] | None = None
    ) -> GraphClient:
        """A client on the same connection pool with its own call count, longest retry wait and response hook."""
        return GraphClient(
            self.http,
            version=self.version,
            max_retries=self.max_retries,
            sleep=self._sleep,
            longest_wait_s=longest_wait_s,
            on_response=on_response,
        )

    @property
    def health_fields(self) -> tuple[str, ...]:
        """The phone-number fields asked, with the messaging-limit field this version serves."""
        return (*HEALTH_FIELDS, results.limit_field(self.major))

    def close(self) -> None:
        """Close the pooled connections."""
        self.http.close()

    def debug_token(self, token: str) -> TokenInfo:
        """What Meta says of `token`: expiry, scopes and the WABAs it reaches; raises the typed error if invalid."""
        token = _usable(token)

        def read(body: dict[str, object], response: httpx.Response) -> TokenInfo:
            data = body.get("data")
            if not isinstance(data, Mapping):
                raise ShapeError("debug_token: no 'data' object")
            if data.get("is_valid") is not True:
                inner = data.get("error")
                if isinstance(inner, Mapping):
                    raise error_from_envelope(
                        inner, http_status=response.status_code, headers=response.headers, subject=None
                    )
                raise invalid_token(http_status=response.status_code)
            return results.token_info(data)

        # Meta takes the token under inspection only as a query parameter; redaction keeps it out of the logs.
        return self._get("debug_token", token=token, params={"input_token": token}, subject=None, read=read)

    def business_accounts(self, token: str, business_id: str) -> list[BusinessAccount]:
        """Owned and client WABAs of a business (both edges, every page, de-duplicated)."""
        token, subject = _usable(token), _checked(subjects.business(business_id.strip()))
        found: dict[str, BusinessAccount] = {}
        for edge, ownership in BUSINESS_EDGES:

            def convert(row: object, ownership: str = ownership) -> BusinessAccount:
                return results.business_account(row, ownership=ownership)

            params = {"fields": ",".join(ACCOUNT_FIELDS), "limit": str(MAX_PAGE_SIZE)}
            path = f"{subject.id}/{edge}"
            for account in self._pages(path, token=token, params=params, subject=subject, convert=convert):
                found.setdefault(account.id, account)  # a WABA both owned and shared counts as owned
        return list(found.values())

    def business_account(self, token: str, waba_id: str) -> BusinessAccount:
        """One WABA by ID (ownership is not on the node, so it reads as `owned`)."""
        token, subject = _usable(token), _checked(subjects.whatsapp_account(waba_id.strip()))

        def read(body: dict[str, object], _response: httpx.Response) -> BusinessAccount:
            return results.business_account(body, ownership="owned")

        params = {"fields": ",".join(ACCOUNT_FIELDS)}
        return self._get(subject.id, token=token, params=params, subject=subject, read=read)

    def phone_numbers(self, token: str, waba_id: str, *, page_size: int = MAX_PAGE_SIZE) -> list[PhoneNumberHealth]:
        """Every phone number of a WABA with its health fields, following paging at limit=100."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {page_size}.")
        token, subject = _usable(token), _checked(subjects.whatsapp_account(waba_id.strip()))

        def convert(row: object) -> PhoneNumberHealth:
            return results.phone_health(row, major=self.major)

        params = {"fields": ",".join(self.health_fields), "limit": str(page_size)}
        path = f"{subject.id}/phone_numbers"
        return self._pages(path, token=token, params=params, subject=subject, convert=convert)

    def message_templates(
        self,
        token: str,
        waba_id: str,
        *,
        fields: Sequence[str],
        convert: Callable[[Mapping[str, object]], T],
        page_size: int = MAX_PAGE_SIZE,
    ) -> list[T]:
        """Every message template of a WABA (`fields` of each), following paging at limit=100.

        `convert` reads one of Meta's rows; the templates domain owns that reading, so this layer stays below it.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {page_size}.")
        token, subject = _usable(token), _checked(subjects.whatsapp_account(waba_id.strip()))
        params = {"fields": ",".join(fields), "limit": str(page_size)}
        return self._pages(
            f"{subject.id}/message_templates", token=token, params=params, subject=subject, convert=convert
        )

    def account_health(self, token: str, waba_id: str, *, page_size: int = MAX_PAGE_SIZE) -> AccountHealth:
        """A WABA's own health and every number's, in as many calls as pages of numbers (one for most WABAs).

        Graph's field expansion carries the first page of numbers inside the WABA read; later pages come
        from the phone_numbers edge with the cursor the expansion gave.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {page_size}.")
        token, subject = _usable(token), _checked(subjects.whatsapp_account(waba_id.strip()))
        number_fields = ",".join(self.health_fields)
        edge = f"{subject.id}/phone_numbers"
        account: list[Mapping[str, object]] = []

        def numbers_of(body: Mapping[str, object]) -> tuple[list[PhoneNumberHealth], str | None]:
            rows = [results.phone_health(row, major=self.major) for row in results.rows(body, edge)]
            return rows, results.next_cursor(body, edge)

        def read_node(body: dict[str, object], _response: httpx.Response) -> tuple[list[PhoneNumberHealth], str | None]:
            account.append(body)
            nested = body.get("phone_numbers")
            if nested is None:
                return [], None  # Graph leaves an empty edge out of the expansion
            if not isinstance(nested, Mapping):
                raise ShapeError("phone_numbers is not a list edge")
            return numbers_of(nested)

        def read_edge(body: dict[str, object], _response: httpx.Response) -> tuple[list[PhoneNumberHealth], str | None]:
            return numbers_of(body)

        def fetch(after: str | None) -> tuple[list[PhoneNumberHealth], str | None]:
            if after is None:
                expansion = f"phone_numbers.limit({page_size}){{{number_fields}}}"
                params = {"fields": ",".join((*ACCOUNT_HEALTH_FIELDS, expansion))}
                return self._get(subject.id, token=token, params=params, subject=subject, read=read_node)
            params = {"fields": number_fields, "limit": str(page_size), "after": after}
            return self._get(edge, token=token, params=params, subject=subject, read=read_edge)

        numbers = every_page(fetch, what=edge)
        return results.account_health(account[-1], numbers)

    def phone_number(self, token: str, phone_number_id: str) -> PhoneNumberHealth:
        """One phone number's health fields."""
        token, subject = _usable(token), _checked(subjects.phone_number(phone_number_id.strip()))

        def read(body: dict[str, object], _response: httpx.Response) -> PhoneNumberHealth:
            return results.phone_health(body, major=self.major)

        params = {"fields": ",".join(self.health_fields)}
        return self._get(subject.id, token=token, params=params, subject=subject, read=read)

    def _pages(
        self, path: str, *, token: str, params: dict[str, str], subject: Subject, convert: Callable[[object], T]
    ) -> list[T]:
        def read(body: dict[str, object], _response: httpx.Response) -> tuple[list[T], str | None]:
            return [convert(row) for row in results.rows(body, path)], results.next_cursor(body, path)

        def fetch(after: str | None) -> tuple[list[T], str | None]:
            asked = (params | {"after": after}) if after else params
            return self._get(path, token=token, params=asked, subject=subject, read=read)

        return every_page(fetch, what=path)

    def _get(self, path: str, *, token: str, params: dict[str, str], subject: Subject | None, read: Reader[T]) -> T:
        def attempt() -> T:
            return self._attempt(path, token=token, params=params, subject=subject, read=read)

        return with_retries(
            attempt,
            max_retries=self.max_retries,
            sleep=self._sleep,
            longest_wait_s=self.longest_wait_s,
            what=f"/{self.version}/{path}",
        )

    def _attempt(self, path: str, *, token: str, params: dict[str, str], subject: Subject | None, read: Reader[T]) -> T:
        url = f"/{self.version}/{path}"
        with self._lock:
            self.calls += 1
        try:
            try:
                response = self.http.get(url, params=params, headers={"Authorization": f"Bearer {token}"})
            except httpx.HTTPError as exc:
                log.debug("GET %s -> %s", url, type(exc).__name__)
                raise failure_of(exc, self.http) from None
            log.debug("GET %s -> %d", url, response.status_code)
            if self._on_response is not None:
                self._on_response(response)
            body = read_json(response, subject=subject)
            try:
                return read(body, response)
            except ShapeError as exc:
                raise unreadable(response, str(exc)) from None
        except GraphError as error:
            if error.meta_message:  # Meta's wording, or a proxy's page, may echo what we sent
                error.meta_message = redact(error.meta_message, token)
            raise
