"""Alert channels: seeded from the settings, added and changed by admins, their secrets sealed and never audited."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from services.access.roles import PermissionDenied
from services.access.vault import TokenVault
from services.alerts import channels, lifecycle
from services.settings import Settings
from services.store.models import AlertChannel, AlertDelivery, AuditEvent
from tests.services.alerts.fleet import T0, add_fleet
from tests.services.alerts.test_lifecycle import ADMIN, VIEWER

SMTP = "smtp://ops:s3cret-password@127.0.0.1:2525"
HOOK = "https://hooks.example.com/services/T000/B000/XXXX"


def _settings(tmp_path: Path, **alerting: object) -> Settings:
    base = Settings(
        database_url="sqlite://",
        graph_api_url="demo",
        graph_api_version="v24.0",
        secret_key=None,
        poll_interval_seconds=300,
        data_dir=tmp_path,
    )
    return dataclasses.replace(base, **alerting)  # type: ignore[arg-type]


def _seeded(session: Session) -> dict[str, AlertChannel]:
    return {c.kind: c for c in session.exec(select(AlertChannel).where(col(AlertChannel.from_settings).is_(True)))}


def test_the_settings_channels_are_seeded_once_sealed_and_follow_the_settings(
    store_session: Session, vault: TokenVault, tmp_path: Path
) -> None:
    settings = _settings(
        tmp_path,
        smtp_url=SMTP,
        alert_email_from="console@example.com",
        alert_email_to=("ops@example.com", "lead@example.com"),
        alert_webhook_url=HOOK,
        alert_webhook_secret="hook-secret",
    )
    channels.seed_from_settings(store_session, settings, vault)
    channels.seed_from_settings(store_session, settings, vault)
    store_session.commit()
    seeded = _seeded(store_session)
    assert set(seeded) == {"email", "webhook"} and len(list(store_session.exec(select(AlertChannel)))) == 2
    email, hook = seeded["email"], seeded["webhook"]
    assert "s3cret" not in email.config_ciphertext and "hook-secret" not in hook.config_ciphertext
    assert channels.channel_config(vault, email) == {
        "smtp_url": SMTP,
        "from": "console@example.com",
        "to": ["ops@example.com", "lead@example.com"],
    }
    assert channels.channel_config(vault, hook) == {"url": HOOK, "secret": "hook-secret"}

    channels.seed_from_settings(store_session, _settings(tmp_path, alert_webhook_url=HOOK + "2"), vault)
    store_session.commit()
    seeded = _seeded(store_session)
    assert (seeded["email"].enabled, seeded["webhook"].enabled) == (False, True)
    assert channels.channel_config(vault, seeded["webhook"])["url"] == HOOK + "2"
    assert seeded["webhook"].id == hook.id


def test_an_admin_adds_changes_and_removes_a_channel_audited_without_its_secrets(
    store_session: Session, vault: TokenVault
) -> None:
    with pytest.raises(PermissionDenied):
        channels.create_channel(store_session, vault, VIEWER, kind="webhook", name="Ops", config={"url": HOOK})
    with pytest.raises(channels.ChannelError, match="http"):
        channels.create_channel(store_session, vault, ADMIN, kind="webhook", name="Ops", config={"url": "ftp://x"})
    with pytest.raises(channels.ChannelError, match="recipient"):
        channels.create_channel(store_session, vault, ADMIN, kind="email", name="Ops", config={"smtp_url": SMTP})
    channel = channels.create_channel(
        store_session,
        vault,
        ADMIN,
        kind="webhook",
        name=" Ops ",
        config={"url": HOOK, "secret": "abc123"},
        min_severity="critical",
    )
    assert (channel.name, channel.min_severity, channel.enabled, channel.from_settings) == (
        "Ops",
        "critical",
        True,
        False,
    )
    channels.update_channel(store_session, vault, ADMIN, channel.id, enabled=False, config={"url": HOOK + "9"})  # type: ignore[arg-type]
    assert channels.channel_config(vault, channel) == {"url": HOOK + "9", "secret": ""}
    add_fleet(store_session, can_send="BLOCKED")
    channels.update_channel(store_session, vault, ADMIN, channel.id, enabled=True)  # type: ignore[arg-type]
    lifecycle.evaluate(store_session, now=T0)
    assert len(list(store_session.exec(select(AlertDelivery)))) == 1
    channels.delete_channel(store_session, ADMIN, channel.id)  # type: ignore[arg-type]
    store_session.commit()
    assert channels.list_channels(store_session) == [] and list(store_session.exec(select(AlertDelivery))) == []
    events = list(store_session.exec(select(AuditEvent).where(AuditEvent.object_type == "alert_channel")))
    assert [e.action for e in events] == ["create", "update", "update", "delete"]
    trail = json.dumps([[e.changes, e.detail] for e in events])
    assert "abc123" not in trail and "hooks.example.com" not in trail
    assert events[1].changes["enabled"] == [True, False] and events[1].detail == "configuration replaced"
