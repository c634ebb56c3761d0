"""The app secret and verify token: the settings', or in demo mode generated once into data/ (0600)."""

from pathlib import Path

from services.settings import Settings
from services.webhooks.secrets import APP_SECRET_FILE, VERIFY_TOKEN_FILE, demo_webhook_secrets, webhook_secrets


def _settings(tmp_path: Path, url: str = "demo", **secrets: str) -> Settings:
    return Settings(
        database_url="sqlite://",
        graph_api_url=url,
        graph_api_version="v24.0",
        secret_key=None,
        poll_interval_seconds=300,
        data_dir=tmp_path / "data",
        **secrets,  # type: ignore[arg-type]
    )


def test_demo_generates_each_secret_once_into_private_files(tmp_path: Path) -> None:
    app_secret, verify_token = demo_webhook_secrets(_settings(tmp_path))
    assert len(app_secret) >= 32 and len(verify_token) >= 32 and app_secret != verify_token
    assert webhook_secrets(_settings(tmp_path)) == (app_secret, verify_token)  # the same after a restart
    for name in (APP_SECRET_FILE, VERIFY_TOKEN_FILE):
        assert (tmp_path / "data" / name).stat().st_mode & 0o777 == 0o600


def test_configured_secrets_win_and_outside_demo_none_are_made_up(tmp_path: Path) -> None:
    given = _settings(tmp_path, meta_app_secret="s3cret", webhook_verify_token="tok")
    assert webhook_secrets(given) == ("s3cret", "tok")
    assert webhook_secrets(_settings(tmp_path, "https://graph.facebook.com")) == (None, None)
    assert not (tmp_path / "data").exists()
