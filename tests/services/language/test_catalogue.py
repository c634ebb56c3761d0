"""The Simplified Chinese catalogue: complete, compiled, in step with the code, and in Journey Optimizer's terms."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from services.language import catalogue
from services.language.languages import CHINESE

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"\{(\w*)\}")


@pytest.fixture(scope="module")
def po():
    with catalogue.po_path(CHINESE).open("rb") as source:
        return read_po(source)


def _forms(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def test_every_msgid_has_a_chinese_translation_none_fuzzy_or_empty(po) -> None:
    messages = [m for m in po if m.id]
    assert len(messages) > 150
    untranslated = [m.id for m in messages if not all(_forms(m.string))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == [] and fuzzy == []
    assert po.num_plurals == 1  # Chinese has one plural form
    assert all(len(_forms(m.string)) == 1 for m in messages if m.pluralizable)


def test_every_translation_keeps_the_placeholders_of_its_msgid(po) -> None:
    broken = [
        (message.id, form)
        for message in po
        if message.id
        for form in _forms(message.string)
        if set(PLACEHOLDER.findall(form)) != set(PLACEHOLDER.findall(" ".join(_forms(message.id))))
    ]
    assert broken == []


def test_the_committed_mo_says_exactly_what_the_po_says(po) -> None:
    with catalogue.mo_path(CHINESE).open("rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    for message in (m for m in po if m.id):
        if message.pluralizable:
            singular, several = message.id
            assert mo.ngettext(singular, several, 1) == message.string[0], singular
            assert mo.ngettext(singular, several, 5) == message.string[0], several
        elif message.context:
            assert mo.pgettext(message.context, message.id) == message.string, (message.context, message.id)
        else:
            assert mo.gettext(message.id) == message.string, message.id
    assert len(mo._catalog) == len([m for m in po if m.id]) + 1  # noqa: SLF001 (+1: the header)


def test_extraction_finds_no_msgid_missing_from_the_po(po, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    template = tmp_path / "console.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", "babel.cfg", "-o", str(template), "app.py", "pages", "ui", "services"]
    )
    with template.open("rb") as source:
        extracted = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in read_po(source) if m.id}
    kept = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in po if m.id}
    assert sorted(map(str, extracted - kept)) == [], "run pybabel extract/update (README, Languages)"
    assert sorted(map(str, kept - extracted)) == [], "the po keeps msgids no code says any more"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("API credentials", "API凭据"),
        ("Create new API credentials", "创建新API凭据"),
        ("API token", "API令牌"),
        ("Business account ID", "业务帐户ID"),
        ("Continue", "继续"),
        ("Business account", "商业帐户"),
        ("Phone number", "电话号码"),
        ("Quality rating", "质量评级"),
        ("Green · high", "绿色：高品质"),
        ("Yellow · medium", "黄色：中等品质"),
        ("Red · low", "红色：低品质"),
        ("Throughput", "吞吐量"),
        ("Submit", "提交"),
        ("Channel configurations", "渠道配置"),
        ("Processing", "正在处理"),
        ("Active", "活动"),
    ],
)
def test_journey_optimizers_chinese_terms(po, english: str, chinese: str) -> None:
    assert po[english].string == chinese
