"""The app secret and verify token that apply: the settings', or in demo mode ones generated once into data/.

Like the demo's secret key (services/access/vault.py), each is written whole to a private file (0600) and
linked into place, so two consoles starting together agree on one value.
"""

from __future__ import annotations

import secrets as random
from pathlib import Path

from services.access.secret_files import generated_once
from services.settings import Settings

APP_SECRET_FILE = "webhook-app-secret"
VERIFY_TOKEN_FILE = "webhook-verify-token"


def _generated(data_dir: Path, name: str) -> str:
    return generated_once(data_dir / name, lambda: random.token_urlsafe(32).encode()).decode().strip()


def demo_webhook_secrets(settings: Settings) -> tuple[str, str]:
    """(app secret, verify token) for demo mode: the settings' where set, else generated once into data/."""
    app_secret = settings.meta_app_secret or _generated(settings.data_dir, APP_SECRET_FILE)
    verify_token = settings.webhook_verify_token or _generated(settings.data_dir, VERIFY_TOKEN_FILE)
    return app_secret, verify_token


def webhook_secrets(settings: Settings) -> tuple[str | None, str | None]:
    """(app secret, verify token) that apply; outside demo mode either may be None (the route then refuses)."""
    if settings.demo:
        return demo_webhook_secrets(settings)
    return settings.meta_app_secret, settings.webhook_verify_token
