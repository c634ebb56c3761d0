"""A throw-away PostgreSQL for the benchmarks, started the way the store tests start theirs (initdb + pg_ctl).

DATABASE_URL_POSTGRES is used instead when set (its role must be allowed to CREATE DATABASE).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url
from sqlalchemy.pool import NullPool

INITDB_OPTIONS = ("-U", "console", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
MISSING = (
    "The two-poller benchmark needs PostgreSQL: install its server programs (Debian: apt-get install -y "
    "postgresql) or set DATABASE_URL_POSTGRES to a database whose role may CREATE DATABASE."
)


def _program(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1:]), None)
    if found is None:
        raise RuntimeError(MISSING)
    return found


def _as_postgres(*command: str | Path, cwd: Path) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # PostgreSQL refuses to run as root
    done = subprocess.run([*prefix, *map(str, command)], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed: {done.stdout}{done.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _server() -> Iterator[str]:
    given = os.environ.get("DATABASE_URL_POSTGRES")
    if given:
        yield (
            make_url(given.replace("postgres://", "postgresql://", 1))
            .set(drivername="postgresql+psycopg")
            .render_as_string(hide_password=False)
        )
        return
    initdb, pg_ctl = _program("initdb"), _program("pg_ctl")
    folder = Path(tempfile.mkdtemp(prefix="console-benchmark-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, port, started = folder / "data", _free_port(), False
    try:
        _as_postgres(initdb, "-D", data, *INITDB_OPTIONS, cwd=folder)
        options = f"-h 127.0.0.1 -p {port} -k {folder} -F -c full_page_writes=off"
        _as_postgres(pg_ctl, "-D", data, "-l", folder / "server.log", "-w", "-o", options, "start", cwd=folder)
        started = True
        yield f"postgresql+psycopg://console@127.0.0.1:{port}/postgres"
    finally:
        if started:
            _as_postgres(pg_ctl, "-D", data, "-m", "immediate", "stop", cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def database() -> Iterator[str]:
    """The URL of a new, empty database (dropped afterwards) on a throw-away server or DATABASE_URL_POSTGRES's."""
    with _server() as url:
        name = f"console_benchmark_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        try:
            yield make_url(url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.dispose()
