"""When the store fails, every page says what is wrong and what to do, never Streamlit's error page."""

import socket
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.runtime import open_store
from services.store import trouble
from services.store.engine import create_store_engine

PAGES = ("app.py", "pages/1_API_credentials.py", "pages/3_Monitoring.py")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _open(page: str) -> AppTest:
    return AppTest.from_file(f"../../{page}", default_timeout=30).run()


def _says(at: AppTest, words: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error if words in e.value], [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_a_read_only_database_file(console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    open_store().dispose()  # a good store first, then the same file opened read-only (as on a read-only mount)
    path = console_env["DATABASE_URL"].removeprefix("sqlite:///")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    _says(_open(page), f"The database file {path}")
    assert "is read-only" in _open(page).error[0].value


@pytest.mark.parametrize("content", [b"SQLite format 3\x00" + bytes(range(256)) * 64, b"hello, not a database\n"])
def test_a_corrupt_file_or_one_that_is_not_a_database(console_env: dict[str, str], content: bytes) -> None:
    path = Path(console_env["DATABASE_URL"].removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    at = _open("app.py")
    _says(at, "is damaged or is not a console database: restore it from a backup")


def test_a_postgresql_that_refuses_connections(console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    port = closed_port()
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://console:secret@127.0.0.1:{port}/console")
    at = _open("pages/3_Monitoring.py")
    _says(at, f"PostgreSQL at 127.0.0.1:{port} refuses connections (is it running?); the console retries every 5 s.")
    assert "secret" not in str([e.value for e in at.error])


def test_a_full_disk_on_save_has_its_sentence(console_env: dict[str, str]) -> None:
    engine = create_store_engine(console_env["DATABASE_URL"])
    open_store().dispose()
    with pytest.raises(OperationalError) as full, Session(engine) as session:
        session.exec(text("PRAGMA max_page_count = 1"))  # type: ignore[call-overload]
        session.exec(text("CREATE TABLE filler (x TEXT)"))  # type: ignore[call-overload]
        session.exec(text("INSERT INTO filler VALUES (:x)"), params={"x": "x" * 100_000})  # type: ignore[call-overload]
        session.commit()
    sentence = trouble.diagnose(full.value, console_env["DATABASE_URL"])
    assert sentence is not None and sentence.startswith("The disk holding the database")
    assert "what you typed is still on this page" in sentence


def test_the_store_answers_again_once_it_is_fixed(console_env: dict[str, str]) -> None:
    url = console_env["DATABASE_URL"]
    path = Path(url.removeprefix("sqlite:///"))
    open_store().dispose()
    assert trouble.answers(url)
    assert not trouble.answers(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert trouble.diagnose(RuntimeError("something else"), url) is None  # unknown errors are not hidden
