import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlmodel import Session, select

from services.access.key_rotation import rotate_key
from services.access.roles import DEMO_ADMIN, Actor, PermissionDenied
from services.access.vault import TokenVault, VaultError
from services.store.models import AuditEvent, Credential, PhoneNumber, WhatsAppBusinessAccount

TOKENS = ["EAAFIRSTTOKEN0001", "EAASECONDTOKEN0002"]


def _store_credentials(engine: Engine, vault: TokenVault) -> None:
    with Session(engine) as session:
        session.add(WhatsAppBusinessAccount(id="2000000000000001", name="Jasper's Market"))
        session.flush()
        for index, token in enumerate(TOKENS):
            number_id = f"300000000000000{index}"
            session.add(PhoneNumber(id=number_id, waba_id="2000000000000001", display_phone_number="+1 631-555-0101"))
            session.flush()
            session.add(
                Credential(
                    name=f"credential {index}",
                    business_id="1000000000000001",
                    waba_id="2000000000000001",
                    phone_number_id=number_id,
                    token_ciphertext=vault.encrypt(token),
                    token_last4=token[-4:],
                    token_fingerprint=vault.fingerprint(token),
                )
            )
        session.commit()


def test_rotate_key_reencrypts_every_token_and_the_old_key_no_longer_decrypts(engine: Engine) -> None:
    old, new = TokenVault(Fernet.generate_key()), TokenVault(Fernet.generate_key())
    _store_credentials(engine, old)

    assert rotate_key(engine=engine, old=old, new=new, actor=DEMO_ADMIN) == 2

    with Session(engine) as session:
        stored = list(session.exec(select(Credential).order_by(Credential.id)))
        assert [new.decrypt(c.token_ciphertext) for c in stored] == TOKENS
        assert [c.token_fingerprint for c in stored] == [new.fingerprint(t) for t in TOKENS]
        for credential in stored:
            with pytest.raises(VaultError, match="cannot be decrypted"):
                old.decrypt(credential.token_ciphertext)
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "rotate_key")).one()
        assert "2 API tokens" in event.detail and "EAA" not in str(event.changes)


def test_rotate_key_is_all_or_nothing(engine: Engine) -> None:
    old, new, stranger = (TokenVault(Fernet.generate_key()) for _ in range(3))
    _store_credentials(engine, old)
    with Session(engine) as session:
        last = session.exec(select(Credential).order_by(Credential.id.desc())).first()
        last.token_ciphertext = stranger.encrypt("EAAFOREIGN0003")
        session.add(last)
        session.commit()

    with pytest.raises(VaultError):
        rotate_key(engine=engine, old=old, new=new, actor=DEMO_ADMIN)

    with Session(engine) as session:
        first = session.exec(select(Credential).order_by(Credential.id)).first()
        assert old.decrypt(first.token_ciphertext) == TOKENS[0]


def test_viewers_cannot_rotate_the_key(engine: Engine) -> None:
    vault = TokenVault(Fernet.generate_key())
    with pytest.raises(PermissionDenied):
        rotate_key(engine=engine, old=vault, new=vault, actor=Actor(email="v@example.com", role="viewer"))


def test_rotate_key_command_reencrypts_with_the_key_from_stdin(engine: Engine, database_url: str, tmp_path) -> None:
    import os
    import subprocess
    import sys

    old_key, new_key = Fernet.generate_key(), Fernet.generate_key()
    _store_credentials(engine, TokenVault(old_key))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GRAPH_API_URL": "http://127.0.0.1:9",
        "CONSOLE_SECRET_KEY": old_key.decode(),
        "CONSOLE_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.credentials", "rotate-key", "--new-key-stdin"],
        input=new_key.decode() + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "2 API tokens re-encrypted" in done.stdout
    with Session(engine) as session:
        stored = list(session.exec(select(Credential).order_by(Credential.id)))
        assert [TokenVault(new_key).decrypt(c.token_ciphertext) for c in stored] == TOKENS
