"""What a cycle reads: usable credentials only, each WABA once, the next credential when one fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlmodel import Session, select

from services.access.vault import TokenVault
from services.health import recording as health
from services.poller.loop import run_cycle
from services.runtime import Console
from services.store.models import Credential, CredentialReach, PhoneNumber, PollRun
from tests.services.poller.test_backoff import NOW, FakeGraph, fleet_console

ONE, TWO = "2000000000000011", "2000000000000021"


@pytest.fixture
def fake() -> FakeGraph:
    return FakeGraph()


@pytest.fixture
def console(engine: Engine, fake: FakeGraph, tmp_path: Path) -> Iterator[Console]:
    opened = fleet_console(engine, fake, tmp_path)
    yield opened
    opened.graph.close()


def change_credential(console: Console, credential_id: int, **values: object) -> None:
    with Session(console.engine) as session:
        credential = session.get(Credential, credential_id)
        assert credential is not None
        for name, value in values.items():
            setattr(credential, name, value)
        session.add(credential)
        session.commit()


def polled(console: Console, waba_id: str) -> bool:
    with Session(console.engine) as session:
        number = session.exec(select(PhoneNumber).where(PhoneNumber.waba_id == waba_id)).one()
    return number.last_polled_at == NOW


def test_a_token_the_key_cannot_decrypt_is_reported_and_the_others_polled(console: Console, fake: FakeGraph) -> None:
    change_credential(console, 1, token_ciphertext=TokenVault(Fernet.generate_key()).encrypt("EAAOTHERKEY"))
    run = run_cycle(console=console)
    assert run.status == "partial" and fake.calls == [TWO]
    [error] = run.errors
    assert (error["credential_id"], error["kind"]) == (1, "vault")
    assert "CONSOLE_SECRET_KEY" in error["sentence"]
    assert polled(console, TWO) and not polled(console, ONE)


def test_a_credential_already_marked_expired_is_not_tried(console: Console, fake: FakeGraph) -> None:
    change_credential(console, 1, token_state="expired")
    run = run_cycle(console=console)
    assert (run.status, run.errors, run.credentials_polled, fake.calls) == ("ok", [], 1, [TWO])


def test_a_waba_falls_back_to_its_next_credential_when_the_first_token_fails(console: Console, fake: FakeGraph) -> None:
    with Session(console.engine) as session:
        session.add(CredentialReach(credential_id=1, waba_id=TWO))  # credential 1 reaches both WABAs
        session.commit()
    fake.revoked.add("EAATOKENONE")
    run = run_cycle(console=console, workers=1)
    assert run.status == "partial" and run.numbers_seen == 1
    assert {(e["credential_id"], e["waba_id"], e["kind"]) for e in run.errors} == {
        (1, ONE, "token_invalid"),
        (1, TWO, "token_invalid"),
    }
    assert fake.calls == [ONE, TWO] and polled(console, TWO)  # the known-bad token is not tried again
    with Session(console.engine) as session:
        first, second = session.get(Credential, 1), session.get(Credential, 2)
    assert first is not None and second is not None
    assert (first.token_state, second.token_state) == ("invalid", "valid")


def test_a_cycle_that_breaks_is_recorded_as_failed(console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**_: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(health, "observe_many", broken)
    with pytest.raises(RuntimeError):
        run_cycle(console=console)
    with Session(console.engine) as session:
        [run] = session.exec(select(PollRun)).all()
    assert (run.status, run.finished_at, [e["kind"] for e in run.errors]) == ("failed", NOW, ["internal"])
