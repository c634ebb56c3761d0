"""Poll cycles against the simulator over real HTTP: paging, rate limits, a revoked token, the call count."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from services.access.roles import DEMO_ADMIN
from services.access.vault import TokenVault
from services.credentials import lifecycle as credentials
from services.graph.connection import build_graph_client
from services.poller.loop import run_cycle
from services.runtime import Console
from services.settings import Settings
from services.simulator import Fault
from services.store.models import AuditEvent, Credential, HealthInterval, PhoneNumber, PollRun
from tests.fixtures.simulator import ServedSimulator

JASPERS, AURORA, NORTHWIND = "1000000000000001", "1000000000000002", "1000000000000003"
JASPERS_WABA, LUCKY_WABA, AURORA_WABA, BIG_WABA = (
    "2000000000000011",
    "2000000000000012",
    "2000000000000021",
    "2000000000000031",
)
NUMBERS = {JASPERS_WABA: 3, LUCKY_WABA: 2, AURORA_WABA: 3, BIG_WABA: 230}
POLL_S = 300
# (token, business, WABA, number) of the three credentials of the fleet, each with a token of its own.
FLEET = (
    ("EAATESTJASPERS", JASPERS, JASPERS_WABA, "3000000000000101"),
    ("EAATESTAURORA", AURORA, AURORA_WABA, "3000000000000106"),
    ("EAADEMOBIGWABA", NORTHWIND, BIG_WABA, "3000000000031000"),
)


def minimum_calls(*waba_ids: str) -> int:
    return sum(max(1, math.ceil(NUMBERS[waba] / 100)) for waba in waba_ids)


def make_console(engine: Engine, served: ServedSimulator, data_dir: Path) -> Console:
    """A console whose Graph API is the simulator over HTTP and whose clock is the simulator's."""
    key = Fernet.generate_key()
    settings = Settings(
        database_url=str(engine.url),
        graph_api_url=served.url,
        graph_api_version="v24.0",
        secret_key=key.decode(),
        poll_interval_seconds=POLL_S,
        data_dir=data_dir,
    )
    graph = build_graph_client(served.url, version="v24.0")
    return Console(settings=settings, engine=engine, graph=graph, vault=TokenVault(key), clock=served.clock)


def connect_fleet(console: Console, served: ServedSimulator, fleet: tuple[tuple[str, str, str, str], ...]) -> list[int]:
    """Store each credential the way a person does (credentials.connect); returns their ids."""
    ids = []
    for token, business, waba, number in fleet:
        if token.startswith("EAATEST"):
            served.simulator.register_token(token, state="valid", business_ids=[business])
        with Session(console.engine) as session:
            credential = credentials.connect(
                session=session,
                graph=console.graph,
                vault=console.vault,
                actor=DEMO_ADMIN,
                token=token,
                business_id=business,
                waba_id=waba,
                phone_number_id=number,
                at=console.clock(),
                poll_interval_s=POLL_S,
            )
            assert credential.id is not None
            ids.append(credential.id)
    return ids


@pytest.fixture
def console(engine: Engine, graph_simulator: ServedSimulator, tmp_path: Path) -> Iterator[Console]:
    opened = make_console(engine, graph_simulator, tmp_path)
    yield opened
    opened.graph.close()


def cycle(console: Console, served: ServedSimulator, **kwargs: object) -> tuple[PollRun, int]:
    """Advance one poll interval, run a cycle; returns the run and the Graph requests the simulator saw."""
    served.clock.advance(POLL_S)
    before = served.simulator.request_count
    run = run_cycle(console=console, **kwargs)  # type: ignore[arg-type]
    return run, served.simulator.request_count - before


def polled_at(engine: Engine, waba_id: str) -> set[object]:
    with Session(engine) as session:
        return set(session.exec(select(PhoneNumber.last_polled_at).where(PhoneNumber.waba_id == waba_id)))


def test_a_cycle_reads_every_number_with_the_fewest_graph_calls(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    connect_fleet(console, graph_simulator, FLEET)
    run, requests = cycle(console, graph_simulator)

    expected = minimum_calls(JASPERS_WABA, LUCKY_WABA, AURORA_WABA, BIG_WABA)
    assert expected == 6
    assert (run.graph_calls, requests) == (expected, expected)
    assert (run.status, run.errors, run.credentials_polled, run.numbers_seen) == ("ok", [], 3, 238)
    assert run.trigger == "schedule" and run.finished_at is not None and run.started_at <= run.finished_at
    paths = [unquote(entry["request"]) for entry in graph_simulator.simulator.requests()[-requests:]]
    # Each WABA's first page comes inside its own read (field expansion); only later pages use the edge.
    firsts = [path for path in paths if "after=" not in path]
    assert len(firsts) == 4 and all("phone_numbers.limit(100)" in path for path in firsts)
    assert all("health_status" in path and "quality_rating" in path and "throughput" in path for path in paths)
    assert sum("/phone_numbers?" in path and "after=" in path for path in paths) == 2  # Northwind's pages 2 and 3
    with Session(console.engine) as session:
        stored = session.exec(select(func.count()).select_from(PhoneNumber)).one()
        big = session.exec(select(PhoneNumber).where(PhoneNumber.waba_id == BIG_WABA)).all()
    assert stored == 238
    assert len(big) == 230 and {n.last_polled_at for n in big} == {graph_simulator.clock()}


def test_a_waba_two_credentials_reach_is_read_once(console: Console, graph_simulator: ServedSimulator) -> None:
    # The demo token reaches Jasper's and Lucky Shrub's WABAs through both businesses' credentials.
    shared = (
        ("EAADEMOTOKEN", JASPERS, JASPERS_WABA, "3000000000000101"),
        ("EAADEMOTOKEN", AURORA, AURORA_WABA, "3000000000000106"),
    )
    connect_fleet(console, graph_simulator, shared)
    run, requests = cycle(console, graph_simulator)
    assert requests == run.graph_calls == minimum_calls(JASPERS_WABA, LUCKY_WABA, AURORA_WABA) == 3
    assert (run.status, run.numbers_seen) == ("ok", 8)


def test_progress_is_reported_per_waba(console: Console, graph_simulator: ServedSimulator) -> None:
    connect_fleet(console, graph_simulator, FLEET)
    seen: list[tuple[int, int, str]] = []
    cycle(console, graph_simulator, trigger="manual", on_progress=lambda d, t, label: seen.append((d, t, label)))
    assert seen[0] == (0, 4, "Starting")
    assert [done for done, _, _ in seen] == [0, 1, 2, 3, 4]
    assert {label for _, _, label in seen[1:]} == {
        "Jasper's Market",
        "Lucky Shrub",
        "Aurora Coffee",
        "Northwind Stores",
    }


@pytest.mark.parametrize(
    ("state", "kind"),
    [("invalid", "token_invalid"), ("expired", "token_expired")],
)
def test_a_bad_token_in_the_middle_of_the_fleet_marks_its_credential_only(
    console: Console, graph_simulator: ServedSimulator, state: str, kind: str
) -> None:
    first, middle, last = connect_fleet(console, graph_simulator, FLEET)
    graph_simulator.simulator.register_token("EAATESTAURORA", state=state, business_ids=[AURORA])
    run, requests = cycle(console, graph_simulator)
    now = graph_simulator.clock()

    assert run.status == "partial"
    assert [(e["credential_id"], e["waba_id"], e["kind"]) for e in run.errors] == [(middle, AURORA_WABA, kind)]
    assert "EAATEST" not in str(run.errors)
    assert requests == run.graph_calls == minimum_calls(*NUMBERS)  # the failing WABA costs its one call
    assert polled_at(console.engine, JASPERS_WABA) == polled_at(console.engine, BIG_WABA) == {now}
    assert polled_at(console.engine, AURORA_WABA) != {now}
    with Session(console.engine) as session:
        marked = session.get(Credential, middle)
        others = [session.get(Credential, first), session.get(Credential, last)]
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "revalidate")).all()
    assert marked is not None and (marked.token_state, marked.token_checked_at) == (state, now)
    assert marked.token_problem == run.errors[0]["sentence"]
    assert all(c is not None and (c.token_state, c.token_checked_at) == ("valid", now) for c in others)
    assert [(a.object_id, a.changes["token_state"]) for a in audit] == [(str(middle), ["valid", state])]

    # The marked credential is not tried again until someone replaces its token.
    run, requests = cycle(console, graph_simulator)
    assert (run.status, run.errors) == ("ok", [])
    assert requests == minimum_calls(JASPERS_WABA, LUCKY_WABA, BIG_WABA)


def test_a_rate_limited_credential_rests_until_metas_wait_has_passed(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    _, aurora, _ = connect_fleet(console, graph_simulator, FLEET)
    graph_simulator.simulator.faults.add(
        Fault(kind="error", code=80008, token="EAATESTAURORA", retry_after_minutes=12, times=1)
    )
    started = time.monotonic()
    limited, requests = cycle(console, graph_simulator)
    assert time.monotonic() - started < 5  # the cycle does not sit out Meta's wait
    assert limited.status == "partial" and requests == minimum_calls(*NUMBERS)  # no retry of a 12-minute wait
    [error] = limited.errors
    retry_at = graph_simulator.clock() + timedelta(minutes=12)
    assert (error["credential_id"], error["kind"], error["retry_at"]) == (aurora, "rate_limited", retry_at.isoformat())
    assert "12 minutes" in error["sentence"]

    # Two intervals later (10 min) the wait still runs: the credential is skipped, the others are polled.
    for _ in range(2):
        skipped, requests = cycle(console, graph_simulator)
        assert requests == minimum_calls(JASPERS_WABA, LUCKY_WABA, BIG_WABA)
        assert [(e["credential_id"], e["kind"], e["retry_at"]) for e in skipped.errors] == [
            (aurora, "rate_limited", retry_at.isoformat())
        ]
    assert polled_at(console.engine, AURORA_WABA) == {graph_simulator.clock() - timedelta(seconds=3 * POLL_S)}

    # After the wait it is polled again, and its numbers' history shows the gap.
    back, requests = cycle(console, graph_simulator)
    assert (back.status, requests) == ("ok", minimum_calls(*NUMBERS))
    with Session(console.engine) as session:
        rows = session.exec(
            select(HealthInterval)
            .where(HealthInterval.phone_number_id == "3000000000000106")
            .order_by(col(HealthInterval.id))
        ).all()
    assert [(row.since == graph_simulator.clock(), row.follows_gap) for row in rows][-1] == (True, True)
    with Session(console.engine) as session:
        credential = session.get(Credential, aurora)
    assert credential is not None and credential.token_state == "valid"


def test_a_short_rate_limit_is_not_slept_out_inside_the_cycle(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    # Meta's one-minute wait would be retried by the client; the poller skips the credential instead.
    _, aurora, _ = connect_fleet(console, graph_simulator, FLEET)
    graph_simulator.simulator.faults.add(Fault(kind="error", code=4, token="EAATESTAURORA", retry_after_minutes=1))
    started = time.monotonic()
    run, requests = cycle(console, graph_simulator)
    assert time.monotonic() - started < 5
    assert requests == minimum_calls(*NUMBERS)
    assert [(e["credential_id"], e["kind"]) for e in run.errors] == [(aurora, "rate_limited")]
    assert run.errors[0]["retry_at"] >= (graph_simulator.clock() + timedelta(minutes=1)).isoformat()


def test_a_failed_waba_leaves_a_gap_in_its_numbers_history_only(
    console: Console, graph_simulator: ServedSimulator
) -> None:
    connect_fleet(console, graph_simulator, FLEET)
    cycle(console, graph_simulator)
    graph_simulator.simulator.faults.add(Fault(kind="error", code=100, path=AURORA_WABA, times=1))
    failed, _ = cycle(console, graph_simulator)
    assert [(e["waba_id"], e["kind"]) for e in failed.errors] == [(AURORA_WABA, "bad_parameter")]
    cycle(console, graph_simulator)
    with Session(console.engine) as session:

        def history(number_id: str) -> list[tuple[bool, int]]:
            query = select(HealthInterval).where(HealthInterval.phone_number_id == number_id)
            return [(row.follows_gap, row.polls) for row in session.exec(query.order_by(col(HealthInterval.id)))]

        # connect() observed the chosen WABA once; then three cycles of which the middle one failed for Aurora.
        assert history("3000000000000106") == [(True, 2), (True, 1)]
        assert history("3000000000000101") == [(True, 4)]


def test_an_empty_store_polls_nothing_and_says_so(console: Console, graph_simulator: ServedSimulator) -> None:
    run, requests = cycle(console, graph_simulator)
    assert (run.status, run.credentials_polled, run.numbers_seen, run.graph_calls, requests) == ("ok", 0, 0, 0, 0)
    with Session(console.engine) as session:
        assert session.exec(select(func.count()).select_from(PollRun)).one() == 1
