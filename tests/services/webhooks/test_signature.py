"""X-Hub-Signature-256: the HMAC of exactly the raw body, with the app secret."""

import hashlib
import hmac

from services.webhooks.signature import sign, verify

SECRET = "app-secret-for-tests"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def test_the_signature_is_sha256_hmac_of_the_raw_body() -> None:
    expected = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, SECRET) == expected
    assert verify(BODY, expected, SECRET)
    assert verify(BODY, expected.upper().replace("SHA256=", "sha256="), SECRET)  # hex case does not matter


def test_a_body_changed_by_one_byte_another_secret_or_no_header_fails() -> None:
    header = sign(BODY, SECRET)
    assert not verify(BODY[:-1] + b"]", header, SECRET)
    assert not verify(BODY + b" ", header, SECRET)
    assert not verify(BODY, sign(BODY, "another secret"), SECRET)
    assert not verify(BODY, None, SECRET)
    assert not verify(BODY, "", SECRET)
    assert not verify(BODY, header.removeprefix("sha256="), SECRET)  # the bare hex is not the header
    assert not verify(BODY, "sha1=" + header.removeprefix("sha256="), SECRET)
