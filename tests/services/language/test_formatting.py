"""Days, times and numbers in the reader's language, through services.moments (English byte for byte as before)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from services import moments
from services.language.current import speaking
from services.language.formatting import number_text
from services.language.languages import CHINESE, ENGLISH

AT = datetime(2026, 9, 2, 13, 5, tzinfo=UTC)


def test_english_keeps_the_consoles_format() -> None:
    with speaking(ENGLISH):
        assert moments.day_words(date(2026, 9, 2)) == "2 Sep 2026"
        assert moments.moment_words(AT, ZoneInfo("Europe/Berlin")) == "2 Sep 2026, 15:05 CEST"
        assert moments.column_format() == moments.COLUMN_FORMAT == "D MMM YYYY, HH:mm"
        assert moments.plotly_format() == moments.PLOTLY_FORMAT
        assert number_text(100000) == "100,000"


def test_chinese_writes_year_month_day_and_a_24_hour_time() -> None:
    with speaking(CHINESE):
        assert moments.day_words(date(2026, 12, 2)) == "2026年12月2日"
        assert moments.moment_words(AT) == "2026年9月2日 13:05 UTC"
        assert moments.moment_words(AT, with_zone=False) == "2026年9月2日 13:05"
        assert moments.column_format() == "YYYY年M月D日 HH:mm"
        assert "%b" not in moments.plotly_format()
        assert number_text(1000) == "1,000"
