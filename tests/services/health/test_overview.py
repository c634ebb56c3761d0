from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from services.graph.types import PhoneNumberHealth
from services.health.overview import fleet_health, number_label
from services.store.models import Credential, PhoneNumber
from tests.health_history import T0, WABA_ID, number, record

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
NOW = T0


def _between(at: datetime, start_days: float, end_days: float) -> bool:
    return NOW + timedelta(days=start_days) <= at < NOW + timedelta(days=end_days)


def _poll(at: datetime) -> list[PhoneNumberHealth]:
    """Ten days of six numbers, each with its own story (offsets in days before NOW)."""
    return [
        number("301", "YELLOW" if at >= NOW - 2 * DAY else "GREEN"),  # dropped 2 days ago
        number("302", "RED" if at >= NOW - 3 * DAY else "GREEN"),  # dropped to RED 3 days ago
        number("303", "YELLOW", status="FLAGGED"),
        number("304", "YELLOW" if _between(at, -5, -4) or _between(at, -1, -0.9) else "GREEN", status="RESTRICTED"),
        number("305", "YELLOW" if _between(at, -9, -8) else "GREEN"),  # dropped and recovered 9 days ago
        number("306", "NA", status="PENDING"),
    ]


def _ten_days(session: Session) -> None:
    polls = []
    at = NOW - 10 * DAY
    while at <= NOW:
        polls.append((at, _poll(at)))
        at += HOUR
    record(session, polls, poll_interval_s=3600)


def _credential(number_id: str, name: str, last4: str, **token: object) -> Credential:
    fingerprint = f"{name}-fingerprint"
    return Credential(
        name=name,
        business_id="1000000000000001",
        waba_id=WABA_ID,
        phone_number_id=number_id,
        token_ciphertext="not a real ciphertext",
        token_last4=last4,
        token_fingerprint=fingerprint,
        **token,  # type: ignore[arg-type]
    )


def test_the_fleet_is_listed_worst_first(session: Session) -> None:
    _ten_days(session)
    health = fleet_health(session=session, now=NOW, tz=UTC)
    assert [entry.number.id for entry in health.entries] == ["302", "303", "301", "304", "305", "306"]
    assert health.entries[0].business_account == "Jasper's Market"


def test_each_number_has_a_thirty_day_strip_of_its_lowest_rating_per_day(session: Session) -> None:
    _ten_days(session)
    health = fleet_health(session=session, now=NOW, tz=UTC)
    assert len(health.days) == 30 and health.days[-1] == NOW.date()
    strips = {entry.number.id: entry.daily_lowest for entry in health.entries}
    assert strips["301"] == [None] * 19 + ["GREEN"] * 8 + ["YELLOW"] * 3
    # 305 dipped from 11 Nov 12:00 to 12 Nov 12:00: both days show YELLOW.
    assert strips["305"] == [None] * 19 + ["GREEN", "YELLOW", "YELLOW"] + ["GREEN"] * 8
    assert strips["306"] == [None] * 19 + ["NA"] * 11


def test_needs_attention_says_what_is_wrong_most_urgent_first(session: Session) -> None:
    _ten_days(session)
    session.add(_credential("301", "Main", "ABCD", token_expires_at=NOW + 3 * DAY))
    session.add(_credential("302", "Old", "WXYZ", token_state="invalid", token_problem="Meta revoked the session."))
    session.add(_credential("304", "Later", "LATE", token_expires_at=NOW + 10 * DAY))
    session.add(_credential("305", "Gone", "GONE", token_expires_at=NOW - DAY))
    session.commit()
    labels = {n.id: number_label(n) for n in session.exec(select(PhoneNumber))}

    attention = fleet_health(session=session, now=NOW, tz=UTC).attention

    assert [(item.urgency, item.sentence) for item in attention] == [
        (0, f"{labels['302']}: quality rating is RED (low)"),
        (0, f"{labels['302']}: the token of API credential “Old” (••••WXYZ) is invalid: Meta revoked the session."),
        (
            0,
            f"{labels['303']}: status is FLAGGED (a state of Meta's older quality model; check its quality rating "
            "in WhatsApp Manager)",
        ),
        (
            0,
            f"{labels['304']}: status is RESTRICTED (it reached its messaging limit; it can only reply until the "
            "24-hour window resets)",
        ),
        (0, f"{labels['305']}: the token of API credential “Gone” (••••GONE) expired on 19 Nov at 12:00 UTC"),
        (
            1,
            f"{labels['301']}: the token of API credential “Main” (••••ABCD) expires on 23 Nov at 12:00 UTC"
            " (in 3 days)",
        ),
        (2, f"{labels['302']}: quality dropped from GREEN to RED on 17 Nov at 12:00 UTC"),
        (2, f"{labels['301']}: quality dropped from GREEN to YELLOW on 18 Nov at 12:00 UTC"),
        (
            2,
            f"{labels['304']}: quality dropped from GREEN to YELLOW on 19 Nov at 12:00 UTC"
            " (2 drops in the last 7 days)",
        ),
    ]
    assert labels["301"] == "Jasper's Market +1 631-555-0101"


def test_an_empty_store_has_an_empty_fleet(session: Session) -> None:
    health = fleet_health(session=session, now=NOW, tz=UTC)
    assert health.entries == [] and health.attention == [] and len(health.days) == 30
