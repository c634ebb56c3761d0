"""create_store_engine: SQLite gets WAL, a busy timeout and foreign keys on every connection."""

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import Engine

from services.store.engine import SQLITE_BUSY_TIMEOUT_MS, create_store_engine


def _pragmas(engine: Engine) -> tuple[str, int, int]:
    with engine.connect() as connection:
        return (
            connection.exec_driver_sql("PRAGMA journal_mode").scalar_one(),
            connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one(),
            connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one(),
        )


def test_every_sqlite_connection_gets_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'console.sqlite'}")
    with engine.connect() as first, engine.connect() as second:  # two pooled connections, both set up
        for connection in (first, second):
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == SQLITE_BUSY_TIMEOUT_MS
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    engine.dispose()


def test_the_folder_of_a_new_sqlite_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "console.sqlite"
    engine = create_store_engine(f"sqlite:///{path}")
    assert _pragmas(engine) == ("wal", SQLITE_BUSY_TIMEOUT_MS, 1)
    engine.dispose()
    assert path.is_file()


def test_a_connection_waits_for_another_processs_writer_before_switching_to_wal(tmp_path: Path) -> None:
    """Two processes opening a new store at once: one is writing (still in rollback-journal mode) while the other
    connects; the second waits for the lock instead of failing with 'database is locked'."""
    path = tmp_path / "console.sqlite"
    holding, release = threading.Event(), threading.Event()

    def write_for_a_while() -> None:
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("CREATE TABLE started (at TEXT)")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO started VALUES ('now')")
        holding.set()
        release.wait(5)
        writer.execute("COMMIT")
        writer.close()

    other = threading.Thread(target=write_for_a_while)
    other.start()
    holding.wait(5)
    threading.Timer(0.5, release.set).start()
    engine = create_store_engine(f"sqlite:///{path}")
    try:
        assert _pragmas(engine) == ("wal", SQLITE_BUSY_TIMEOUT_MS, 1)
    finally:
        release.set()
        other.join()
        engine.dispose()
