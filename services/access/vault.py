"""API tokens at rest: Fernet encryption, a keyed fingerprint, and the last four characters."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from services.access.secret_files import generated_once
from services.settings import Settings, SettingsError

DEMO_KEY_FILE = "console-secret.key"


class VaultError(Exception):
    """A stored token cannot be decrypted with the configured key."""


class TokenVault:
    """Encrypts with the first key; decrypts with any (so a key can be rotated)."""

    def __init__(self, *keys: bytes) -> None:
        if not keys:
            raise SettingsError("At least one CONSOLE_SECRET_KEY is needed.")
        self._fernet = MultiFernet([Fernet(key) for key in keys])
        self._fingerprint_key = hashlib.sha256(b"token-fingerprint:" + keys[0]).digest()

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise VaultError(
                "A stored API token cannot be decrypted with the current CONSOLE_SECRET_KEY; "
                "restore the previous key or replace the token."
            ) from None

    def fingerprint(self, token: str) -> str:
        """Same token, same fingerprint; reveals nothing of the token without the key."""
        return hmac.new(self._fingerprint_key, token.encode(), hashlib.sha256).hexdigest()


# Shorter than this, four characters would give away too much of the token; nothing is kept in clear then.
MIN_LENGTH_FOR_LAST4 = 8


def last4(token: str) -> str:
    """The last four characters kept in clear (none for a token too short to spare them)."""
    return token[-4:] if len(token) >= MIN_LENGTH_FOR_LAST4 else ""


def masked(token_last4: str) -> str:
    return f"••••{token_last4}"


def _parse_keys(raw: str) -> list[bytes]:
    keys = [part.strip().encode() for part in raw.split(",") if part.strip()]
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise SettingsError(
                "CONSOLE_SECRET_KEY must be a Fernet key (32 url-safe base64-encoded bytes); create one with: "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            ) from None
    return keys


def _read_demo_key(path: Path) -> bytes:
    key = path.read_bytes().strip()
    try:
        Fernet(key)
    except ValueError:
        raise SettingsError(
            f"{path} does not hold a Fernet key; restore it from a backup, or (if no API token was stored yet) "
            "delete it and restart to generate a new one."
        ) from None
    return key


def _demo_key(data_dir: Path) -> bytes:
    path = data_dir / DEMO_KEY_FILE
    generated_once(path, Fernet.generate_key)
    return _read_demo_key(path)


def load_vault(settings: Settings) -> TokenVault:
    """The vault for `settings`: CONSOLE_SECRET_KEY (comma-separated, newest first), or in demo a generated key."""
    if settings.secret_key:
        return TokenVault(*_parse_keys(settings.secret_key))
    if settings.demo:
        return TokenVault(_demo_key(settings.data_dir))
    raise SettingsError(
        "CONSOLE_SECRET_KEY is required when GRAPH_API_URL is not 'demo': it encrypts API tokens at rest. "
        "Create one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
    )
