from datetime import UTC, datetime

import httpx
import pytest

from services.graph import subjects
from services.graph.envelope import DEFAULT_RATE_LIMIT_WAIT_S, read_json
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
from tests.services.graph.answers import REQUEST, buc, envelope, html

BUSINESS = subjects.business("1000000000000003")
WABA = subjects.whatsapp_account("2000000000000011")


def error_of(response: httpx.Response, subject=None) -> GraphError:
    with pytest.raises(GraphError) as caught:
        read_json(response, subject=subject)
    return caught.value


def test_expired_token_names_the_moment_in_utc():
    message = "Error validating access token: Session has expired on Tuesday, 24-Nov-26 04:00:00 PST."
    error = error_of(envelope(190, message, subcode=463, status=401))
    assert isinstance(error, TokenExpired)
    assert error.expired_at == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert str(error) == (
        "The API token expired on 24 Nov 2026, 12:00 UTC; create a new one in Meta Business Suite "
        "(Business settings > System users > Generate new token) and paste it here."
    )
    assert error.meta_message == message and message not in str(error)
    assert (error.code, error.subcode, error.http_status, error.fbtrace_id) == (190, 463, 401, "AbCdEf123")


def test_expired_token_without_a_readable_moment():
    error = error_of(envelope(190, "Error validating access token: expired.", subcode=463))
    assert isinstance(error, TokenExpired) and error.expired_at is None
    assert str(error).startswith("The API token has expired; create a new one in Meta Business Suite")


def test_expiry_wording_without_subcode_still_means_expired():
    error = error_of(envelope(190, "Session has expired on Friday, 30-Oct-26 17:00:00 PDT."))
    assert isinstance(error, TokenExpired)
    assert error.expired_at == datetime(2026, 10, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "subcode", "message"),
    [
        (190, 467, "Error validating access token: The session is invalid because the user logged out."),
        (190, None, "Invalid OAuth access token - Cannot parse access token"),
        (190, 460, "Error validating access token: The session has been invalidated because the user changed"),
        (102, None, "Session key invalid or no longer valid"),
    ],
)
def test_other_token_errors_mean_invalid(code, subcode, message):
    error = error_of(envelope(code, message, subcode=subcode, status=401))
    assert isinstance(error, TokenInvalid)
    assert str(error) == (
        "Meta does not accept this API token (it was revoked, or it is mistyped); "
        "copy it again from Meta Business Suite."
    )


def test_permission_missing_without_subject_uses_the_operator_sentence():
    error = error_of(envelope(200, "(#200) Requires whatsapp_business_management permission to manage the object"))
    assert isinstance(error, PermissionMissing) and error.permission == "whatsapp_business_management"
    assert str(error) == (
        "The API token lacks the whatsapp_business_management permission; "
        "generate a token that includes it in Meta Business Suite."
    )


@pytest.mark.parametrize(
    ("code", "message", "permission"),
    [
        (10, "(#10) Application does not have permission for this action", "whatsapp_business_management"),
        (200, "(#200) Requires business_management permission to manage the object", "business_management"),
        (299, "(#299) Requires whatsapp_business_messaging permission", "whatsapp_business_messaging"),
        (210, "(#210) A user access token is required", "whatsapp_business_management"),
    ],
)
def test_permission_family_names_the_permission_and_the_object(code, message, permission):
    error = error_of(envelope(code, message, status=403), WABA)
    assert isinstance(error, PermissionMissing) and error.permission == permission
    assert f"lacks the {permission} permission for WhatsApp Business Account ID 2000000000000011" in str(error)


def test_bad_parameter_names_the_object_and_where_to_check_it():
    message = "Unsupported get request. Object with ID '1000000000000003' does not exist, cannot be loaded"
    error = error_of(envelope(100, message, subcode=33), BUSINESS)
    assert isinstance(error, BadParameter)
    assert str(error) == (
        "Business account ID 1000000000000003 was not found, or this token cannot reach it; "
        "check the ID in Meta Business Suite > Business settings > Business info."
    )


def test_bad_parameter_for_an_unknown_field_points_at_the_version():
    message = "(#100) Tried accessing nonexisting field (whatsapp_business_manager_messaging_limit) on node type"
    error = error_of(envelope(100, message), WABA)
    assert isinstance(error, BadParameter)
    assert "does not offer the field whatsapp_business_manager_messaging_limit" in str(error)
    assert "GRAPH_API_VERSION" in str(error)


def test_bad_parameter_without_subject_is_still_a_sentence():
    error = error_of(envelope(100, "(#100) The parameter input_token is required"))
    assert isinstance(error, BadParameter) and str(error).endswith(".") and "error 100" in str(error)


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80007, 80008, 130429])
def test_rate_limit_reads_the_wait_from_the_usage_header(code):
    error = error_of(envelope(code, "(#80007) Rate limit", headers=buc(5)))
    assert isinstance(error, RateLimited) and error.retry_after_s == 300
    assert str(error) == "Meta is limiting calls for this business right now; retry after 5 minutes."


def test_rate_limit_without_header_uses_the_default_wait():
    error = error_of(envelope(4, "(#4) Application request limit reached"))
    assert isinstance(error, RateLimited) and error.retry_after_s == DEFAULT_RATE_LIMIT_WAIT_S
    assert str(error).endswith("retry after 5 minutes.")


@pytest.mark.parametrize(
    ("minutes", "phrase"), [(1, "1 minute"), (0.2, "1 minute"), (90, "90 minutes"), (150, "3 hours")]
)
def test_rate_limit_wait_phrases(minutes, phrase):
    assert str(error_of(envelope(80007, headers=buc(minutes)))).endswith(f"retry after {phrase}.")


@pytest.mark.parametrize(("code", "status"), [(1, 500), (2, 503), (131000, 500), (131016, 500), (2, 400)])
def test_server_error_codes(code, status):
    error = error_of(envelope(code, "(#2) Service temporarily unavailable", status=status, fbtrace_id="ABC123"))
    assert isinstance(error, GraphServerError) and error.transient
    assert str(error) == (
        f"Meta's Graph API had a server error (HTTP {status}); try again in a few minutes (reference ABC123)."
    )


def test_any_5xx_envelope_or_transient_flag_is_a_server_error():
    assert isinstance(error_of(envelope(9999, status=502)), GraphServerError)
    assert isinstance(error_of(envelope(9998, is_transient=True)), GraphServerError)


def test_5xx_json_without_envelope_is_a_server_error_with_the_header_reference():
    response = httpx.Response(503, json={"status": "down"}, headers={"x-fb-trace-id": "TRACE9"}, request=REQUEST)
    error = error_of(response)
    assert isinstance(error, GraphServerError)
    assert (
        str(error) == "Meta's Graph API had a server error (HTTP 503); try again in a few minutes (reference TRACE9)."
    )


def test_server_error_without_reference_omits_it():
    error = error_of(envelope(2, status=503, fbtrace_id=None))
    assert str(error) == "Meta's Graph API had a server error (HTTP 503); try again in a few minutes."


def test_html_error_page_is_unreadable():
    error = error_of(html(502))
    assert isinstance(error, UnreadableResponse) and error.transient
    assert str(error) == (
        "The Graph API sent an answer the console cannot read (HTTP 502, text/html); try again in a few minutes."
    )
    assert "502 Bad Gateway" in error.meta_message


@pytest.mark.parametrize(
    ("response", "shown"),
    [
        (
            httpx.Response(200, content=b'{"data": [{"id": "1"', headers={"Content-Type": "application/json"}),
            "HTTP 200, application/json",
        ),
        (
            httpx.Response(200, content=b"", headers={"Content-Type": "application/json; charset=UTF-8"}),
            "HTTP 200, application/json",
        ),
        (httpx.Response(200, content=b"\xff\xfe\x00garbage"), "HTTP 200, no content type"),
        (httpx.Response(200, json=[1, 2, 3]), "HTTP 200, application/json"),
        (httpx.Response(404, json={"message": "no route"}), "HTTP 404, application/json"),
    ],
)
def test_unreadable_answers(response, shown):
    response.request = REQUEST
    error = error_of(response)
    assert isinstance(error, UnreadableResponse)
    assert f"({shown})" in str(error)


def test_redirect_is_not_followed_and_not_retried():
    response = httpx.Response(
        301, headers={"Location": "https://graph.example.com/v24.0/x?input_token=SECRET"}, request=REQUEST
    )
    error = error_of(response)
    assert isinstance(error, UnreadableResponse) and not error.transient
    assert str(error) == (
        "The Graph API at graph.facebook.com answered with a redirect (HTTP 301) to https://graph.example.com; "
        "set GRAPH_API_URL to the address it points to."
    )


def test_unknown_code_is_a_plain_graph_error_with_reference():
    error = error_of(envelope(368, "(#368) Temporarily blocked for policies violations", status=403))
    assert type(error) is GraphError and not error.transient
    assert "error 368, reference AbCdEf123" in str(error)


def test_string_codes_are_read_leniently():
    error = error_of(envelope("190", "Session has expired on 24-Nov-26 04:00:00 PST", subcode="463"))  # type: ignore[arg-type]
    assert isinstance(error, TokenExpired) and error.code == 190 and error.subcode == 463


def test_successful_answer_is_returned():
    response = httpx.Response(200, json={"id": "1", "name": "x"}, request=REQUEST)
    assert read_json(response, subject=None) == {"id": "1", "name": "x"}
