"""The app and the poller write the same store at once, on SQLite (WAL) and on PostgreSQL, for a bounded time.

`python -m services.poller --interval 1` polls 300 numbers every second in a process of its own while three
operator threads of the app (the services the pages call) save and edit drafts, submit configurations and run
their checks, click "Poll now" and re-validate the credential, for DURATION_S seconds (a minute with
RESILIENCE_SOAK=1). Afterwards: no error reached an operator ("database is locked" included), every write an
operator was told succeeded is in the store with its audit row, and the health history has no duplicate or
overlapping observation.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from services.access.roles import DEMO_ADMIN
from services.configurations import lifecycle as configurations
from services.configurations.fields import ConfigurationInput
from services.configurations.records import get
from services.configurations.runs import run_checks
from services.credentials import lifecycle as credentials
from services.poller.loop import run_cycle
from services.runtime import Console, open_console
from services.simulator import Simulator, serve
from services.store.models import AuditEvent, ChannelConfiguration, PollRun
from services.store.types import utcnow
from tests.resilience.scene import store_credential
from tests.resilience.store_checks import history_problems, sqlite_integrity

ROOT = Path(__file__).resolve().parents[2]
SOAK = os.environ.get("RESILIENCE_SOAK") == "1"
DURATION_S = 60.0 if SOAK else 20.0
OPERATORS = 3
WABAS, NUMBERS = 6, 50
SCALE_BUSINESS, SCALE_TOKEN, FIRST_WABA, FIRST_NUMBER = (
    "1000000000000009",
    "EAASCALETOKEN",
    "2900000000000000",
    "3900000000000000",
)


@dataclass
class Operator:
    """One person at the console: what they were told succeeded, and anything else they were shown."""

    number: int
    console: Console
    credential_id: int
    stored: dict[int, dict[str, Any]] = field(default_factory=dict)  # configuration id -> values last saved
    drafts: list[int] = field(default_factory=list)
    audits: Counter[int] = field(default_factory=Counter)  # configuration id -> audit rows its actions wrote
    done: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random)

    def new_draft(self, step: int) -> None:
        values = ConfigurationInput(name=f"Op{self.number}-draft-{step}", description=f"Typed at step {step}")
        with Session(self.console.engine) as session:
            row = configurations.save_draft(session=session, actor=DEMO_ADMIN, values=values, at=utcnow())
            assert row.id is not None
            self.stored[row.id] = values.as_dict()
            self.drafts.append(row.id)
            self.audits[row.id] += 1

    def edit_draft(self, step: int) -> None:
        if not self.drafts:
            return self.new_draft(step)
        draft_id = self.rng.choice(self.drafts)
        with Session(self.console.engine) as session:
            opened = get(session=session, configuration_id=draft_id)
            values = ConfigurationInput.of(opened)
            values = ConfigurationInput.from_dict({**values.as_dict(), "description": f"Edited at step {step} ✍️"})
            configurations.save_draft(
                session=session,
                actor=DEMO_ADMIN,
                values=values,
                configuration_id=draft_id,
                expected_version=opened.version,
                at=utcnow(),
            )
        self.stored[draft_id] = values.as_dict()
        self.audits[draft_id] += 1

    def submit(self, step: int) -> None:
        if not self.drafts:
            return self.new_draft(step)
        draft_id = self.drafts.pop(0)
        values = ConfigurationInput.from_dict(
            {
                **self.stored[draft_id],
                "marketing_action": "whatsappMarketing",
                "credential_id": self.credential_id,
                "sender_phone_number_id": FIRST_NUMBER,
            }
        )
        with Session(self.console.engine) as session:
            configurations.submit(
                session=session, actor=DEMO_ADMIN, values=values, configuration_id=draft_id, at=utcnow()
            )
        self.stored[draft_id] = values.as_dict()
        self.audits[draft_id] += 1
        console = self.console
        run = run_checks(
            engine=console.engine, graph=console.graph, vault=console.vault, configuration_id=draft_id, actor=DEMO_ADMIN
        )
        assert run.target == "configuration" and len(run.results) == 6, run
        self.audits[draft_id] += 1

    def poll_now(self, _step: int) -> None:
        run = run_cycle(console=self.console, trigger="manual", poll_interval_s=1)
        assert run.status == "ok", run.errors

    def revalidate(self, _step: int) -> None:
        with Session(self.console.engine) as session:
            view = credentials.revalidate(
                session=session,
                graph=self.console.graph,
                vault=self.console.vault,
                actor=DEMO_ADMIN,
                credential_id=self.credential_id,
                at=utcnow(),
                poll_interval_s=1,
            )
        assert view.token_state == "valid" and view.problem is None, view

    def work_until(self, deadline: float) -> None:
        actions: list[Callable[[int], None]] = [
            self.new_draft,
            self.edit_draft,
            self.new_draft,
            self.submit,
            self.poll_now,
            self.edit_draft,
            self.revalidate,
        ]
        step = 0
        while time.monotonic() < deadline:
            action = actions[step % len(actions)]
            try:
                action(step)
            except Exception as exc:  # whatever escapes a service is what a page would show
                self.failures.append(f"operator {self.number}, {action.__name__}: {type(exc).__name__}: {exc}")
            else:
                self.done[action.__name__] += 1
            step += 1


@pytest.fixture
def crowd(console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, store_url: str) -> Iterator[str]:
    """The console's environment on `store_url`, with a simulator of 6 WABAs x 50 numbers over HTTP."""
    monkeypatch.setenv("DATABASE_URL", store_url)
    with serve(Simulator(wabas=WABAS, numbers_per_waba=NUMBERS)) as running:
        monkeypatch.setenv("GRAPH_API_URL", running.url)
        yield store_url


def test_the_app_and_the_poller_write_the_same_store(crowd: str, tmp_path: Path) -> None:
    console = open_console()
    credential_id = store_credential(
        engine=console.engine,
        graph=console.graph,
        vault=console.vault,
        token=SCALE_TOKEN,
        business_id=SCALE_BUSINESS,
        waba_id=FIRST_WABA,
        phone_number_id=FIRST_NUMBER,
        name="Scale portfolio",
    )
    log = tmp_path / "poller.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as output:
        poller = subprocess.Popen(
            [sys.executable, "-m", "services.poller", "--interval", "1"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    operators = [Operator(n, console, credential_id, rng=random.Random(n)) for n in range(OPERATORS)]
    try:
        deadline = time.monotonic() + DURATION_S
        threads = [threading.Thread(target=operator.work_until, args=(deadline,)) for operator in operators]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(DURATION_S + 120)
    finally:
        poller.send_signal(signal.SIGTERM)  # it finishes the cycle in flight and gives the lease up
        poller.wait(timeout=60)

    poller_log = log.read_text()
    failures = [failure for operator in operators for failure in operator.failures]
    assert failures == [], "\n".join(failures[:10])
    assert "database is locked" not in poller_log and "Traceback" not in poller_log, poller_log[-3000:]
    assert poller.returncode == 0, poller_log[-3000:]
    with Session(console.engine) as session:
        runs = session.exec(select(PollRun)).all()
        assert {run.status for run in runs} == {"ok"}
        by_trigger = Counter(run.trigger for run in runs)
        assert by_trigger["schedule"] >= 3 and by_trigger["manual"] >= 1, by_trigger
        # Nothing an operator was told was saved is missing or different, and each change has its audit row.
        stored = {row.id: row for row in session.exec(select(ChannelConfiguration))}
        expected = {key: values for operator in operators for key, values in operator.stored.items()}
        assert set(stored) == set(expected)
        for key, values in expected.items():
            assert ConfigurationInput.of(stored[key]).as_dict() == values
        audits = Counter(
            {
                int(object_id): total
                for object_id, total in session.exec(
                    select(AuditEvent.object_id, func.count())
                    .where(col(AuditEvent.object_type) == "channel_configuration")
                    .group_by(col(AuditEvent.object_id))
                )
            }
        )
        assert audits == sum((operator.audits for operator in operators), Counter())
    assert history_problems(console.engine) == []
    done = sum((operator.done for operator in operators), Counter())
    assert all(done[name] >= 1 for name in ("new_draft", "edit_draft", "submit", "poll_now", "revalidate")), done
    console.graph.close()
    console.engine.dispose()
    if crowd.startswith("sqlite"):
        sqlite_integrity(crowd)
