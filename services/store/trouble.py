"""When the store itself fails: what is wrong and what to do, in one sentence, for each way it fails.

The console shows these instead of Streamlit's error page. Nothing here hides an error it does not
recognise: `diagnose` answers None and the error goes on as before.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from services.store.engine import create_store_engine

RETRY_SECONDS = 5


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)


def _where(url: str) -> tuple[str, str]:
    """('sqlite', path) or ('postgresql', 'host:port') for the sentences; never the password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return "sqlite", (parsed.database or "(memory)").removeprefix("file:")
    return parsed.get_backend_name(), f"{parsed.host or 'localhost'}:{parsed.port or 5432}"


def diagnose(exc: BaseException, url: str) -> str | None:
    """The sentence for a store failure the console recognises, or None."""
    backend, where = _where(url)
    for error in _chain(exc):
        text = str(error).lower()
        if isinstance(error, OSError) and error.errno == errno.ENOSPC or "database or disk is full" in text:
            return (
                f"The disk holding the database ({where}) is full, so nothing more could be saved: free some space, "
                "then do it again; what you typed is still on this page."
            )
        if backend == "sqlite":
            if "readonly database" in text or "read-only" in text:
                return (
                    f"The database file {where} is read-only: give the console's user write access to it and to its "
                    f"folder. The console tries again every {RETRY_SECONDS} s."
                )
            if "file is not a database" in text or "malformed" in text or "not a database" in text:
                return (
                    f"The database file {where} is damaged or is not a console database: restore it from a backup, "
                    "or move it away and the console starts a new, empty one. "
                    f"The console tries again every {RETRY_SECONDS} s."
                )
            if "unable to open database file" in text:
                return (
                    f"The console cannot open the database file {where}: check that its folder exists and that the "
                    f"console may write there. The console tries again every {RETRY_SECONDS} s."
                )
        else:
            if "password authentication failed" in text:
                return (
                    f"PostgreSQL at {where} refused the console's user name or password: check DATABASE_URL. "
                    f"The console tries again every {RETRY_SECONDS} s."
                )
            if "does not exist" in text and "database" in text:
                return (
                    f"PostgreSQL at {where} has no such database: create it or correct DATABASE_URL. "
                    f"The console tries again every {RETRY_SECONDS} s."
                )
            if any(
                sign in text
                for sign in (
                    "connection refused",
                    "could not connect",
                    "connection failed",
                    "server closed the connection",
                    "timeout expired",
                )
            ):
                return (
                    f"PostgreSQL at {where} refuses connections (is it running?); "
                    f"the console retries every {RETRY_SECONDS} s."
                )
    return None


def probe(engine: Engine) -> None:
    """Raise the store's own error unless it takes a write (a no-op UPDATE, rolled back)."""
    with engine.connect() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
        connection.rollback()


def answers(url: str) -> bool:
    """Whether the store takes a write again."""
    engine = create_store_engine(url)
    try:
        probe(engine)
        return True
    except (SQLAlchemyError, OSError):
        return False
    finally:
        engine.dispose()
