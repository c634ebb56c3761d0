"""The benchmarks compile the console's modules once, so no timed process compiles them again."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from benchmarks.bytecode import SOURCES, compile_sources


def test_every_module_of_the_console_gets_its_bytecode_written(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("PAGE = 'overview'\n")
    for folder in SOURCES:
        (tmp_path / folder / "inner").mkdir(parents=True)
        (tmp_path / folder / "inner" / "module.py").write_text("VALUE = 1\n")
    assert compile_sources(tmp_path)
    sources = [tmp_path / "app.py", *(tmp_path / folder / "inner" / "module.py" for folder in SOURCES)]
    assert all(Path(importlib.util.cache_from_source(str(source))).is_file() for source in sources)


def test_a_module_that_does_not_compile_is_reported(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("PAGE = 'overview'\n")
    for folder in SOURCES:
        (tmp_path / folder).mkdir()
    (tmp_path / "services" / "broken.py").write_text("def (:\n")
    assert not compile_sources(tmp_path)
