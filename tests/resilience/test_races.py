"""Two app processes doing the same thing at the same moment, on SQLite and on a real PostgreSQL.

Each race lines both processes up on a barrier right after their own checks passed (neither has written
yet), so both really write at once: the store, not timing luck, must decide. Afterwards nobody got an
exception, only a stored row or the sentence the console shows for the refusal.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import queue
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select, update

from services.access.roles import DEMO_ADMIN
from services.access.vault import TokenVault
from services.configurations import lifecycle as configurations
from services.configurations.fields import ConfigurationInput, ConfigurationInvalid, taken_sentence
from services.configurations.records import ConfigurationRefused
from services.credentials import lifecycle as credentials
from services.graph.connection import build_graph_client
from services.store.engine import create_store_engine
from services.store.models import (
    AuditEvent,
    ChannelConfiguration,
    Credential,
    CredentialReach,
    PhoneNumber,
    WhatsAppBusinessAccount,
)
from services.store.types import utcnow
from tests.fixtures.simulator import ServedSimulator
from tests.resilience.scene import NORTHWIND, NORTHWIND_FIRST, NORTHWIND_WABA

NAMES = [f"Race-{n:02d}" for n in range(15)]
PROCESSES = 2
TOKENS = ("EAARACEFIRSTADMIN0001", "EAARACESECONDADMIN002")
WAIT_S = 120  # a barrier's patience; a racing process stuck past STUCK_S prints its stack and exits
STUCK_S = WAIT_S + 60
SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter, as a second app replica is


def _after(original: Callable[..., Any], barrier: Any) -> Callable[..., Any]:
    """`original`, then a wait until the other process got there too."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        barrier.wait(WAIT_S)
        return result

    return wrapped


def _before(original: Callable[..., Any], barrier: Any) -> Callable[..., Any]:
    """A wait until the other process got there too, then `original`."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        barrier.wait(WAIT_S)
        return original(*args, **kwargs)

    return wrapped


def _watchdog() -> None:
    """A racing process that crashes, or is stuck past STUCK_S, prints every thread's stack to the test's output."""
    faulthandler.enable()
    faulthandler.dump_traceback_later(STUCK_S, exit=True)


def save_names(url: str, barrier: Any, results: Any) -> None:
    """One admin saving a draft under each name; both admins pass the name check before either stores."""
    _watchdog()
    configurations.draft_errors = _after(configurations.draft_errors, barrier)  # type: ignore[assignment]
    engine = create_store_engine(url)
    outcomes: list[tuple[str, str]] = []
    try:
        for name in NAMES:
            try:
                with Session(engine) as session:
                    configurations.save_draft(session=session, actor=DEMO_ADMIN, values=ConfigurationInput(name=name))
                outcomes.append((name, "stored"))
            except ConfigurationInvalid as exc:
                outcomes.append((name, exc.errors.get("name", repr(exc.errors))))
            except Exception as exc:  # what the test is about: nothing else may reach the admin
                outcomes.append((name, f"exception {exc!r}"))
    finally:
        engine.dispose()
        results.put(outcomes)


def connect_credential(url: str, graph_url: str, key: bytes, token: str, barrier: Any, results: Any) -> None:
    """One admin storing a credential of the Northwind WABA; both reach the WABA upsert at the same moment."""
    _watchdog()
    credentials.record_fleet = _before(credentials.record_fleet, barrier)  # type: ignore[assignment]
    engine = create_store_engine(url)
    graph = build_graph_client(graph_url, version="v24.0", sleep=lambda _s: None)
    try:
        with Session(engine) as session:
            stored = credentials.connect(
                session=session,
                graph=graph,
                vault=TokenVault(key),
                actor=DEMO_ADMIN,
                token=token,
                business_id=NORTHWIND,
                waba_id=NORTHWIND_WABA,
                phone_number_id=NORTHWIND_FIRST,
                name=f"Northwind via {token[-4:]}",
                at=utcnow(),
            )
        results.put(("stored", stored.id))
    except (credentials.CredentialInputError, credentials.DuplicateCredential) as exc:
        results.put(("sentence", str(exc)))
    except Exception as exc:
        results.put(("exception", repr(exc)))
    finally:
        graph.close()
        engine.dispose()


def _race(target: Callable[..., None], *per_process: tuple[Any, ...]) -> list[Any]:
    barrier, results = SPAWN.Barrier(len(per_process)), SPAWN.Queue()
    children = [SPAWN.Process(target=target, args=(*args, barrier, results)) for args in per_process]
    for child in children:
        child.start()
    outcomes: list[Any] = []
    deadline = time.monotonic() + STUCK_S + 30
    try:
        while len(outcomes) < len(children):
            try:
                outcomes.append(results.get(timeout=0.5))
            except queue.Empty:
                failed = [child.exitcode for child in children if child.exitcode not in (None, 0)]
                if failed or time.monotonic() > deadline:
                    pytest.fail(
                        f"a racing process gave no answer (exit codes {[c.exitcode for c in children]}; "
                        "a stuck one printed its stack above)",
                        pytrace=False,
                    )
    finally:
        for child in children:
            child.join(timeout=WAIT_S)
            if child.is_alive():
                child.kill()
    assert [child.exitcode for child in children] == [0] * len(children)
    return outcomes


@pytest.mark.postgres
def test_two_admins_saving_the_same_names_at_once_store_each_name_once(store_url: str, store_engine: Engine) -> None:
    outcomes = _race(save_names, *[(store_url,)] * PROCESSES)

    told: dict[str, list[str]] = {name: [] for name in NAMES}
    for process in outcomes:
        for name, outcome in process:
            told[name].append(outcome)
    for name, answers in told.items():
        assert sorted(answers) == sorted(["stored", taken_sentence(name)]), (name, answers)
    with Session(store_engine) as session:
        lowered = func.lower(ChannelConfiguration.name)
        stored = Counter(dict(session.exec(select(lowered, func.count()).group_by(lowered)).all()))
        audited = session.exec(select(func.count()).select_from(AuditEvent)).one()
    assert stored == Counter({name.lower(): 1 for name in NAMES})
    assert audited == len(NAMES)  # a refused save leaves no audit row behind


@pytest.mark.postgres
def test_two_admins_storing_credentials_of_one_waba_at_once_both_succeed(
    store_url: str, store_engine: Engine, graph_simulator: ServedSimulator
) -> None:
    for token in TOKENS:
        graph_simulator.simulator.register_token(
            token, state="valid", business_ids=[NORTHWIND], expires_at=utcnow() + timedelta(days=400)
        )
    key = Fernet.generate_key()
    outcomes = _race(connect_credential, *[(store_url, graph_simulator.url, key, token) for token in TOKENS])

    assert [kind for kind, _ in outcomes] == ["stored", "stored"], outcomes
    with Session(store_engine) as session:
        assert session.exec(select(func.count()).select_from(Credential)).one() == 2
        wabas = session.exec(select(WhatsAppBusinessAccount.id).where(WhatsAppBusinessAccount.id == NORTHWIND_WABA))
        assert list(wabas) == [NORTHWIND_WABA]
        numbers = session.exec(
            select(func.count()).select_from(PhoneNumber).where(col(PhoneNumber.waba_id) == NORTHWIND_WABA)
        ).one()
        assert numbers == 230  # every number of the WABA once, though both processes observed them all
        reach = session.exec(select(CredentialReach.credential_id, CredentialReach.waba_id)).all()
        assert sorted(waba for _, waba in reach).count(NORTHWIND_WABA) == 2


@pytest.mark.postgres
def test_a_name_taken_between_the_check_and_the_write_gets_the_checks_sentence(
    store_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every path that stores a name: the index's refusal reads as the name check's, never as an exception."""
    session = store_session
    old = configurations.save_draft(session=session, actor=DEMO_ADMIN, values=ConfigurationInput(name="Promo"))
    assert old.id is not None
    session.exec(update(ChannelConfiguration).values(status="deactivated"))
    session.commit()
    configurations.save_draft(session=session, actor=DEMO_ADMIN, values=ConfigurationInput(name="PROMO"))
    monkeypatch.setattr(configurations, "draft_errors", lambda **_kw: {})  # the check ran before the other save
    monkeypatch.setattr(configurations, "name_taken", lambda **_kw: False)

    with pytest.raises(ConfigurationInvalid) as refused:
        configurations.save_draft(session=session, actor=DEMO_ADMIN, values=ConfigurationInput(name="promo"))
    assert refused.value.errors == {"name": taken_sentence("promo")}
    with pytest.raises(ConfigurationRefused, match="already named “Promo”; choose another name Duplicate this one"):
        configurations.activate(session=session, actor=DEMO_ADMIN, configuration_id=old.id)
    first = configurations.duplicate(session=session, actor=DEMO_ADMIN, configuration_id=old.id)
    second = configurations.duplicate(session=session, actor=DEMO_ADMIN, configuration_id=old.id)
    assert (first.name, second.name) == ("Promo-copy", "Promo-copy-2")  # refused by the index, it took the next
