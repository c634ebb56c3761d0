"""The naming rule of channel configurations, with one sentence per way a name can break it."""

from __future__ import annotations

import string

MAX_NAME_LENGTH = 120
_FIRST = frozenset(string.ascii_letters)
_ALLOWED = frozenset(string.ascii_letters + string.digits + "_.-")
NAME_RULE = (
    f"Starts with a letter (A-Z, a-z); then only letters, digits, _, . and -; at most {MAX_NAME_LENGTH} "
    "characters; unique among configurations that are not deactivated."
)


def name_problem(name: str) -> str | None:
    """None when `name` follows the rule's format; otherwise the sentence saying which part it breaks."""
    if not name:
        return "Enter a name: it must start with a letter."
    if len(name) > MAX_NAME_LENGTH:
        return f"The name has {len(name)} characters; at most {MAX_NAME_LENGTH} are allowed."
    if name[0] not in _FIRST:
        return f"The name must start with a letter (A-Z or a-z), not {name[0]!r}."
    wrong = sorted({char for char in name if char not in _ALLOWED})
    if wrong:
        shown = ", ".join("a space" if char == " " else repr(char) for char in wrong)
        return f"The name may only hold letters, digits, _, . and -; remove {shown}."
    return None
