"""GET /healthz: whether this replica's store answers, who holds the poller lease, how old the last good cycle is.

A load balancer or orchestrator asks it every few seconds, so each check opens a connection of its own (a pooled
one would keep answering from a SQLite file moved away) and never creates the database: a health check that made
an empty SQLite file would hide the missing one and split the store in two.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import Engine, func
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from services.poller import lease as poller_lease
from services.settings import Settings, load_settings
from services.store import trouble
from services.store.engine import create_store_engine
from services.store.models import PollRun
from services.store.types import utcnow

HEALTH_PATH = "/healthz"
SUCCESS = "ok"  # a PollRun status: every WABA read without an error
CONNECT_TIMEOUT_S = 5


def existing_store_url(database_url: str) -> str:
    """`database_url` as a URL that connects only to a database that exists (an SQLite file is never created)."""
    url = make_url(database_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite":
        if not database or database == ":memory:" or database.startswith("file:"):
            return database_url
        # The URL is written out by hand: SQLAlchemy would escape the ':' of "file:" and the store engine
        # would then take the URI for a relative path.
        query = "&".join(f"{name}={value}" for name, value in {**url.query, "mode": "rw", "uri": "true"}.items())
        return f"sqlite:///file:{quote(database, safe='/')}?{query}"
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        return _render(url.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_S)}))
    return database_url


def _render(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def last_success(session: Session) -> datetime | None:
    """When the newest poll cycle that read everything without an error finished."""
    finished = select(func.max(col(PollRun.finished_at))).where(col(PollRun.status) == SUCCESS)
    return session.exec(finished).one()


@dataclass(frozen=True)
class HealthReport:
    store_state: str  # ok | unreachable
    store_problem: str | None  # the store trouble sentence, when the console recognises the failure
    lease_holder: str | None
    lease_expires_at: datetime | None
    last_success_at: datetime | None
    checked_at: datetime

    @property
    def healthy(self) -> bool:
        return self.store_state == "ok"

    def as_json(self) -> dict[str, object]:
        age = (self.checked_at - self.last_success_at).total_seconds() if self.last_success_at else None
        return {
            "status": "ok" if self.healthy else "unavailable",
            "store": {"state": self.store_state, "problem": self.store_problem},
            "poller": {
                "lease_holder": self.lease_holder,
                "lease_expires_at": _iso(self.lease_expires_at),
            },
            "last_successful_cycle": {
                "finished_at": _iso(self.last_success_at),
                "age_seconds": round(age, 3) if age is not None else None,
            },
            "checked_at": _iso(self.checked_at),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _read(engine: Engine, now: datetime) -> HealthReport:
    trouble.probe(engine)
    holder = poller_lease.current(engine=engine, now=now)
    with Session(engine) as session:
        succeeded = last_success(session)
    return HealthReport(
        store_state="ok",
        store_problem=None,
        lease_holder=holder.holder if holder else None,
        lease_expires_at=holder.expires_at if holder else None,
        last_success_at=succeeded,
        checked_at=now,
    )


def check(database_url: str, *, now: datetime) -> HealthReport:
    """One health check on a connection of its own; a store that fails is reported, never raised."""
    engine = create_store_engine(existing_store_url(database_url))
    try:
        return _read(engine, now)
    except (SQLAlchemyError, OSError) as exc:
        return HealthReport("unreachable", trouble.diagnose(exc, database_url), None, None, None, now)
    finally:
        engine.dispose()


@functools.cache
def _settings() -> Settings:
    return load_settings()


async def healthz(_request: Request) -> JSONResponse:
    """200 with the report while the store answers, 503 with it while it does not."""
    report = await run_in_threadpool(check, _settings().database_url, now=utcnow())
    headers = {"Cache-Control": "no-store"}
    return JSONResponse(report.as_json(), status_code=200 if report.healthy else 503, headers=headers)
