"""The one way the console says a sentence: `_()` in the reader's language, `plural()` for counted things, and
`lazy()` for sentences kept in module constants, which translate each time they are read (`N_()` marks one that
must stay English until it is shown).

Msgids are the English sentences themselves; `{name}` placeholders are filled after translation, so a translator
may move them.
"""

from __future__ import annotations

from collections import UserString
from typing import Any

from services.language.catalogue import translations
from services.language.current import current


def _(message: str, /, **values: Any) -> str:
    """`message` in the current language, with `{name}` placeholders filled from `values`."""
    text = translations(current()).gettext(message)
    return text.format(**values) if values else text


def in_context(context: str, message: str, /, **values: Any) -> str:
    """`_()` for a word English uses for two things ('Open': an alert's state, a link), told apart by `context`."""
    text = translations(current()).pgettext(context, message)
    return text.format(**values) if values else text


def N_(message: str, /) -> str:  # noqa: N802 - gettext's own name for it, which pybabel extracts by default
    """Mark `message` for the catalogue but keep it English here (a key others compare); `_()` it where shown."""
    return message


def plural(singular: str, several: str, count: int, /, **values: Any) -> str:
    """The form of the sentence for `count` (`{count}` is filled too): '1 open alert', '3 open alerts'."""
    text = translations(current()).ngettext(singular, several, count)
    return text.format(count=count, **values)


class LazyText(UserString):
    """A sentence in a module constant: every use (str(), f-strings, comparisons) reads it in the current language."""

    def __init__(self, message: str, context: str | None = None) -> None:
        self.message = message
        self.context = context

    @property  # type: ignore[override]
    def data(self) -> str:
        return in_context(self.context, self.message) if self.context else _(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyText, (self.message, self.context))


def lazy(message: str) -> LazyText:
    return LazyText(message)


def lazy_in(context: str, message: str) -> LazyText:
    """`lazy()` for a word told apart by `context` (see `in_context`)."""
    return LazyText(message, context)
