"""Which language a person reads: the address's `?lang=` first, then what they chose, then the browser's."""

from __future__ import annotations

from services.language.languages import ENGLISH, Language, from_browser, parse

QUERY_KEY = "lang"


def choose(*, asked: str | None, chosen: Language | None, browser: str | None) -> Language:
    """`asked` is the address's ?lang= (it wins when the console speaks it); `chosen` the picker's or the store's."""
    return parse(asked) or chosen or from_browser(browser) or ENGLISH
