"""Demo mode's first start leaves the demo's troubles standing as alerts, opened at the end of its history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from sqlmodel import Session, col, select

from services import demo
from services.runtime import Console, open_console
from services.store.models import Alert, PhoneNumber, PollRun
from tests.services.test_demo import demo_settings


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    console = open_console(demo_settings(tmp_path_factory.mktemp("demo-alerts"), key=Fernet.generate_key().decode()))
    demo.bootstrap(console)
    yield console
    console.graph.close()


def test_the_demos_blocked_numbers_stand_as_alerts_at_first_start(started: Console) -> None:
    with Session(started.engine) as session:
        alerts = list(session.exec(select(Alert).order_by(col(Alert.id))))
        blocked = {n.id for n in session.exec(select(PhoneNumber).where(PhoneNumber.can_send == "BLOCKED"))}
        last_cycle = session.exec(select(PollRun).order_by(col(PollRun.id).desc())).first()
    assert blocked, "the demo portfolio has a blocked number"
    cannot_send = {a.subject_id for a in alerts if a.rule == "number_cannot_send"}
    assert blocked <= cannot_send
    assert all(a.state == "open" for a in alerts)
    # Opened once, when the history was written up to now, not at each simulated cycle of the past.
    assert last_cycle is not None and {a.opened_at for a in alerts} == {last_cycle.started_at}
    assert "poller_silent" not in {a.rule for a in alerts}


def test_a_later_start_opens_no_second_alert(started: Console) -> None:
    with Session(started.engine) as session:
        before = len(list(session.exec(select(Alert))))
    demo.bootstrap(started)
    with Session(started.engine) as session:
        assert len(list(session.exec(select(Alert)))) == before
