from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from services.health import changes as history_changes
from services.health import history
from tests.health_history import T0, every_poll, minutes, number, record

WIDE = (T0 - timedelta(days=1), T0 + timedelta(days=1))


def _changes(session: Session, start=WIDE[0], end=WIDE[1]) -> list[history_changes.Change]:
    rows = history.read(session=session, phone_number_ids=["301", "302"], start=WIDE[0], end=WIDE[1])
    return history_changes.changes(rows, start=start, end=end)


def test_each_changed_field_reads_as_a_sentence_with_its_direction(session: Session) -> None:
    record(
        session,
        every_poll(*minutes(0, 10), number("301"), number("302", "NA", limit="TIER_250"))
        + every_poll(
            *minutes(15, 25),
            number("301", "YELLOW", throughput="HIGH", limit="TIER_UNLIMITED"),
            number("302", "GREEN", limit="TIER_2K", status="FLAGGED"),
        )
        + every_poll(*minutes(30, 35), number("301", "RED", limit="TIER_100K"), number("302", limit="TIER_2K")),
    )
    sentences = [(c.phone_number_id, c.describe(UTC)) for c in _changes(session)]
    assert sentences == [
        ("301", "quality dropped from Green · high to Yellow · medium on 20 Nov 2025, 12:15 UTC"),
        ("301", "throughput rose from Standard · 80 messages/s to High · 1,000 messages/s on 20 Nov 2025, 12:15 UTC"),
        ("301", "messaging limit rose from 10,000 customers a day to Unlimited on 20 Nov 2025, 12:15 UTC"),
        ("302", "quality changed from Not yet rated to Green · high on 20 Nov 2025, 12:15 UTC"),
        ("302", "messaging limit rose from 250 customers a day to 2,000 customers a day on 20 Nov 2025, 12:15 UTC"),
        ("302", "status changed from Connected to Flagged (retired state) on 20 Nov 2025, 12:15 UTC"),
        ("301", "quality dropped from Yellow · medium to Red · low on 20 Nov 2025, 12:30 UTC"),
        (
            "301",
            "throughput dropped from High · 1,000 messages/s to Standard · 80 messages/s on 20 Nov 2025, 12:30 UTC",
        ),
        ("301", "messaging limit dropped from Unlimited to 100,000 customers a day on 20 Nov 2025, 12:30 UTC"),
        ("302", "status changed from Flagged (retired state) to Connected on 20 Nov 2025, 12:30 UTC"),
    ]


def test_a_change_nobody_watched_happen_says_between_when(session: Session) -> None:
    record(session, every_poll(*minutes(0, 25), number("301", "YELLOW")) + every_poll(*minutes(60, 70), number("301")))
    (change,) = _changes(session)
    assert change.unwatched_since == minutes(25)[0]
    assert change.describe(ZoneInfo("Europe/Berlin")) == (
        "quality rose from Yellow · medium to Green · high between 20 Nov 2025, 13:25 and 20 Nov 2025, 14:00 CET "
        "(not monitored)"
    )


def test_only_changes_inside_the_window_count(session: Session) -> None:
    record(
        session,
        every_poll(*minutes(0, 10), number("301"))
        + every_poll(*minutes(15, 25), number("301", "YELLOW"))
        + every_poll(*minutes(30, 40), number("301", "RED")),
    )
    assert [c.after for c in _changes(session, *minutes(20, 40))] == ["RED"]
    assert [c.after for c in _changes(session, *minutes(0, 15))] == ["YELLOW"]


def test_the_table_lists_changes_newest_first_in_the_viewers_time_zone(session: Session) -> None:
    record(
        session,
        every_poll(*minutes(0, 10), number("301"))
        + every_poll(*minutes(15, 25), number("301", "YELLOW"))
        + every_poll(*minutes(30, 40), number("301", "RED")),
    )
    berlin = ZoneInfo("Europe/Berlin")
    table = history_changes.changes_table(_changes(session), labels={"301": "Jasper's Market"}, tz=berlin)
    assert list(table["Change"]) == [
        "quality dropped from Yellow · medium to Red · low on 20 Nov 2025, 13:30 CET",
        "quality dropped from Green · high to Yellow · medium on 20 Nov 2025, 13:15 CET",
    ]
    assert str(table["When"].iloc[0]) == "2025-11-20 13:30:00+01:00"
    assert list(table["Number"]) == ["Jasper's Market"] * 2
