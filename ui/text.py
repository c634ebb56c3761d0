"""Text from people or from Meta, made safe to put inside Markdown: it shows as typed, never as markup."""

from __future__ import annotations

import string

_PUNCTUATION = frozenset(string.punctuation)


def plain(text: str) -> str:
    """`text` with a backslash before every ASCII punctuation character (CommonMark shows each literally)."""
    return "".join("\\" + char if char in _PUNCTUATION else char for char in text)
