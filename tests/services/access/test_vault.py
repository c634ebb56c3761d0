import os
import stat
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from services.access.vault import DEMO_KEY_FILE, TokenVault, VaultError, last4, load_vault, masked
from services.settings import Settings, SettingsError

TOKEN = "EAAVAULTTESTTOKEN1234"


def _settings(tmp_path: Path, *, secret_key: str | None, graph_api_url: str = "demo") -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'console.sqlite'}",
        graph_api_url=graph_api_url,
        graph_api_version="v24.0",
        secret_key=secret_key,
        poll_interval_seconds=300,
        data_dir=tmp_path / "data",
    )


def test_a_token_round_trips_and_its_ciphertext_does_not_hold_it() -> None:
    vault = TokenVault(Fernet.generate_key())
    ciphertext = vault.encrypt(TOKEN)
    assert TOKEN not in ciphertext
    assert vault.encrypt(TOKEN) != ciphertext  # Fernet is randomised
    assert vault.decrypt(ciphertext) == TOKEN


def test_another_key_cannot_decrypt_and_the_error_is_a_sentence_without_the_token() -> None:
    ciphertext = TokenVault(Fernet.generate_key()).encrypt(TOKEN)
    with pytest.raises(VaultError) as raised:
        TokenVault(Fernet.generate_key()).decrypt(ciphertext)
    assert "CONSOLE_SECRET_KEY" in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_the_previous_key_still_decrypts_after_a_key_rotation() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    ciphertext = TokenVault(old).encrypt(TOKEN)
    rotated = TokenVault(new, old)
    assert rotated.decrypt(ciphertext) == TOKEN
    with pytest.raises(VaultError):
        TokenVault(old).decrypt(rotated.encrypt(TOKEN))  # new ciphertexts use the first key


def test_the_fingerprint_is_stable_keyed_and_reveals_nothing() -> None:
    key = Fernet.generate_key()
    fingerprint = TokenVault(key).fingerprint(TOKEN)
    assert TokenVault(key).fingerprint(TOKEN) == fingerprint
    assert TokenVault(key).fingerprint(TOKEN + "X") != fingerprint
    assert TokenVault(Fernet.generate_key()).fingerprint(TOKEN) != fingerprint
    assert len(fingerprint) == 64 and TOKEN[-4:] not in fingerprint


def test_only_the_last_four_characters_are_kept_and_none_of_a_short_token() -> None:
    assert last4(TOKEN) == "1234"
    assert masked(last4(TOKEN)) == "••••1234"
    assert last4("abcdefg") == ""  # four of seven characters would give most of it away
    assert last4("") == ""


def test_the_secret_key_may_list_several_keys_newest_first(tmp_path: Path) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    ciphertext = TokenVault(old).encrypt(TOKEN)
    vault = load_vault(_settings(tmp_path, secret_key=f"{new.decode()}, {old.decode()}"))
    assert vault.decrypt(ciphertext) == TOKEN
    assert TokenVault(new).decrypt(vault.encrypt(TOKEN)) == TOKEN


def test_a_malformed_secret_key_is_refused_with_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="Fernet.generate_key"):
        load_vault(_settings(tmp_path, secret_key="not-a-key"))


def test_outside_demo_mode_the_secret_key_is_required(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CONSOLE_SECRET_KEY is required"):
        load_vault(_settings(tmp_path, secret_key=None, graph_api_url="https://graph.facebook.com"))
    assert not (tmp_path / "data" / DEMO_KEY_FILE).exists()


def test_demo_mode_generates_one_private_key_and_reuses_it(tmp_path: Path) -> None:
    settings = _settings(tmp_path, secret_key=None)
    ciphertext = load_vault(settings).encrypt(TOKEN)
    path = settings.data_dir / DEMO_KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_vault(settings).decrypt(ciphertext) == TOKEN
    assert [p.name for p in settings.data_dir.iterdir()] == [DEMO_KEY_FILE]  # no temporary file left behind


def test_consoles_starting_together_in_demo_mode_agree_on_one_key(tmp_path: Path) -> None:
    settings = _settings(tmp_path, secret_key=None)
    vaults: list[TokenVault] = []
    start = threading.Barrier(8)

    def open_vault() -> None:
        start.wait()
        vaults.append(load_vault(replace(settings)))

    threads = [threading.Thread(target=open_vault) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ciphertext = vaults[0].encrypt(TOKEN)
    assert all(vault.decrypt(ciphertext) == TOKEN for vault in vaults)


def test_a_damaged_demo_key_file_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    settings = _settings(tmp_path, secret_key=None)
    settings.data_dir.mkdir()
    (settings.data_dir / DEMO_KEY_FILE).write_bytes(b"")
    with pytest.raises(SettingsError, match="does not hold a Fernet key"):
        load_vault(settings)
