"""The compiled gettext catalogues under locales/<catalogue>/LC_MESSAGES/console.mo, read once per process."""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from services.language.languages import Language

DOMAIN = "console"
LOCALES = Path(__file__).resolve().parents[2] / "locales"
# Catalogues built in this process rather than read from locales/ (the pseudo-locale of the tests).
_BUILT: dict[str, gettext.NullTranslations] = {}


def install(language: Language, translations: gettext.NullTranslations) -> None:
    _BUILT[language.tag] = translations


def po_path(language: Language) -> Path:
    return LOCALES / language.catalogue / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: Language) -> Path:
    return LOCALES / language.catalogue / "LC_MESSAGES" / f"{DOMAIN}.mo"


def translations(language: Language) -> gettext.NullTranslations:
    """The language's catalogue; the source language (English) and a missing catalogue say the msgid itself."""
    if language.tag in _BUILT:
        return _BUILT[language.tag]
    return _compiled(language)


@cache
def _compiled(language: Language) -> gettext.NullTranslations:
    if not language.catalogue:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALES, languages=[language.catalogue], fallback=True)
