"""The configuration contract: environment first, then .streamlit/secrets.toml, then the default."""

from pathlib import Path

import pytest

from services.settings import DATA_DIR, SettingsError, load_settings

NAMES = (
    "DATABASE_URL",
    "GRAPH_API_URL",
    "GRAPH_API_VERSION",
    "CONSOLE_SECRET_KEY",
    "POLL_INTERVAL_SECONDS",
    "CONSOLE_DATA_DIR",
)


@pytest.fixture(autouse=True)
def _no_configuration_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def _secrets(root: Path, text: str) -> Path:
    path = root / ".streamlit" / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_without_a_secrets_file_every_value_has_its_default(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.database_url == f"sqlite:///{DATA_DIR / 'console.sqlite'}"
    assert (settings.graph_api_url, settings.demo) == ("demo", True)
    assert (settings.graph_api_version, settings.graph_api_major) == ("v24.0", 24)
    assert settings.secret_key is None
    assert settings.poll_interval_seconds == 300
    assert settings.data_dir == DATA_DIR


def test_the_secrets_file_beats_the_defaults(tmp_path: Path) -> None:
    _secrets(
        tmp_path,
        'DATABASE_URL = "postgresql+psycopg://console@db/console"\n'
        'GRAPH_API_URL = "https://graph.facebook.com/"\n'
        'GRAPH_API_VERSION = "v23.0"\n'
        'CONSOLE_SECRET_KEY = "from-secrets"\n'
        "POLL_INTERVAL_SECONDS = 60\n",
    )
    settings = load_settings(tmp_path)
    assert settings.database_url == "postgresql+psycopg://console@db/console"
    assert (settings.graph_api_url, settings.demo) == ("https://graph.facebook.com", False)
    assert (settings.graph_api_version, settings.graph_api_major) == ("v23.0", 23)
    assert settings.secret_key == "from-secrets"
    assert settings.poll_interval_seconds == 60


def test_the_environment_beats_the_secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _secrets(tmp_path, 'DATABASE_URL = "sqlite:///secrets.sqlite"\nPOLL_INTERVAL_SECONDS = 60\n')
    monkeypatch.setenv("DATABASE_URL", "sqlite:///env.sqlite")
    monkeypatch.setenv("POLL_INTERVAL_SECONDS", "30")
    settings = load_settings(tmp_path)
    assert (settings.database_url, settings.poll_interval_seconds) == ("sqlite:///env.sqlite", 30)


def test_an_empty_environment_variable_counts_as_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _secrets(tmp_path, 'GRAPH_API_URL = "http://127.0.0.1:8765"\n')
    monkeypatch.setenv("GRAPH_API_URL", "")
    assert load_settings(tmp_path).graph_api_url == "http://127.0.0.1:8765"


def test_the_data_dir_moves_the_default_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path / "elsewhere"))
    settings = load_settings(tmp_path)
    assert settings.data_dir == tmp_path / "elsewhere"
    assert settings.database_url == f"sqlite:///{tmp_path / 'elsewhere' / 'console.sqlite'}"


def test_the_secrets_file_is_read_from_the_current_directory_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _secrets(tmp_path, 'GRAPH_API_VERSION = "v25.0"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings().graph_api_version == "v25.0"


@pytest.mark.parametrize("source", ["environment", "secrets"])
def test_a_heroku_style_postgres_url_is_rewritten_for_psycopg(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgres://console:pw@db.internal:5432/console"
    if source == "environment":
        monkeypatch.setenv("DATABASE_URL", url)
    else:
        _secrets(tmp_path, f'DATABASE_URL = "{url}"\n')
    assert load_settings(tmp_path).database_url == "postgresql+psycopg://console:pw@db.internal:5432/console"


def test_a_malformed_secrets_file_names_the_file(tmp_path: Path) -> None:
    path = _secrets(tmp_path, "DATABASE_URL = sqlite:///oops\n")
    with pytest.raises(SettingsError, match="is not valid TOML") as raised:
        load_settings(tmp_path)
    assert str(path) in str(raised.value)
    assert "line 1" in str(raised.value)


@pytest.mark.parametrize("version", ["24.0", "v24.x", "latest", "v"])
def test_a_bad_graph_api_version_is_explained(version: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GRAPH_API_VERSION", version)
    with pytest.raises(SettingsError, match=r"GRAPH_API_VERSION must look like v24\.0") as raised:
        load_settings(tmp_path)
    assert repr(version) in str(raised.value)


@pytest.mark.parametrize("interval", ["5", "soon", "-300", "1.5"])
def test_a_bad_poll_interval_is_explained(interval: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POLL_INTERVAL_SECONDS", interval)
    with pytest.raises(SettingsError, match="POLL_INTERVAL_SECONDS must be a whole number of seconds, 10 or more"):
        load_settings(tmp_path)


def test_graph_api_timeout_is_read_and_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GRAPH_API_TIMEOUT_SECONDS", "2.5")
    assert load_settings(tmp_path).graph_api_timeout_seconds == 2.5
    monkeypatch.setenv("GRAPH_API_TIMEOUT_SECONDS", "soon")
    with pytest.raises(SettingsError, match="GRAPH_API_TIMEOUT_SECONDS must be a number of seconds from 0.1 to 120"):
        load_settings(tmp_path)


def test_the_display_time_zone_is_the_browsers_unless_one_is_pinned(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert load_settings(tmp_path).display_timezone == "browser"
    monkeypatch.setenv("DISPLAY_TIMEZONE", "Europe/Berlin")
    assert load_settings(tmp_path).display_timezone == "Europe/Berlin"
    monkeypatch.setenv("DISPLAY_TIMEZONE", "Mars/Olympus")
    with pytest.raises(SettingsError, match="DISPLAY_TIMEZONE must be 'browser', UTC or a time zone name"):
        load_settings(tmp_path)


ALERT_NAMES = ("SMTP_URL", "ALERT_EMAIL_FROM", "ALERT_EMAIL_TO", "ALERT_WEBHOOK_URL", "ALERT_WEBHOOK_SECRET")


def test_alert_channels_and_the_quiet_time_are_read_from_the_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (*ALERT_NAMES, "ALERT_QUIET_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    unset = load_settings(tmp_path)
    assert (unset.smtp_url, unset.alert_email_to, unset.alert_webhook_url, unset.alert_quiet_minutes) == (
        None,
        (),
        None,
        30.0,
    )
    monkeypatch.setenv("SMTP_URL", "smtps://ops:pw@mail.example.com:465")
    monkeypatch.setenv("ALERT_EMAIL_TO", " ops@example.com, ,lead@example.com ")
    monkeypatch.setenv("ALERT_QUIET_MINUTES", "10")
    _secrets(tmp_path, 'ALERT_WEBHOOK_URL = "https://hooks.example.com/x"\nALERT_WEBHOOK_SECRET = "s"\n')
    settings = load_settings(tmp_path)
    assert settings.smtp_url == "smtps://ops:pw@mail.example.com:465"
    assert settings.alert_email_to == ("ops@example.com", "lead@example.com")
    assert (settings.alert_webhook_url, settings.alert_webhook_secret) == ("https://hooks.example.com/x", "s")
    assert settings.alert_quiet_minutes == 10.0
    monkeypatch.setenv("ALERT_QUIET_MINUTES", "soon")
    with pytest.raises(SettingsError, match="ALERT_QUIET_MINUTES"):
        load_settings(tmp_path)


def test_the_template_poll_interval_defaults_to_a_quarter_hour_and_refuses_nonsense(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEMPLATE_POLL_INTERVAL_SECONDS", raising=False)
    assert load_settings(tmp_path).template_poll_interval_seconds == 900
    monkeypatch.setenv("TEMPLATE_POLL_INTERVAL_SECONDS", "3600")
    assert load_settings(tmp_path).template_poll_interval_seconds == 3600
    for wrong in ("5", "often"):
        monkeypatch.setenv("TEMPLATE_POLL_INTERVAL_SECONDS", wrong)
        with pytest.raises(SettingsError, match="TEMPLATE_POLL_INTERVAL_SECONDS must be a number of seconds from 60"):
            load_settings(tmp_path)
