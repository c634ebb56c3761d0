"""Where alerts go: channels seeded from the settings, and the ones admins add, change and remove.

A channel's secrets and URLs (SMTP_URL with its password, the webhook URL and signing secret) are one JSON
document encrypted with the vault; the audit trail records a channel's name, kind, severity and switch, never
its configuration.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from services.access import audit
from services.access.roles import Actor, require_admin
from services.access.vault import TokenVault
from services.alerts.lifecycle import lock_alerts
from services.alerts.rules import SEVERITIES, WARNING
from services.language import languages
from services.language.translate import _
from services.settings import Settings
from services.store.models import AlertChannel, AlertDelivery

EMAIL, WEBHOOK = "email", "webhook"
KINDS = (EMAIL, WEBHOOK)
SETTINGS_NAMES = {EMAIL: "Email (from settings)", WEBHOOK: "Webhook (from settings)"}


class ChannelError(ValueError):
    """A channel's fields are not usable; the message says which."""


def channel_config(vault: TokenVault, channel: AlertChannel) -> dict[str, Any]:
    """The channel's decrypted configuration: email {smtp_url, from, to} or webhook {url, secret}."""
    return dict(json.loads(vault.decrypt(channel.config_ciphertext)))


def _checked(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    if kind == EMAIL:
        to = [a.strip() for a in config.get("to") or [] if a and a.strip()]
        if not str(config.get("smtp_url") or "").startswith(("smtp://", "smtps://")):
            raise ChannelError(_("An email channel needs an SMTP URL that starts with `smtp://` or `smtps://`."))
        if not to or not all("@" in a for a in to):
            raise ChannelError(_("An email channel needs one or more recipient addresses."))
        return {"smtp_url": config["smtp_url"], "from": config.get("from") or "", "to": to}
    if kind == WEBHOOK:
        if not str(config.get("url") or "").startswith(("http://", "https://")):
            raise ChannelError(_("A webhook channel needs a URL that starts with `http://` or `https://`."))
        return {"url": config["url"], "secret": config.get("secret") or ""}
    raise ChannelError(_("A channel is email or webhook, not {kind}.", kind=repr(kind)))


def _settings_configs(settings: Settings) -> dict[str, dict[str, Any]]:
    configs: dict[str, dict[str, Any]] = {}
    if settings.smtp_url and settings.alert_email_to:
        configs[EMAIL] = {
            "smtp_url": settings.smtp_url,
            "from": settings.alert_email_from or "",
            "to": list(settings.alert_email_to),
        }
    if settings.alert_webhook_url:
        configs[WEBHOOK] = {"url": settings.alert_webhook_url, "secret": settings.alert_webhook_secret or ""}
    return configs


def seed_from_settings(session: Session, settings: Settings, vault: TokenVault) -> list[AlertChannel]:
    """Keep one channel per kind configured in the settings; one whose setting went away is switched off (no commit).

    Every process seeds at start; the alert lock keeps two starting at once from adding a kind twice.
    """
    configs = _settings_configs(settings)
    lock_alerts(session)
    existing = {c.kind: c for c in session.exec(select(AlertChannel).where(col(AlertChannel.from_settings).is_(True)))}
    seeded: list[AlertChannel] = []
    for kind in KINDS:
        channel, config = existing.get(kind), configs.get(kind)
        if config is None:
            if channel is not None and channel.enabled:
                channel.enabled = False
                session.add(channel)
            continue
        if channel is None:
            channel = AlertChannel(
                kind=kind,
                name=SETTINGS_NAMES[kind],
                min_severity=WARNING,
                from_settings=True,
                config_ciphertext=vault.encrypt(json.dumps(config)),
            )
        elif channel_config(vault, channel) != config:
            channel.config_ciphertext = vault.encrypt(json.dumps(config))
        channel.enabled = True
        session.add(channel)
        seeded.append(channel)
    session.flush()
    return seeded


def seed_store(engine: Engine, settings: Settings, vault: TokenVault) -> None:
    """Seed the settings' channels in a transaction of their own (at a process's start)."""
    with Session(engine) as session:
        seed_from_settings(session, settings, vault)
        session.commit()


def list_channels(session: Session) -> list[AlertChannel]:
    return list(session.exec(select(AlertChannel).order_by(col(AlertChannel.kind), col(AlertChannel.name))))


def _fields(channel: AlertChannel) -> dict[str, Any]:
    return {
        "kind": channel.kind,
        "name": channel.name,
        "min_severity": channel.min_severity,
        "enabled": channel.enabled,
        "language": channel.language,
    }


def _severity(value: str) -> str:
    if value not in SEVERITIES:
        raise ChannelError(
            _(
                "A channel's minimum severity is one of {severities}, not {value}.",
                severities=", ".join(SEVERITIES),
                value=repr(value),
            )
        )
    return value


def _language(tag: str) -> str:
    """The tag of a language the console speaks ('en', 'zh-Hans'), from any way of writing it."""
    language = languages.parse(tag)
    if language is None or language not in languages.SUPPORTED:
        names = ", ".join(language.tag for language in languages.SUPPORTED)
        raise ChannelError(
            _("A channel's language is one of {languages}, not {value}.", languages=names, value=repr(tag))
        )
    return language.tag


def create_channel(
    session: Session,
    vault: TokenVault,
    actor: Actor,
    *,
    kind: str,
    name: str,
    config: dict[str, Any],
    min_severity: str = WARNING,
    enabled: bool = True,
    language: str = languages.ENGLISH.tag,
) -> AlertChannel:
    """An admin's new channel (no commit); `language` is the one its emails and messages are written in."""
    require_admin(actor, "add an alert channel")
    if not name.strip():
        raise ChannelError(_("A channel needs a name."))
    channel = AlertChannel(
        kind=kind,
        name=name.strip()[:120],
        min_severity=_severity(min_severity),
        enabled=enabled,
        language=_language(language),
        config_ciphertext=vault.encrypt(json.dumps(_checked(kind, config))),
        from_settings=False,
    )
    session.add(channel)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="alert_channel",
        object_id=channel.id,
        object_name=channel.name,
        after=_fields(channel),
    )
    return channel


def update_channel(
    session: Session,
    vault: TokenVault,
    actor: Actor,
    channel_id: int,
    *,
    name: str | None = None,
    min_severity: str | None = None,
    enabled: bool | None = None,
    config: dict[str, Any] | None = None,
    language: str | None = None,
) -> AlertChannel:
    """Change a channel; a new configuration replaces the old one whole (no commit)."""
    require_admin(actor, "change an alert channel")
    channel = session.get(AlertChannel, channel_id)
    if channel is None:
        raise ChannelError(_("There is no alert channel {id}.", id=channel_id))
    before = _fields(channel)
    if name is not None:
        if not name.strip():
            raise ChannelError(_("A channel needs a name."))
        channel.name = name.strip()[:120]
    if min_severity is not None:
        channel.min_severity = _severity(min_severity)
    if enabled is not None:
        channel.enabled = enabled
    if language is not None:
        channel.language = _language(language)
    detail = ""
    if config is not None:
        channel.config_ciphertext = vault.encrypt(json.dumps(_checked(channel.kind, config)))
        detail = "configuration replaced"
    session.add(channel)
    audit.record(
        session=session,
        actor=actor,
        action="update",
        object_type="alert_channel",
        object_id=channel.id,
        object_name=channel.name,
        before=before,
        after=_fields(channel),
        detail=detail,
    )
    return channel


def delete_channel(session: Session, actor: Actor, channel_id: int) -> None:
    """Remove a channel and its deliveries (no commit)."""
    require_admin(actor, "remove an alert channel")
    channel = session.get(AlertChannel, channel_id)
    if channel is None:
        raise ChannelError(_("There is no alert channel {id}.", id=channel_id))
    audit.record(
        session=session,
        actor=actor,
        action="delete",
        object_type="alert_channel",
        object_id=channel.id,
        object_name=channel.name,
        before=_fields(channel),
    )
    session.execute(delete(AlertDelivery).where(col(AlertDelivery.channel_id) == channel_id))
    session.delete(channel)
