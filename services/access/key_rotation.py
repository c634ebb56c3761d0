"""Re-encrypt every stored API token with a new CONSOLE_SECRET_KEY, in one transaction."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlmodel import Session, select

from services.access import audit
from services.access.roles import SYSTEM, Actor, require_admin
from services.access.vault import DEMO_KEY_FILE, TokenVault, load_vault
from services.language.translate import _, plural
from services.settings import SettingsError, load_settings
from services.store.models import Credential


def rotate_key(*, engine: Engine, old: TokenVault, new: TokenVault, actor: Actor) -> int:
    """Decrypt each token with `old`, encrypt it with `new`; all or nothing. Returns how many were re-encrypted."""
    require_admin(actor, "rotate the encryption key")
    with Session(engine) as session:
        credentials = list(session.exec(select(Credential)))
        for credential in credentials:
            token = old.decrypt(credential.token_ciphertext)
            credential.token_ciphertext = new.encrypt(token)
            credential.token_fingerprint = new.fingerprint(token)
            session.add(credential)
        audit.record(
            session=session,
            actor=actor,
            action="rotate_key",
            object_type="console",
            object_id="secret-key",
            detail=f"{len(credentials)} API tokens re-encrypted with a new key",
        )
        session.commit()
    return len(credentials)


def _write_private(path: Path, key: bytes) -> None:
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    temporary.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.credentials rotate-key")
    parser.add_argument("--new-key-stdin", action="store_true", help="read the new Fernet key from standard input")
    args = parser.parse_args(argv)
    from services.runtime import open_store

    settings = load_settings()
    try:
        old = load_vault(settings)
        new_key = sys.stdin.readline().strip().encode() if args.new_key_stdin else Fernet.generate_key()
        new = TokenVault(new_key)
    except (SettingsError, ValueError) as exc:
        print(_("Nothing changed: {error}", error=exc), file=sys.stderr)
        return 2
    count = rotate_key(engine=open_store(settings), old=old, new=new, actor=SYSTEM)
    if settings.demo and not settings.secret_key:
        _write_private(settings.data_dir / DEMO_KEY_FILE, new_key)
        print(
            plural(
                "1 API token re-encrypted; the demo key file was replaced.",
                "{count} API tokens re-encrypted; the demo key file was replaced.",
                count,
            )
        )
    elif args.new_key_stdin:
        print(
            plural(
                "1 API token re-encrypted; set CONSOLE_SECRET_KEY to the new key and restart the console.",
                "{count} API tokens re-encrypted; set CONSOLE_SECRET_KEY to the new key and restart the console.",
                count,
            )
        )
    else:
        target = settings.data_dir / "console-secret.key.new"
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_private(target, new_key)
        print(
            plural(
                "1 API token re-encrypted; the new key is in {target} (mode 0600).",
                "{count} API tokens re-encrypted; the new key is in {target} (mode 0600).",
                count,
                target=str(target),
            )
        )
        print(_("Set CONSOLE_SECRET_KEY to it, restart the console, then delete the file."))
    return 0
