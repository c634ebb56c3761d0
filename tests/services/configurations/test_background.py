"""Checks on a worker thread: Submit returns at once, the store says Processing, then the outcome."""

import threading

from sqlalchemy import Engine
from sqlmodel import Session

from services.access.roles import DEMO_ADMIN
from services.access.vault import TokenVault
from services.configurations import lifecycle as configurations
from services.configurations.background import THREAD_PREFIX, BackgroundChecks
from services.configurations.records import get
from services.configurations.runs import recover_processing
from services.graph.client import GraphClient
from services.simulator import Fault
from tests.channel_configurations import JASPERS_WABA, complete
from tests.fixtures.simulator import ServedSimulator


def _submit(engine: Engine, credential_id: int) -> int:
    with Session(engine) as session:
        row = configurations.submit(session=session, actor=DEMO_ADMIN, values=complete(credential_id))
        assert row.id is not None
        return row.id


def _status(engine: Engine, configuration_id: int) -> str:
    with Session(engine) as session:
        return get(session=session, configuration_id=configuration_id).status


def test_the_checks_run_on_a_worker_while_the_store_says_processing(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    configuration_id = _submit(engine, credential_id)
    graph_simulator.simulator.faults.add(Fault(kind="slow", seconds=0.5, path=f"{JASPERS_WABA}$"))
    checks, threads = BackgroundChecks(workers=1), []
    clock = graph_simulator.simulator.now

    def run_here() -> None:
        threads.append(threading.current_thread().name)

    future = checks.start(
        engine=engine, graph=graph, vault=vault, configuration_id=configuration_id, actor=DEMO_ADMIN, clock=clock
    )
    again = checks.start(
        engine=engine, graph=graph, vault=vault, configuration_id=configuration_id, actor=DEMO_ADMIN, clock=clock
    )
    assert again is future  # one run per configuration at a time
    assert _status(engine, configuration_id) == "processing"
    assert checks.running(engine) == {configuration_id}
    run = future.result(timeout=30)
    assert run is not None and run.status == "active"
    assert _status(engine, configuration_id) == "active"
    assert checks.running(engine) == set()
    checks._pool.submit(run_here).result(timeout=5)
    assert threads[0].startswith(THREAD_PREFIX)


def test_a_run_that_breaks_leaves_processing_for_the_next_start_to_recover(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    configuration_id = _submit(engine, credential_id)

    def broken_clock():  # type: ignore[no-untyped-def]
        raise RuntimeError("the worker died mid-check")

    checks = BackgroundChecks(workers=1)
    future = checks.start(
        engine=engine, graph=graph, vault=vault, configuration_id=configuration_id, actor=DEMO_ADMIN, clock=broken_clock
    )
    assert future.result(timeout=30) is None
    assert _status(engine, configuration_id) == "processing"
    assert recover_processing(engine=engine, graph=graph, vault=vault, now=graph_simulator.simulator.now()) == 1
    assert _status(engine, configuration_id) == "active"


def test_a_configuration_deleted_before_its_worker_starts_is_no_error(
    engine: Engine, graph: GraphClient, vault: TokenVault, credential_id: int, graph_simulator: ServedSimulator
) -> None:
    configuration_id = _submit(engine, credential_id)
    with Session(engine) as session:
        row = get(session=session, configuration_id=configuration_id)
        session.delete(row)
        session.commit()
    checks = BackgroundChecks(workers=1)
    future = checks.start(
        engine=engine,
        graph=graph,
        vault=vault,
        configuration_id=configuration_id,
        actor=DEMO_ADMIN,
        clock=graph_simulator.simulator.now,
    )
    assert future.result(timeout=30) is None
