"""A webhook's re-read request: the holder reads just that WABA while it waits, and a read clears older requests."""

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from services.poller import reread
from services.store.models import PollRun, WhatsAppBusinessAccount

ASKED = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _accounts(engine: Engine, **asked: datetime | None) -> None:
    with Session(engine) as session:
        for waba_id, at in asked.items():
            session.add(WhatsAppBusinessAccount(id=waba_id, name=waba_id, reread_requested_at=at))
        session.commit()


def test_a_read_clears_the_requests_made_before_it_started_only(store_engine: Engine) -> None:
    _accounts(store_engine, a=ASKED, b=ASKED + timedelta(minutes=1), c=None)
    assert reread.requested(engine=store_engine) == ["a", "b"]
    with Session(store_engine) as session:
        reread.clear(session=session, waba_ids=["a", "b"], before=ASKED + timedelta(seconds=30))
        session.commit()
    assert reread.requested(engine=store_engine) == ["b"]  # asked after that read began: read it again


def test_while_waiting_the_holder_reads_the_marked_wabas(store_engine: Engine) -> None:
    _accounts(store_engine, a=None)
    reads: list[list[str]] = []

    def read(wanted: list[str]) -> PollRun:
        reads.append(wanted)
        with Session(store_engine) as session:
            reread.clear(session=session, waba_ids=wanted, before=datetime.now(UTC))
            session.commit()
        return PollRun()

    def mark_soon() -> None:
        time.sleep(0.1)
        with Session(store_engine) as session:
            account = session.get(WhatsAppBusinessAccount, "a")
            assert account is not None
            account.reread_requested_at = datetime.now(UTC) - timedelta(seconds=1)
            session.add(account)
            session.commit()

    marker = threading.Thread(target=mark_soon)
    marker.start()
    runs = reread.wait_watching(
        engine=store_engine, stop=threading.Event(), until=time.monotonic() + 1.0, read=read, check_s=0.05
    )
    marker.join()
    assert reads == [["a"]] and len(runs) == 1
