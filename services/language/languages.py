"""The languages the console speaks, and how a language tag (a browser's, an address's) maps to one of them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    tag: str  # the BCP 47 tag the address and the store use: "en", "zh-Hans"
    name: str  # the language's own name, as the picker shows it
    catalogue: str  # the folder under locales/ ("" for the source language, which needs no catalogue)
    locale: str  # the Babel locale that formats its numbers and dates


ENGLISH = Language(tag="en", name="English", catalogue="", locale="en")
CHINESE = Language(tag="zh-Hans", name="简体中文", catalogue="zh_Hans", locale="zh_Hans_CN")
SUPPORTED: tuple[Language, ...] = (ENGLISH, CHINESE)
# Languages added for this process only, such as the pseudo-locale of the tests.
_EXTRA: dict[str, Language] = {}


def register(language: Language) -> None:
    """Make `language` choosable in this process (a pseudo-locale built from the catalogue)."""
    _EXTRA[language.tag.lower()] = language


def parse(tag: str | None) -> Language | None:
    """The console language for a tag: 'zh-CN', 'zh_Hans', 'zh' -> 简体中文; 'en-GB' -> English; else None."""
    if not tag:
        return None
    cleaned = str(tag).strip().replace("_", "-").lower()
    if cleaned in _EXTRA:
        return _EXTRA[cleaned]
    primary = cleaned.split("-", 1)[0]
    if primary == "zh":
        return CHINESE
    if primary == "en":
        return ENGLISH
    return None


def from_browser(locale: str | None) -> Language:
    """The browser's preferred language when the console speaks it, else English."""
    return parse(locale) or ENGLISH
