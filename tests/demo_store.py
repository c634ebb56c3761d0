"""One demo-mode store per test session: its first start writes the demo's 35 days of history, once."""

from __future__ import annotations

import pytest


def use_shared_demo_store(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Point the console (after `console_env`) at demo mode on the session's shared demo store."""
    base = tmp_path_factory.getbasetemp() / "shared-demo-console"
    monkeypatch.setenv("GRAPH_API_URL", "demo")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{base / 'console.sqlite'}")
    monkeypatch.setenv("CONSOLE_DATA_DIR", str(base / "data"))
    # Demo mode keeps its own key in the data folder; one key for the whole session keeps stored tokens readable.
    monkeypatch.delenv("CONSOLE_SECRET_KEY", raising=False)
