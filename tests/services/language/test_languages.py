"""Which language a tag, a browser or an address asks for."""

from services.language.choice import choose
from services.language.languages import CHINESE, ENGLISH, from_browser, parse


def test_tags_map_to_the_two_languages() -> None:
    for tag in ("zh-CN", "zh_CN", "zh-Hans", "zh", "ZH-hans-cn", "zh-SG"):
        assert parse(tag) is CHINESE, tag
    for tag in ("en", "en-US", "en_GB"):
        assert parse(tag) is ENGLISH, tag
    assert parse("fr-FR") is None and parse("") is None and parse(None) is None


def test_the_browser_decides_only_what_nobody_chose() -> None:
    assert from_browser("zh-CN") is CHINESE and from_browser("de-DE") is ENGLISH and from_browser(None) is ENGLISH
    assert choose(asked=None, chosen=None, browser="zh-CN") is CHINESE
    assert choose(asked=None, chosen=ENGLISH, browser="zh-CN") is ENGLISH


def test_the_address_wins_over_a_choice_and_the_browser() -> None:
    assert choose(asked="zh-CN", chosen=ENGLISH, browser="en-US") is CHINESE
    assert choose(asked="en", chosen=CHINESE, browser="zh-CN") is ENGLISH
    assert choose(asked="klingon", chosen=CHINESE, browser="en-US") is CHINESE
