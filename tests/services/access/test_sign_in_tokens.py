from datetime import UTC, datetime, timedelta

from services.access import sign_in_tokens

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_a_token_names_its_email_until_it_expires() -> None:
    token = sign_in_tokens.issue(email="a@example.com", secret="s3cret", now=NOW)
    assert sign_in_tokens.verify(token=token, secret="s3cret", now=NOW + timedelta(hours=11)) == "a@example.com"
    assert sign_in_tokens.verify(token=token, secret="s3cret", now=NOW + timedelta(hours=13)) is None


def test_a_forged_or_foreign_token_is_refused() -> None:
    token = sign_in_tokens.issue(email="viewer@example.com", secret="s3cret", now=NOW)
    payload, signature = token.split(".")
    forged = sign_in_tokens.issue(email="admin@example.com", secret="guess", now=NOW).split(".")[0] + "." + signature
    assert sign_in_tokens.verify(token=forged, secret="s3cret", now=NOW) is None
    assert sign_in_tokens.verify(token=token, secret="other key", now=NOW) is None
    assert sign_in_tokens.verify(token="garbage", secret="s3cret", now=NOW) is None
    assert sign_in_tokens.verify(token=payload + ".", secret="s3cret", now=NOW) is None
