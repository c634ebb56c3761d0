"""Meta's template languages in words, in the reader's language: en_US 'English (United States)', '英语（美国）'.

The codes are those Meta's message templates take (WhatsApp's supported languages); the names are CLDR's English
ones, kept in the catalogue so each language can say them. A code Meta adds later reads in Babel's words.
"""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError

from services.language.current import current
from services.language.translate import lazy

LANGUAGES = {
    "af": lazy("Afrikaans"),
    "sq": lazy("Albanian"),
    "ar": lazy("Arabic"),
    "az": lazy("Azerbaijani"),
    "bn": lazy("Bangla"),
    "bg": lazy("Bulgarian"),
    "ca": lazy("Catalan"),
    "zh_CN": lazy("Chinese (Simplified, China)"),
    "zh_HK": lazy("Chinese (Traditional, Hong Kong SAR China)"),
    "zh_TW": lazy("Chinese (Traditional, Taiwan)"),
    "hr": lazy("Croatian"),
    "cs": lazy("Czech"),
    "da": lazy("Danish"),
    "nl": lazy("Dutch"),
    "en": lazy("English"),
    "en_GB": lazy("English (United Kingdom)"),
    "en_US": lazy("English (United States)"),
    "et": lazy("Estonian"),
    "fil": lazy("Filipino"),
    "fi": lazy("Finnish"),
    "fr": lazy("French"),
    "ka": lazy("Georgian"),
    "de": lazy("German"),
    "el": lazy("Greek"),
    "gu": lazy("Gujarati"),
    "ha": lazy("Hausa"),
    "he": lazy("Hebrew"),
    "hi": lazy("Hindi"),
    "hu": lazy("Hungarian"),
    "id": lazy("Indonesian"),
    "ga": lazy("Irish"),
    "it": lazy("Italian"),
    "ja": lazy("Japanese"),
    "kn": lazy("Kannada"),
    "kk": lazy("Kazakh"),
    "rw_RW": lazy("Kinyarwanda (Rwanda)"),
    "ko": lazy("Korean"),
    "ky_KG": lazy("Kyrgyz (Kyrgyzstan)"),
    "lo": lazy("Lao"),
    "lv": lazy("Latvian"),
    "lt": lazy("Lithuanian"),
    "mk": lazy("Macedonian"),
    "ms": lazy("Malay"),
    "ml": lazy("Malayalam"),
    "mr": lazy("Marathi"),
    "nb": lazy("Norwegian Bokmål"),
    "fa": lazy("Persian"),
    "pl": lazy("Polish"),
    "pt_BR": lazy("Portuguese (Brazil)"),
    "pt_PT": lazy("Portuguese (Portugal)"),
    "pa": lazy("Punjabi"),
    "ro": lazy("Romanian"),
    "ru": lazy("Russian"),
    "sr": lazy("Serbian"),
    "sk": lazy("Slovak"),
    "sl": lazy("Slovenian"),
    "es": lazy("Spanish"),
    "es_AR": lazy("Spanish (Argentina)"),
    "es_ES": lazy("Spanish (Spain)"),
    "es_MX": lazy("Spanish (Mexico)"),
    "sw": lazy("Swahili"),
    "sv": lazy("Swedish"),
    "ta": lazy("Tamil"),
    "te": lazy("Telugu"),
    "th": lazy("Thai"),
    "tr": lazy("Turkish"),
    "uk": lazy("Ukrainian"),
    "ur": lazy("Urdu"),
    "uz": lazy("Uzbek"),
    "vi": lazy("Vietnamese"),
    "zu": lazy("Zulu"),
}


@cache
def _babel_words(code: str, locale: str) -> str:
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(locale) or code
    except (UnknownLocaleError, ValueError):
        return code


def language_words(code: str) -> str:
    """Meta's language code in words: en_US 'English (United States)', zh_CN 'Chinese (Simplified, China)'."""
    words = LANGUAGES.get(code.replace("-", "_"))
    return str(words) if words is not None else _babel_words(code, current().locale)
