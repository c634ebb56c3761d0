"""Turn a Graph API answer into its JSON object, or into the typed error that Meta's envelope (or its absence) means."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import httpx

from services.graph.errors import (
    BadParameter,
    GraphError,
    GraphServerError,
    PermissionMissing,
    RateLimited,
    TokenExpired,
    TokenInvalid,
    UnreadableResponse,
)
from services.graph.expiry import parse_expiry
from services.graph.said import Said
from services.graph.subjects import Subject
from services.graph.types import REQUIRED_PERMISSION
from services.graph.usage import regain_access_s
from services.language.translate import N_, _

TOKEN_CODES = frozenset({102, 190})
EXPIRED_SUBCODE = 463
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80007, 80008, 130429})
SERVER_CODES = frozenset({1, 2, 131000, 131016})
# Meta sends no wait with app-level throttling (code 4/17); its window is a rolling hour, so five minutes is a guess.
DEFAULT_RATE_LIMIT_WAIT_S = 300.0
_PERMISSION = re.compile(r"\b((?:whatsapp_)?business_[a-z_]+|[a-z]+_management|[a-z]+_messaging)\b")
_NONEXISTING_FIELD = re.compile(r"nonexisting field \(([A-Za-z0-9_]+)\)")


def media_type(response: httpx.Response) -> str:
    """The answer's content type without parameters, for the operator sentence."""
    return response.headers.get("content-type", "").split(";")[0].strip().lower() or _("no content type")


def unreadable(response: httpx.Response, detail: str) -> UnreadableResponse:
    """The error for an answer the console cannot use; `detail` (for the logs) says why."""
    sentence = Said(
        N_(
            "The Graph API sent an answer the console cannot read (HTTP {status}, {media_type}); try again in a few "
            "minutes."
        ),
        status=str(response.status_code),
        media_type=media_type(response),
    )
    return UnreadableResponse(sentence, http_status=response.status_code, meta_message=detail)


def _redirect(response: httpx.Response) -> UnreadableResponse:
    target = httpx.URL(response.headers.get("location", ""))
    host, status = response.request.url.netloc.decode(), str(response.status_code)
    if target.is_absolute_url:
        sentence = Said(
            N_(
                "The Graph API at {host} answered with a redirect (HTTP {status}) to {target}; set GRAPH_API_URL "
                "to the address it points to."
            ),
            host=host,
            status=status,
            target=f"{target.scheme}://{target.netloc.decode()}",
        )
    else:
        sentence = Said(
            N_(
                "The Graph API at {host} answered with a redirect (HTTP {status}); set GRAPH_API_URL to the address it "
                "points to."
            ),
            host=host,
            status=status,
        )
    error = UnreadableResponse(sentence, http_status=response.status_code, meta_message="redirect")
    error.transient = False  # the same URL keeps redirecting; only a configuration change helps
    return error


def _body(response: httpx.Response) -> object:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def read_json(response: httpx.Response, *, subject: Subject | None) -> dict[str, object]:
    """The JSON object of a successful answer; raises the typed error for any other answer."""
    status = response.status_code
    if 300 <= status < 400:
        raise _redirect(response)
    body = _body(response)
    if isinstance(body, dict) and isinstance(body.get("error"), Mapping):
        raise error_from_envelope(body["error"], http_status=status, headers=response.headers, subject=subject)
    if body is None:
        raise unreadable(response, f"not JSON: {response.text[:200]!r}")
    if status >= 500:
        raise _server_error(status, response.headers.get("x-fb-trace-id"), meta_message="no error envelope")
    if status >= 400 or not isinstance(body, dict):
        raise unreadable(response, "no error envelope" if status >= 400 else "JSON is not an object")
    return body


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _server_error(
    status: int | None, reference: str | None, *, meta_message: str | None, code: int | None = None
) -> GraphServerError:
    if reference:
        sentence = Said(
            N_(
                "Meta's Graph API had a server error (HTTP {status}); try again in a few minutes "
                "(reference {reference})."
            ),
            status=str(status),
            reference=reference,
        )
    else:
        sentence = Said(
            N_("Meta's Graph API had a server error (HTTP {status}); try again in a few minutes."), status=str(status)
        )
    return GraphServerError(sentence, code=code, http_status=status, fbtrace_id=reference, meta_message=meta_message)


def invalid_token(**kw: object) -> TokenInvalid:
    """Meta's 190 (other than expiry), or debug_token's `is_valid: false`."""
    sentence = Said(
        N_(
            "Meta does not accept this API token (it was revoked, or it is mistyped); copy it again from Meta "
            "Business Suite."
        )
    )
    return TokenInvalid(sentence, **kw)


def wait_phrase(seconds: float) -> str:
    """`1 minute`, `5 minutes`, `3 hours`: a wait rounded up to what an operator can plan with."""
    return str(wait_said(seconds))


def wait_said(seconds: float) -> Said:
    """The wait of `wait_phrase`, kept to be said in each reader's language."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes >= 120:
        return Said(N_("{count} hours"), count=math.ceil(minutes / 60))
    return Said.plural("1 minute", "{count} minutes", minutes)


def error_from_envelope(
    error: Mapping[str, object],
    *,
    http_status: int | None,
    headers: Mapping[str, str],
    subject: Subject | None,
) -> GraphError:
    """The typed error for Meta's `{"error": {...}}` object (also the `error` inside a debug_token answer)."""
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode", error.get("subcode")))
    message = str(error.get("message") or "")
    reference = str(error.get("fbtrace_id") or headers.get("x-fb-trace-id") or "") or None
    kw: dict[str, object] = {
        "code": code,
        "subcode": subcode,
        "http_status": http_status,
        "fbtrace_id": reference,
        "meta_message": message or None,
    }
    if code in TOKEN_CODES:
        if subcode == EXPIRED_SUBCODE or "has expired" in message:
            expired_at = parse_expiry(message)
            if expired_at:
                sentence = Said(
                    N_(
                        "The API token expired on {moment}; create a new one in Meta Business Suite "
                        "(Business settings > System users > Generate new token) and paste it here."
                    ),
                    moment=expired_at,
                )
            else:
                sentence = Said(
                    N_(
                        "The API token has expired; create a new one in Meta Business Suite "
                        "(Business settings > System users > Generate new token) and paste it here."
                    )
                )
            return TokenExpired(sentence, expired_at=expired_at, **kw)
        return invalid_token(**kw)
    if code == 10 or (code is not None and 200 <= code <= 299):
        named = _PERMISSION.search(message)
        permission = named.group(1) if named else REQUIRED_PERMISSION
        if subject is None:
            sentence = Said(
                N_(
                    "The API token lacks the {permission} permission; generate a token that includes it in Meta "
                    "Business Suite."
                ),
                permission=permission,
            )
            return PermissionMissing(sentence, permission=permission, **kw)
        sentence = Said(
            N_(
                "The API token lacks the {permission} permission for {subject}; generate a token that includes it "
                "and can reach that ID in Meta Business Suite (Business settings > System users)."
            ),
            permission=permission,
            subject=subject.named_said,
        )
        return PermissionMissing(sentence, permission=permission, **kw)
    if code == 100:
        field = _NONEXISTING_FIELD.search(message)
        if field is not None:
            sentence = Said(
                N_(
                    "Meta's Graph API does not offer the field {field} here; check that GRAPH_API_VERSION "
                    "names a version Meta still serves (v24.0 or newer)."
                ),
                field=field.group(1),
            )
        elif subject is not None:
            sentence = Said(
                N_("{subject} was not found, or this token cannot reach it; check the ID in {where}."),
                subject=subject.named_said,
                where=subject.where_said,
            )
        else:
            sentence = Said(
                N_("Meta rejected a parameter of the request (error 100); check GRAPH_API_VERSION and try again.")
            )
        return BadParameter(sentence, **kw)
    if code in RATE_LIMIT_CODES:
        wait = regain_access_s(headers)
        retry_after = wait if wait is not None else DEFAULT_RATE_LIMIT_WAIT_S
        sentence = Said(
            N_("Meta is limiting calls for this business right now; retry after {wait}."), wait=wait_said(retry_after)
        )
        return RateLimited(sentence, retry_after_s=retry_after, **kw)
    if code in SERVER_CODES or (http_status or 0) >= 500 or error.get("is_transient") is True:
        return _server_error(http_status, reference, meta_message=message or None, code=code)
    if reference:
        sentence = Said(
            N_(
                "Meta's Graph API refused the request (error {code}, reference {reference}); check Meta Business Suite "
                "for alerts on this business, then try again."
            ),
            code=str(code),
            reference=reference,
        )
    else:
        sentence = Said(
            N_(
                "Meta's Graph API refused the request (error {code}); check Meta Business Suite for alerts on this "
                "business, then try again."
            ),
            code=str(code),
        )
    return GraphError(sentence, **kw)
