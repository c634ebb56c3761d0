"""Start-up and shut-down work of a console process served by `st.App` (`streamlit run app.py` or uvicorn)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[dict[str, Any]]:
    """Runs once per process, before the first request and after the last."""
    yield {}
