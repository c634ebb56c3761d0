"""Alert webhooks against a real HTTP receiver on 127.0.0.1: Slack/Teams `text`, the alert, signature, key."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from services.alerts.messages import Message
from services.alerts.webhook_post import WebhookPostError, post_webhook
from tests.webhook_receiver import receiving

MESSAGE = Message(
    subject="Critical: +1 212-555-0107 (Aurora Coffee Deliveries) cannot send: blocked",
    text="+1 212-555-0107 cannot send.",
    html="<p>+1 212-555-0107 cannot send.</p>",
    payload={"rule": "number_cannot_send", "severity": "critical", "subject": {"kind": "number", "id": "107"}},
)
SLACK_PATH = "/services/T000/B000/XXXXsecretpath"


def test_the_post_has_a_text_for_chat_tools_and_the_structured_alert() -> None:
    with receiving(SLACK_PATH) as receiver:
        assert post_webhook({"url": receiver.url}, MESSAGE, "key-1") == 200
        (post,) = receiver.wait_for(1)
    body = json.loads(post.body)
    assert body["text"].startswith(MESSAGE.subject)
    assert MESSAGE.text in body["text"]
    assert body["alert"] == MESSAGE.payload
    assert post.headers["content-type"] == "application/json"
    assert post.headers["idempotency-key"] == "key-1"
    assert "x-console-signature-256" not in post.headers  # no secret, no signature


def test_with_a_secret_the_raw_body_is_signed() -> None:
    with receiving(SLACK_PATH) as receiver:
        post_webhook({"url": receiver.url, "secret": "s3cret"}, MESSAGE, "key-2")
        (post,) = receiver.wait_for(1)
    expected = "sha256=" + hmac.new(b"s3cret", post.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(post.headers["x-console-signature-256"], expected)
    wrong = "sha256=" + hmac.new(b"other", post.body, hashlib.sha256).hexdigest()
    assert post.headers["x-console-signature-256"] != wrong


def test_a_refusal_is_an_error_that_names_the_host_but_not_the_secret_path() -> None:
    with receiving(SLACK_PATH) as receiver:
        receiver.answers.append(503)
        with pytest.raises(WebhookPostError, match="answered 503") as refused:
            post_webhook({"url": receiver.url}, MESSAGE, "key-3")
    assert "127.0.0.1" in str(refused.value)
    assert "secretpath" not in str(refused.value)


def test_a_receiver_that_is_down_is_an_error() -> None:
    with receiving(SLACK_PATH) as receiver:
        url = receiver.url
    with pytest.raises(WebhookPostError, match="Cannot reach"):
        post_webhook({"url": url}, MESSAGE, "key-4", timeout_s=2)


def test_a_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(WebhookPostError):
        post_webhook({"url": "ftp://example.com/x"}, MESSAGE, "key-5")
