import pytest

from services.graph.errors import UnreadableResponse
from services.graph.paging import every_page


def test_every_page_follows_the_after_cursor_until_the_last_page():
    pages = {None: ([1, 2], "a"), "a": ([3], "b"), "b": ([4], None)}
    asked: list[str | None] = []

    def fetch(after: str | None) -> tuple[list[int], str | None]:
        asked.append(after)
        return pages[after]

    assert every_page(fetch, what="edge") == [1, 2, 3, 4]
    assert asked == [None, "a", "b"]


def test_a_repeating_cursor_stops_with_an_unreadable_answer():
    with pytest.raises(UnreadableResponse) as caught:
        every_page(lambda after: ([1], "same"), what="123/phone_numbers")
    assert caught.value.meta_message == "123/phone_numbers: paging cursors repeat"
