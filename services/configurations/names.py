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


def name_problems(name: str) -> list[str]:
    """Every part of the rule's format that `name` breaks, one sentence each (empty when it follows it)."""
    if not name:
        return ["Enter a name: it must start with a letter."]
    problems = []
    if name[0] not in _FIRST:
        problems.append(f"The name must start with a letter (A-Z or a-z), not {name[0]!r}.")
    # The first character is reported once, as a wrong start; the rest of the name is checked here.
    wrong = sorted({char for char in name[1:] if char not in _ALLOWED})
    if wrong:
        shown = _listed(["a space" if char == " " else repr(char) for char in wrong])
        problems.append(f"The name may only hold letters, digits, _, . and -; remove {shown}.")
    if len(name) > MAX_NAME_LENGTH:
        problems.append(f"The name has {len(name)} characters; at most {MAX_NAME_LENGTH} are allowed.")
    return problems


def name_problem(name: str) -> str | None:
    """None when `name` follows the rule's format; otherwise every problem in one paragraph."""
    return " ".join(name_problems(name)) or None


def _listed(words: list[str]) -> str:
    """'a space', 'a space and '!'', 'a space, '!' and '#''."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
