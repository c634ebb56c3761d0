"""Every page of a Graph list edge, by re-asking with the `after` cursor while Graph says more pages exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from services.graph.errors import UnreadableResponse
from services.graph.said import Said
from services.language.translate import N_

MAX_PAGES = 1000  # 100,000 rows at limit=100: far beyond any real WABA; stops a proxy whose cursors loop
T = TypeVar("T")


def every_page(fetch: Callable[[str | None], tuple[list[T], str | None]], *, what: str) -> list[T]:
    """Rows of every page; `fetch(after)` returns one page's rows and the next `after` cursor (None: last page)."""
    # Re-asking with the cursor (never fetching paging.next) keeps every page on our base URL, behind any proxy.
    items: list[T] = []
    after: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        batch, after = fetch(after)
        items.extend(batch)
        if after is None:
            return items
        if after in seen:
            break
        seen.add(after)
    raise UnreadableResponse(
        Said(N_("The Graph API kept sending the same page of a list; try again in a few minutes.")),
        meta_message=f"{what}: paging cursors repeat",
    )
