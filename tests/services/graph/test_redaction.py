import logging

from services.graph.redaction import REDACTED, TokenRedactingFilter, guard_http_logs, redact

TOKEN = "EAAGsecret123"


def test_redact_replaces_secrets_query_tokens_and_bearer_values():
    text = f"GET /v24.0/debug_token?input_token={TOKEN}&x=1 access_token=other Authorization: Bearer abc.def {TOKEN}"
    cleaned = redact(text, TOKEN)
    assert TOKEN not in cleaned and "other" not in cleaned and "abc.def" not in cleaned
    assert f"input_token={REDACTED}&x=1" in cleaned


def test_filter_rewrites_the_message_and_keeps_the_record():
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "HTTP Request: %s %s", ("GET", f"/x?input_token={TOKEN}"), None
    )
    assert TokenRedactingFilter().filter(record) is True
    assert TOKEN not in record.getMessage() and "HTTP Request: GET /x?input_token=" in record.getMessage()


def test_guard_is_installed_once():
    guard_http_logs()
    guard_http_logs()
    assert sum(isinstance(f, TokenRedactingFilter) for f in logging.getLogger("httpx").filters) == 1
