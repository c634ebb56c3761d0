"""Alert email over SMTP: one message with a plain text and an HTML part.

The server is one URL (SMTP_URL): `smtp://[user:password@]host[:port]` upgrades with STARTTLS when the server
offers it (`?starttls=require` refuses one that does not, `?starttls=never` never asks), `smtps://` speaks TLS
from the first byte (port 465 by default). The password is only ever handed to the server: errors name the
host and the reason, never the URL.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from services.alerts.messages import Message
from services.language.translate import _

TIMEOUT_S = 20.0
STARTTLS_MODES = ("auto", "require", "never")


class EmailError(Exception):
    """The alert email could not be handed to the SMTP server (the words name no secret)."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: bool  # TLS from the first byte (smtps://)
    starttls: str  # auto | require | never (smtp:// only)
    username: str | None
    password: str | None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpServer:
    """The server an SMTP_URL names; EmailError for anything but smtp:// or smtps:// with a host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise EmailError(_("SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465."))
    options = {key.lower(): values[-1].lower() for key, values in parse_qs(parts.query).items()}
    starttls = options.get("starttls", "auto")
    if starttls not in STARTTLS_MODES:
        raise EmailError(
            _(
                "SMTP_URL's starttls must be one of {modes}, not {value}.",
                modes=", ".join(STARTTLS_MODES),
                value=repr(starttls),
            )
        )
    try:
        port = parts.port
    except ValueError:
        raise EmailError(_("SMTP_URL's port must be a number.")) from None
    tls = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=port or (465 if tls else 25),
        tls=tls,
        starttls=starttls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def _recipients(value: str | Sequence[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    return [item.strip() for item in items if item and item.strip()]


def compose(message: Message, *, sender: str, recipients: Sequence[str], message_id: str | None = None) -> EmailMessage:
    """The email: subject, plain text first, then the HTML alternative (mail clients show the last they can)."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = ", ".join(recipients)
    email["Date"] = formatdate(localtime=False, usegmt=True)
    if message_id:
        # The delivery's idempotency key: a message sent twice (a crash between sending and marking) is one thread.
        domain = sender.rpartition("@")[2] or "console"
        email["Message-ID"] = f"<{message_id}@{domain}>"
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


def send_email(
    config: Mapping[str, Any],
    message: Message,
    *,
    key: str | None = None,
    tls_context: ssl.SSLContext | None = None,
    timeout_s: float = TIMEOUT_S,
) -> None:
    """Hand the alert to the SMTP server. `config`: smtp_url, from, to (a list or a comma list).

    `key` (the delivery's idempotency key) becomes the Message-ID; `tls_context` defaults to the system's trust.
    """
    server = parse_smtp_url(str(config.get("smtp_url") or ""))
    sender = str(config.get("from") or "")
    recipients = _recipients(config.get("to") or [])
    if not sender or not recipients:
        raise EmailError(_("An email channel needs a sender (ALERT_EMAIL_FROM) and recipients (ALERT_EMAIL_TO)."))
    email = compose(message, sender=sender, recipients=recipients, message_id=key)
    context = tls_context or ssl.create_default_context()
    try:
        if server.tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout_s, context=context)
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=timeout_s)
        with client:
            client.ehlo()
            if not server.tls and server.starttls != "never":
                if client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                elif server.starttls == "require":
                    raise EmailError(
                        _(
                            "The SMTP server {where} does not offer STARTTLS and SMTP_URL requires it; "
                            "nothing was sent.",
                            where=server.where,
                        )
                    )
            if server.username:
                client.login(server.username, server.password or "")
            client.send_message(email, from_addr=sender, to_addrs=recipients)
    except EmailError:
        raise
    except smtplib.SMTPAuthenticationError:
        raise EmailError(_("The SMTP server {where} refused the user name or password.", where=server.where)) from None
    except smtplib.SMTPException as exc:
        raise EmailError(
            _("The SMTP server {where} refused the email: {reason}", where=server.where, reason=_reason(exc))
        ) from None
    except (OSError, ssl.SSLError) as exc:
        problem = f"{exc.__class__.__name__}: {exc}"
        raise EmailError(
            _("Cannot reach the SMTP server {where}: {problem}", where=server.where, problem=problem)
        ) from None


def _reason(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {detail}"[:300]
    return str(exc)[:300] or exc.__class__.__name__
