"""The machine a run measured: results only compare between runs on alike machines."""

from __future__ import annotations

import os
import platform
import sqlite3
from importlib import metadata
from pathlib import Path

PACKAGES = ("streamlit", "sqlalchemy", "sqlmodel", "httpx", "pandas", "plotly")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def describe() -> dict[str, object]:
    """Cores, CPU, Python, SQLite and the versions of the libraries the measured code runs on."""
    return {
        "cores": _usable_cores(),
        "cpu_count": os.cpu_count(),
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": {name: metadata.version(name) for name in PACKAGES},
    }


def headline(machine: dict[str, object]) -> str:
    """One line for the top of the table."""
    return (
        f"Machine: {machine['cores']} cores ({machine['cpu']}), Python {machine['python']}, "
        f"SQLite {machine['sqlite']}, {machine['platform']}"
    )


def peak_rss_mb() -> float:
    """This process's own peak resident size (VmHWM), in MB.

    Not getrusage's ru_maxrss: Linux carries it across exec, so a child started by a large parent reports the
    parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
