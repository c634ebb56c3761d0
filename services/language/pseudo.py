"""A pseudo-locale built from the catalogue: every msgid shown as «msgid», so a screen read in it shows at once
which words did not come through the catalogue (they carry no «»)."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from services.language import catalogue, languages

PSEUDO = languages.Language(tag="qps", name="Pseudo", catalogue="", locale="en")
OPEN, CLOSE = "«", "»"


def pseudo_translations(po: Path) -> Translations:
    """The catalogue at `po` with every translation replaced by its msgid between « and »."""
    with po.open("rb") as source:
        read = read_po(source)
    messages = Catalog(locale="en", domain=catalogue.DOMAIN)  # English plural rules: one and other
    for message in read:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            messages.add(message.id, tuple(f"{OPEN}{form}{CLOSE}" for form in message.id), context=message.context)
        else:
            messages.add(message.id, f"{OPEN}{message.id}{CLOSE}", context=message.context)
    compiled = io.BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    return Translations(compiled, domain=catalogue.DOMAIN)


def install(po: Path | None = None) -> languages.Language:
    """Make `?lang=qps` choosable in this process, from the Chinese catalogue's msgids unless told another."""
    catalogue.install(PSEUDO, pseudo_translations(po or catalogue.po_path(languages.CHINESE)))
    languages.register(PSEUDO)
    return PSEUDO
