"""A number's health period by period, in words: the table the monitoring page shows and its CSV."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo

import pandas as pd

from services.graph.types import ThroughputLevel
from services.health.coverage import Gap, length_words
from services.health.history import Stretch
from services.health.vocabulary import can_send_words, limit_words, quality_words, status_words, throughput_words
from services.language.translate import _


def times_note(zone: str) -> str:
    """The note under the table: '…in Europe/Berlin; the CSV writes them in ISO 8601…'."""
    return _("Times in the table are in {zone}; the CSV writes them in ISO 8601 with their offset from UTC.", zone=zone)


def table(found: Sequence[Stretch], *, labels: Mapping[str, str], tz: tzinfo, gaps: Sequence[Gap] = ()) -> pd.DataFrame:
    """The stretches as a table in words (times in the viewer's zone): what the screen shows and what its CSV holds.

    Its headers are in the reader's language, like its words; the two time columns are the only datetime ones.
    """
    unobserved = {(gap.phone_number_id, gap.start): gap.length for gap in gaps}
    return pd.DataFrame(
        {
            _("Number"): [labels.get(s.phone_number_id, s.phone_number_id) for s in found],
            _("Phone number ID"): [s.phone_number_id for s in found],
            _("From"): pd.to_datetime([s.start for s in found], utc=True).tz_convert(tz),
            _("To"): pd.to_datetime([s.end for s in found], utc=True).tz_convert(tz),
            _("Quality"): [quality_words(s.quality_rating) for s in found],
            _("Throughput"): [throughput_words(s.throughput_level) for s in found],
            _("Messages per second"): pd.array(
                [ThroughputLevel.parse(s.throughput_level).messages_per_second for s in found], dtype="Int64"
            ),
            _("Messaging limit"): [limit_words(s.messaging_limit) for s in found],
            _("Status"): [status_words(s.status) for s in found],
            _("Can send"): [can_send_words(s.can_send) for s in found],
            _("Not observed after"): [
                length_words(unobserved[(s.phone_number_id, s.end)]) if (s.phone_number_id, s.end) in unobserved else ""
                for s in found
            ],
        }
    )


# OWASP's CSV injection advice: a cell a spreadsheet would run as a formula starts with a quote instead.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(frame: pd.DataFrame) -> str:
    """The table as CSV: times in ISO 8601 with their offset, every text cell that could run as a formula
    neutralised by a leading '."""
    safe = frame.copy()
    for column in safe.columns:
        if isinstance(safe[column].dtype, pd.DatetimeTZDtype):
            safe[column] = safe[column].map(lambda moment: moment.isoformat(timespec="seconds"))
        elif safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda value: f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value
            )
    return safe.to_csv(index=False)
