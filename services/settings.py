"""The configuration contract: environment first, then .streamlit/secrets.toml, then the default."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from services.moments import BROWSER, zone

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEMO = "demo"
DEFAULT_GRAPH_API_VERSION = "v24.0"


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    graph_api_url: str
    graph_api_version: str
    secret_key: str | None
    poll_interval_seconds: int
    data_dir: Path
    graph_api_timeout_seconds: float = 10.0
    sign_in_idle_hours: float = 8.0  # a sign-in session ends after this long unused
    display_timezone: str = BROWSER  # every page's zone: the browser's, or one pinned (UTC, Europe/Berlin)
    meta_app_secret: str | None = None  # verifies X-Hub-Signature-256 on webhooks (demo: generated)
    webhook_verify_token: str | None = None  # Meta's verification handshake (demo: generated)
    metrics_token: str | None = None  # when set, /metrics wants this bearer token
    console_base_url: str | None = None  # the console's public address, e.g. https://console.example.com
    smtp_url: str | None = None  # smtp://user:password@host:587 (STARTTLS when offered) or smtps://host:465
    alert_email_from: str | None = None
    alert_email_to: tuple[str, ...] = ()  # ALERT_EMAIL_TO, a comma list
    alert_webhook_url: str | None = None  # an incoming-webhook URL (Slack/Teams-compatible JSON)
    alert_webhook_secret: str | None = None  # signs the alert webhook (X-Console-Signature-256) when set
    alert_quiet_minutes: float = 30.0  # a condition clear this long resolves its alert
    template_poll_interval_seconds: int = 900  # how often each WABA's message templates are read

    @property
    def demo(self) -> bool:
        return self.graph_api_url == DEMO

    @property
    def graph_api_major(self) -> int:
        return int(self.graph_api_version.lstrip("v").split(".")[0])


def _secrets_file(root: Path) -> dict[str, object]:
    path = root / ".streamlit" / "secrets.toml"
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}") from None


def _lookup(name: str, secrets: dict[str, object], default: str | None) -> str | None:
    if os.environ.get(name):
        return os.environ[name]
    value = secrets.get(name)
    if value is not None and value != "":
        return str(value)
    return default


def _number(name: str, secrets: dict[str, object], *, default: str, low: float, high: float, unit: str) -> float:
    """A setting that is a number of `unit` from `low` to `high`, or SettingsError saying so."""
    raw = _lookup(name, secrets, default) or default
    try:
        value = float(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise SettingsError(f"{name} must be a number of {unit} from {low:g} to {high:g}, not {raw!r}.")
    return value


def load_settings(root: Path | None = None) -> Settings:
    """Read the contract of ARCHITECTURE.md; a missing secrets file is normal."""
    root = root or Path.cwd()
    secrets = _secrets_file(root)
    data_dir = Path(_lookup("CONSOLE_DATA_DIR", secrets, str(DATA_DIR)) or DATA_DIR)
    database_url = _lookup("DATABASE_URL", secrets, None) or f"sqlite:///{data_dir / 'console.sqlite'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    graph_api_url = (_lookup("GRAPH_API_URL", secrets, DEMO) or DEMO).rstrip("/")
    version = _lookup("GRAPH_API_VERSION", secrets, DEFAULT_GRAPH_API_VERSION) or DEFAULT_GRAPH_API_VERSION
    if not version.startswith("v") or not version[1:].replace(".", "").isdigit():
        raise SettingsError(f"GRAPH_API_VERSION must look like v24.0, not {version!r}.")
    interval = _lookup("POLL_INTERVAL_SECONDS", secrets, "300") or "300"
    if not interval.isdigit() or int(interval) < 10:
        raise SettingsError(f"POLL_INTERVAL_SECONDS must be a whole number of seconds, 10 or more, not {interval!r}.")
    timeout_s = _number("GRAPH_API_TIMEOUT_SECONDS", secrets, default="10", low=0.1, high=120, unit="seconds")
    idle_hours = _number("SIGN_IN_IDLE_HOURS", secrets, default="8", low=0.05, high=24, unit="hours")
    display_timezone = _lookup("DISPLAY_TIMEZONE", secrets, BROWSER) or BROWSER
    quiet_minutes = _number("ALERT_QUIET_MINUTES", secrets, default="30", low=0, high=24 * 60, unit="minutes")
    template_interval = _number(
        "TEMPLATE_POLL_INTERVAL_SECONDS", secrets, default="900", low=60, high=7 * 24 * 3600, unit="seconds"
    )
    email_to = tuple(a.strip() for a in (_lookup("ALERT_EMAIL_TO", secrets, None) or "").split(",") if a.strip())
    if display_timezone != BROWSER and zone(display_timezone) is None:
        raise SettingsError(
            f"DISPLAY_TIMEZONE must be {BROWSER!r}, UTC or a time zone name such as Europe/Berlin, "
            f"not {display_timezone!r}."
        )
    return Settings(
        database_url=database_url,
        graph_api_url=graph_api_url,
        graph_api_version=version,
        secret_key=_lookup("CONSOLE_SECRET_KEY", secrets, None),
        poll_interval_seconds=int(interval),
        data_dir=data_dir,
        graph_api_timeout_seconds=timeout_s,
        sign_in_idle_hours=idle_hours,
        display_timezone=display_timezone,
        meta_app_secret=_lookup("META_APP_SECRET", secrets, None),
        webhook_verify_token=_lookup("WEBHOOK_VERIFY_TOKEN", secrets, None),
        metrics_token=_lookup("METRICS_TOKEN", secrets, None),
        console_base_url=(_lookup("CONSOLE_BASE_URL", secrets, None) or "").rstrip("/") or None,
        smtp_url=_lookup("SMTP_URL", secrets, None),
        alert_email_from=_lookup("ALERT_EMAIL_FROM", secrets, None),
        alert_email_to=email_to,
        alert_webhook_url=_lookup("ALERT_WEBHOOK_URL", secrets, None),
        alert_webhook_secret=_lookup("ALERT_WEBHOOK_SECRET", secrets, None),
        alert_quiet_minutes=quiet_minutes,
        template_poll_interval_seconds=int(template_interval),
    )
