"""The naming rule of channel configurations, with one sentence per way a name can break it."""

from __future__ import annotations

import string

from services.language.formatting import list_separator
from services.language.translate import N_, _

MAX_NAME_LENGTH = 120
_FIRST = frozenset(string.ascii_letters)
_ALLOWED = frozenset(string.ascii_letters + string.digits + "_.-")
_NAME_RULE = N_(
    "Starts with a letter (A-Z, a-z); then only letters, digits, _, . and -; at most {most} "
    "characters; unique among configurations that are not deactivated."
)
NAME_RULE = _NAME_RULE.format(most=MAX_NAME_LENGTH)  # in English


def name_rule() -> str:
    """The rule in the current language, as the form states it under Name."""
    return _(_NAME_RULE, most=MAX_NAME_LENGTH)


def name_problems(name: str) -> list[str]:
    """Every part of the rule's format that `name` breaks, one sentence each (empty when it follows it)."""
    if not name:
        return [_("Enter a name: it must start with a letter.")]
    problems = []
    if name[0] not in _FIRST:
        problems.append(_("The name must start with a letter (A-Z or a-z), not {first}.", first=repr(name[0])))
    # The first character is reported once, as a wrong start; the rest of the name is checked here.
    wrong = sorted({char for char in name[1:] if char not in _ALLOWED})
    if wrong:
        shown = _listed([_("a space") if char == " " else repr(char) for char in wrong])
        problems.append(_("The name may only hold letters, digits, _, . and -; remove {shown}.", shown=shown))
    if len(name) > MAX_NAME_LENGTH:
        problems.append(
            _("The name has {count} characters; at most {most} are allowed.", count=len(name), most=MAX_NAME_LENGTH)
        )
    return problems


def name_problem(name: str) -> str | None:
    """None when `name` follows the rule's format; otherwise every problem in one paragraph."""
    return " ".join(name_problems(name)) or None


def _listed(words: list[str]) -> str:
    """'a space', 'a space and '!'', 'a space, '!' and '#''."""
    if len(words) == 1:
        return words[0]
    return _("{some} and {last}", some=list_separator().join(words[:-1]), last=words[-1])
