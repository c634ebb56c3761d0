"""Alert email against a real SMTP server on 127.0.0.1 (aiosmtpd): parts, STARTTLS, smtps://, login, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.alerts.email import EmailError, parse_smtp_url, send_email
from services.alerts.messages import Message
from tests.smtp_server import Certificate, client_context, self_signed, smtp_server

MESSAGE = Message(
    subject="Critical: +1 212-555-0107 (Aurora Coffee Deliveries) cannot send: blocked",
    text="+1 212-555-0107 cannot send.\nOpen the number's page to see why.",
    html="<p><strong>+1 212-555-0107</strong> cannot send.</p>",
    payload={"rule": "number_cannot_send", "severity": "critical"},
)
RECIPIENTS = ["ops@example.com", "oncall@example.com"]


def config(url: str) -> dict[str, object]:
    return {"smtp_url": url, "from": "console@example.com", "to": ", ".join(RECIPIENTS)}


@pytest.fixture
def certificate(tmp_path: Path) -> Certificate:
    return self_signed(tmp_path)


def test_an_email_carries_the_subject_a_plain_text_and_an_html_part() -> None:
    with smtp_server() as inbox:
        send_email(config(f"smtp://127.0.0.1:{inbox.port}"), MESSAGE, key="a1b2c3")
        (received,) = inbox.wait_for(1)
    assert received.recipients == RECIPIENTS
    assert received.mail_from == "console@example.com"
    email = received.message
    assert " ".join(email["Subject"].split()) == MESSAGE.subject  # a long subject is folded, not changed
    assert email["Message-ID"] == "<a1b2c3@example.com>"
    assert email.get_body(("plain",)).get_content().splitlines() == MESSAGE.text.splitlines()
    assert email.get_body(("html",)).get_content().strip() == MESSAGE.html
    assert not received.tls  # this server offers no STARTTLS, and the URL does not require it


def test_starttls_is_used_when_the_server_offers_it_and_the_login_goes_over_it(certificate: Certificate) -> None:
    users = {"ops@example.com": "p@ss:word"}
    with smtp_server(certificate=certificate, starttls=True, users=users) as inbox:
        url = f"smtp://ops%40example.com:p%40ss%3Aword@127.0.0.1:{inbox.port}"
        send_email(config(url), MESSAGE, tls_context=client_context(certificate))
        (received,) = inbox.wait_for(1)
    assert received.tls
    assert received.login == "ops@example.com"


def test_starttls_require_refuses_a_server_that_does_not_offer_it() -> None:
    with smtp_server() as inbox:
        with pytest.raises(EmailError, match="does not offer STARTTLS"):
            send_email(config(f"smtp://127.0.0.1:{inbox.port}?starttls=require"), MESSAGE)
        assert inbox.messages == []


def test_starttls_require_sends_to_a_server_that_requires_it_too(certificate: Certificate) -> None:
    with smtp_server(certificate=certificate, require_starttls=True) as inbox:
        send_email(
            config(f"smtp://127.0.0.1:{inbox.port}?starttls=require"), MESSAGE, tls_context=client_context(certificate)
        )
        (received,) = inbox.wait_for(1)
    assert received.tls


def test_smtps_speaks_tls_from_the_first_byte(certificate: Certificate) -> None:
    with smtp_server(certificate=certificate, implicit_tls=True) as inbox:
        send_email(config(f"smtps://127.0.0.1:{inbox.port}"), MESSAGE, tls_context=client_context(certificate))
        (received,) = inbox.wait_for(1)
    assert received.tls
    assert " ".join(received.message["Subject"].split()) == MESSAGE.subject


def test_an_untrusted_certificate_is_refused(certificate: Certificate) -> None:
    with smtp_server(certificate=certificate, implicit_tls=True) as inbox:
        with pytest.raises(EmailError, match="Cannot reach"):
            send_email(config(f"smtps://127.0.0.1:{inbox.port}"), MESSAGE)  # the system's trust: not ours
        assert inbox.messages == []


def test_a_wrong_password_is_refused_without_naming_it(certificate: Certificate) -> None:
    with smtp_server(certificate=certificate, starttls=True, users={"ops": "right"}) as inbox:
        with pytest.raises(EmailError, match="refused the user name or password") as refused:
            send_email(
                config(f"smtp://ops:wrong-secret@127.0.0.1:{inbox.port}"),
                MESSAGE,
                tls_context=client_context(certificate),
            )
        assert inbox.messages == []
    assert "wrong-secret" not in str(refused.value)


def test_a_server_that_is_down_is_an_email_error_that_names_no_password() -> None:
    with smtp_server() as inbox:
        port = inbox.port
    with pytest.raises(EmailError, match=f"127.0.0.1:{port}") as failed:
        send_email(config(f"smtp://ops:hunter22@127.0.0.1:{port}"), MESSAGE, timeout_s=2)
    assert "hunter22" not in str(failed.value)


def test_smtp_urls_name_the_port_tls_and_login() -> None:
    assert parse_smtp_url("smtps://mail.example.com").port == 465
    assert parse_smtp_url("smtp://mail.example.com").port == 25
    server = parse_smtp_url("smtp://a%40b.c:pw@mail.example.com:587?starttls=require")
    assert (server.port, server.starttls, server.username, server.password) == (587, "require", "a@b.c", "pw")
    for bad in ("http://mail.example.com", "smtp://", "smtp://host?starttls=maybe"):
        with pytest.raises(EmailError):
            parse_smtp_url(bad)
