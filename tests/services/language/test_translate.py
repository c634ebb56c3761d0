"""One path from an English sentence to the reader's language: _(), plural(), lazy constants, the run's language."""

from __future__ import annotations

import threading

from services.language import current
from services.language.current import speaking
from services.language.languages import CHINESE, ENGLISH
from services.language.translate import N_, _, lazy, plural

GREEN = lazy("Green · high")


def test_english_is_the_source_and_says_the_msgid_with_its_values_filled() -> None:
    with speaking(ENGLISH):
        assert _("Created {day} by {who}", day="2 Dec 2026", who="ops") == "Created 2 Dec 2026 by ops"
        assert plural("{count} open alert", "{count} open alerts", 1) == "1 open alert"
        assert plural("{count} open alert", "{count} open alerts", 3) == "3 open alerts"


def test_chinese_reads_the_catalogue_and_fills_the_same_values() -> None:
    with speaking(CHINESE):
        assert _("API credentials") == "API凭据"
        assert _("Created {day} by {who}", day="2026年12月2日", who="ops") == "2026年12月2日 由 ops 创建"
        assert plural("{count} open alert", "{count} open alerts", 3) == "3 个未处理的告警"
        assert _("A sentence nobody translated") == "A sentence nobody translated"


def test_a_lazy_constant_translates_each_time_it_is_read() -> None:
    with speaking(ENGLISH):
        assert str(GREEN) == "Green · high" and f"{GREEN}" == "Green · high" and GREEN == "Green · high"
    with speaking(CHINESE):
        assert str(GREEN) == "绿色：高品质" and f"[{GREEN}]" == "[绿色：高品质]"
        assert GREEN.message == "Green · high"


def test_n_marks_a_msgid_and_keeps_it_english() -> None:
    with speaking(CHINESE):
        assert N_("Overview") == "Overview" and _(N_("Overview")) == "概览"


def test_the_language_belongs_to_its_own_run_and_other_threads_speak_english() -> None:
    seen: list[str] = []
    with speaking(CHINESE):
        worker = threading.Thread(target=lambda: seen.append(_("Sign in")))
        worker.start()
        worker.join()
        assert _("Sign in") == "登录"
    assert seen == ["Sign in"]
    assert current.current() is ENGLISH


def test_a_context_without_a_language_asks_the_fallback() -> None:
    seen: list[str] = []
    current.set_fallback(lambda: CHINESE)
    try:
        worker = threading.Thread(target=lambda: seen.append(_("Sign in")))
        worker.start()
        worker.join()
    finally:
        current.set_fallback(lambda: None)
    assert seen == ["登录"]


def test_one_english_word_for_two_things_is_told_apart_by_its_context() -> None:
    from services.language.translate import in_context, lazy_in

    state = lazy_in("alert state", "Open")
    with speaking(ENGLISH):
        assert (in_context("alert state", "Open"), str(state), _("Open")) == ("Open", "Open", "Open")
    with speaking(CHINESE):
        assert (in_context("alert state", "Open"), str(state), _("Open")) == ("未处理", "未处理", "打开")
