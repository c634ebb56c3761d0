"""Rate-limit waits kept in the store, and rest for a WABA whose usage header nears Meta's quota."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlmodel import Session

from services.access.vault import TokenVault
from services.graph.connection import build_graph_client
from services.poller.backoff import LOOKBACK, USAGE_CEILING, wait_entry, waits
from services.poller.loop import run_cycle
from services.runtime import Console
from services.settings import Settings
from services.simulator import ManualClock
from services.store.models import (
    Credential,
    CredentialReach,
    PhoneNumber,
    PollRun,
    WhatsAppBusinessAccount,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
WABAS = {"2000000000000011": "EAATOKENONE", "2000000000000021": "EAATOKENTWO"}


def add_run(session: Session, *, started_at: datetime, errors: list[dict[str, object]]) -> None:
    session.add(PollRun(started_at=started_at, finished_at=started_at, status="partial", errors=errors))
    session.commit()


def test_waits_are_read_back_from_recent_runs(session: Session) -> None:
    def entry(credential_id: int, until: datetime) -> dict[str, object]:
        return wait_entry(credential_id=credential_id, waba_id=None, until=until, sentence=f"wait {credential_id}")

    add_run(session, started_at=NOW - timedelta(hours=1), errors=[entry(1, NOW + timedelta(minutes=10))])
    add_run(session, started_at=NOW - timedelta(minutes=5), errors=[entry(1, NOW + timedelta(minutes=30))])
    add_run(session, started_at=NOW - timedelta(minutes=5), errors=[entry(3, NOW - timedelta(minutes=1))])
    add_run(session, started_at=NOW - LOOKBACK - timedelta(minutes=1), errors=[entry(2, NOW + timedelta(hours=1))])
    other = {"credential_id": 4, "waba_id": None, "kind": "token_invalid", "sentence": "revoked"}
    add_run(session, started_at=NOW - timedelta(minutes=5), errors=[other])
    assert waits(session=session, now=NOW) == {1: (NOW + timedelta(minutes=30), "wait 1")}


def _usage(waba_id: str, share: int, minutes: int = 0) -> str:
    entry = {"type": "whatsapp_business_management", "call_count": share, "total_cputime": 1, "total_time": 1}
    return json.dumps({waba_id: [entry | {"estimated_time_to_regain_access": minutes}]})


class FakeGraph:
    """Answers each WABA's expanded read with one number and a chosen usage share."""

    def __init__(self) -> None:
        self.share: dict[str, int] = {}
        self.calls: list[str] = []
        self.revoked: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        waba_id = request.url.path.split("/")[2]
        self.calls.append(waba_id)
        if request.headers["Authorization"].removeprefix("Bearer ") in self.revoked:
            error = {"message": "Error validating access token", "type": "OAuthException", "code": 190}
            return httpx.Response(401, json={"error": error | {"error_subcode": 467}})
        number = {
            "id": f"3{waba_id[1:]}",
            "display_phone_number": "+1 631-555-0101",
            "verified_name": "Store",
            "quality_rating": "GREEN",
            "throughput": {"level": "STANDARD"},
            "status": "CONNECTED",
        }
        headers = {"X-Business-Use-Case-Usage": _usage(waba_id, self.share.get(waba_id, 5))}
        body = {"id": waba_id, "name": "WABA", "phone_numbers": {"data": [number]}}
        return httpx.Response(200, json=body, headers=headers)


@pytest.fixture
def fake() -> FakeGraph:
    return FakeGraph()


def fleet_console(engine: Engine, fake: FakeGraph, tmp_path: Path) -> Console:
    """Two credentials, each reaching one WABA of one number, over a faked Graph API; the clock stands at NOW."""
    key = Fernet.generate_key()
    vault = TokenVault(key)
    graph = build_graph_client("http://graph.test", version="v24.0", transport=httpx.MockTransport(fake))
    settings = Settings(str(engine.url), "http://graph.test", "v24.0", key.decode(), 300, tmp_path)
    with Session(engine) as session:
        for index, (waba_id, token) in enumerate(WABAS.items(), start=1):
            session.add(WhatsAppBusinessAccount(id=waba_id, name=f"WABA {index}"))
            session.flush()  # the tables have no ORM relationships, so the unit of work needs the order spelled out
            session.add(PhoneNumber(id=f"3{waba_id[1:]}", waba_id=waba_id, display_phone_number="+1 631-555-0101"))
            session.flush()
            session.add(
                Credential(
                    id=index,
                    name=f"Credential {index}",
                    business_id="1000000000000001",
                    waba_id=waba_id,
                    phone_number_id=f"3{waba_id[1:]}",
                    token_ciphertext=vault.encrypt(token),
                    token_last4=token[-4:],
                    token_fingerprint=vault.fingerprint(token),
                )
            )
            session.flush()
            session.add(CredentialReach(credential_id=index, waba_id=waba_id))
        session.commit()
    return Console(settings=settings, engine=engine, graph=graph, vault=vault, clock=ManualClock(NOW))


@pytest.fixture
def console(engine: Engine, fake: FakeGraph, tmp_path: Path) -> Iterator[Console]:
    opened = fleet_console(engine, fake, tmp_path)
    yield opened
    opened.graph.close()


def test_a_waba_near_its_quota_rests_one_interval_then_is_polled_again(console: Console, fake: FakeGraph) -> None:
    fake.share["2000000000000021"] = USAGE_CEILING + 5
    first = run_cycle(console=console)
    assert first.status == "partial" and first.numbers_seen == 2  # the crowded answer itself is recorded
    [rest] = first.errors
    assert (rest["credential_id"], rest["kind"]) == (2, "rate_limited")
    assert rest["retry_at"] == (NOW + timedelta(seconds=300)).isoformat()

    fake.share.clear()
    fake.calls.clear()
    console.clock.advance(120)  # type: ignore[attr-defined]
    resting = run_cycle(console=console)
    assert fake.calls == ["2000000000000011"] and resting.graph_calls == 1

    console.clock.advance(300)  # type: ignore[attr-defined]
    back = run_cycle(console=console)
    assert (back.status, sorted(fake.calls[1:])) == ("ok", sorted(WABAS))


def test_usage_below_the_ceiling_costs_nothing(console: Console, fake: FakeGraph) -> None:
    fake.share["2000000000000021"] = USAGE_CEILING - 1
    run = run_cycle(console=console)
    assert (run.status, run.errors, run.graph_calls) == ("ok", [], 2)
