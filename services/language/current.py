"""The language of this script run: a context variable, set by the page before anything is said."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from services.language.languages import ENGLISH, Language

_CURRENT: ContextVar[Language] = ContextVar("console_language")
# Asked when this context has no language set (a fragment's own run, another thread); None means English.
_fallback: Callable[[], Language | None] = lambda: None  # noqa: E731


def current() -> Language:
    """The language this run speaks; English where nobody set one (the poller, the command line)."""
    try:
        return _CURRENT.get()
    except LookupError:
        return _fallback() or ENGLISH


def set_current(language: Language) -> None:
    """Speak `language` for the rest of this run (the page calls this once, first)."""
    _CURRENT.set(language)


def set_fallback(ask: Callable[[], Language | None]) -> None:
    """Where to learn the language when this context has none set (the UI layer points it at the session)."""
    global _fallback
    _fallback = ask


@contextmanager
def speaking(language: Language) -> Iterator[Language]:
    """Speak `language` inside the block, then go back to what was spoken before."""
    token = _CURRENT.set(language)
    try:
        yield language
    finally:
        _CURRENT.reset(token)
