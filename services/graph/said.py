"""A sentence kept as its msgid and values, so one said in a worker (in English) reads in each reader's language.

`Said("The token of API credential {credential} expired on {moment}.", credential=..., moment=when)`: values are
text (names, IDs: shown as they are), numbers, moments (spoken in UTC in the reader's language) or other `Said`s.
`str()` is the sentence in the current language; `english()` the English one (audit details, logs);
`to_json()` / `from_json()` store it beside the English sentence.

Msgids given to `Said` are marked with `N_()` so pybabel extracts them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.graph.expiry import spoken
from services.language.catalogue import translations
from services.language.current import current, speaking
from services.language.formatting import number_text
from services.language.languages import ENGLISH
from services.language.translate import N_, LazyText, _


class Said:
    """A sentence to say: its msgid (the English sentence) and the values of its placeholders."""

    def __init__(self, msgid: str, /, **values: Any) -> None:
        self.msgid = msgid
        self.values = values
        self.several: str | None = None  # the plural msgid of a counted sentence (`values["count"]` says how many)

    @classmethod
    def plural(cls, singular: str, several: str, count: int, /, **values: Any) -> Said:
        """A counted sentence, as `translate.plural()` says it: '1 minute', '5 minutes'."""
        said = cls(singular, count=count, **values)
        said.several = several
        return said

    def __repr__(self) -> str:
        return f"Said({self.msgid!r}, **{self.values!r})"

    def __eq__(self, other: object) -> bool:
        mine = (self.msgid, self.several, self.values)
        return isinstance(other, Said) and mine == (other.msgid, other.several, other.values)

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        values = {key: _shown(value) for key, value in self.values.items()}
        if self.several is not None:
            count = int(self.values["count"])
            return translations(current()).ngettext(self.msgid, self.several, count).format(**values)
        return _(self.msgid, **values)

    def english(self) -> str:
        """The sentence in English, whatever the current language."""
        msgid = self.msgid
        if self.several is not None and int(self.values["count"]) != 1:
            msgid = self.several
        return msgid.format(**{key: _english(value) for key, value in self.values.items()})

    def to_json(self) -> dict[str, Any]:
        stored: dict[str, Any] = {"msgid": self.msgid, "values": {k: _stored(v) for k, v in self.values.items()}}
        if self.several is not None:
            stored["several"] = self.several
        return stored

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Said:
        said = cls(str(data["msgid"]), **{key: _read(value) for key, value in dict(data.get("values") or {}).items()})
        said.several = data.get("several")
        return said


class Stripped:
    """A value shown without its closing full stop ('.' or '。'), for a sentence that goes on after it."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stripped) and self.value == other.value

    __hash__ = None  # type: ignore[assignment]


def said_of(text: Any) -> Any:
    """A sentence kept as what it was said from: a `lazy()` one as its msgid, a `Said` as itself, else the text."""
    if isinstance(text, Said | Stripped):
        return text
    if isinstance(text, LazyText):
        return Said(text.message)
    return str(text)


def joined(first: Any, *more: Any) -> Said:
    """Whole sentences one after the other (each said in its own right), as one; the language decides what goes
    between two sentences (a space in English, nothing in Chinese)."""
    if not more:
        return first if isinstance(first, Said) else Said(N_("{sentence}"), sentence=first)
    return Said(N_("{sentence} {next}"), sentence=first, next=joined(*more))


def _shown(value: Any) -> str:
    if isinstance(value, Stripped):
        return _shown(value.value).rstrip().rstrip(".。")
    if isinstance(value, Said):
        return str(value)
    if isinstance(value, datetime):
        return spoken(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_text(value)
    return str(value)


def _english(value: Any) -> str:
    if isinstance(value, Stripped):
        return _english(value.value).rstrip().rstrip(".。")
    if isinstance(value, Said):
        return value.english()
    with speaking(ENGLISH):
        return _shown(value)


def _stored(value: Any) -> Any:
    if isinstance(value, Stripped):
        return {"stripped": _stored(value.value)}
    if isinstance(value, Said):
        return {"said": value.to_json()}
    if isinstance(value, datetime):
        return {"moment": value.isoformat()}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def _read(value: Any) -> Any:
    if isinstance(value, dict) and "stripped" in value:
        return Stripped(_read(value["stripped"]))
    if isinstance(value, dict) and "said" in value:
        return Said.from_json(value["said"])
    if isinstance(value, dict) and "moment" in value:
        return datetime.fromisoformat(value["moment"])
    return value
