"""The console's own modules compiled to bytecode before anything is timed, as installing a package compiles it.

pip writes the .pyc files of every installed package; an application run from its checkout gets them on its first
import, unless PYTHONDONTWRITEBYTECODE is set (as on this machine): then every process, each server the benchmarks
start included, compiles the console's modules again (0.5 to 0.8 s a process here), which `streamlit hello` never
pays. Compiling once up front measures the console as installed, like its dependencies.
"""

from __future__ import annotations

import compileall
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pages", "ui", "services", "migrations", "benchmarks")


def compile_sources(root: Path = PROJECT_ROOT) -> bool:
    """Write the bytecode of app.py and the console's packages (workers on every core); whether all compiled."""
    compiled = compileall.compile_file(root / "app.py", quiet=1)
    for folder in SOURCES:
        compiled = compileall.compile_dir(root / folder, quiet=1, workers=0) and compiled
    return bool(compiled)
