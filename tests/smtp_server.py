"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd): plain, STARTTLS offered or required, or TLS from the start.

`self_signed(folder)` writes a certificate for 127.0.0.1 made with `cryptography`; a client trusts it through
`client_context(cert)`. Every message the server takes is kept, parsed, in `Inbox.messages`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage
    tls: bool
    login: str | None


@dataclass
class Inbox:
    port: int
    messages: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[Received]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout_s), self.messages
            return list(self.messages)


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def self_signed(folder: Path) -> Certificate:
    """A certificate for 127.0.0.1 (and localhost), valid for a day, signed by its own key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Certificate(cert=cert_path, key=key_path)


def client_context(certificate: Certificate) -> ssl.SSLContext:
    """What a client trusts to talk to the test server: its self-signed certificate only."""
    return ssl.create_default_context(cafile=str(certificate.cert))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        login = session.auth_data if isinstance(session.auth_data, str) else None
        received = Received(
            mail_from=envelope.mail_from,
            recipients=list(envelope.rcpt_tos),
            message=parsed,  # type: ignore[arg-type]
            tls=server.transport.get_extra_info("ssl_object") is not None,
            login=login,
        )
        with self.inbox.arrived:
            self.inbox.messages.append(received)
            self.inbox.arrived.notify_all()
        return "250 OK"


def _authenticator(users: dict[str, str]) -> Any:
    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if users.get(login) == password:
                return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)

    return authenticate


@contextmanager
def smtp_server(
    *,
    certificate: Certificate | None = None,
    starttls: bool = False,
    require_starttls: bool = False,
    implicit_tls: bool = False,
    users: dict[str, str] | None = None,
) -> Iterator[Inbox]:
    """Serve SMTP on 127.0.0.1 until the block ends: STARTTLS offered (`starttls`, needs a certificate), required,
    or TLS from the first byte (`implicit_tls`); `users` turns on AUTH (over TLS only, as aiosmtpd wants)."""
    inbox = Inbox(port=_free_port())
    options: dict[str, Any] = {"require_starttls": require_starttls}
    if starttls or require_starttls:
        assert certificate is not None
        options["tls_context"] = certificate.server_context()
    if users is not None:
        options["authenticator"] = _authenticator(users)
        options["auth_required"] = True
    controller_options: dict[str, Any] = {}
    if implicit_tls:
        assert certificate is not None
        controller_options["ssl_context"] = certificate.server_context()
        controller_options["server_hostname"] = HOST
    controller = Controller(_Handler(inbox), hostname=HOST, port=inbox.port, **controller_options, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
