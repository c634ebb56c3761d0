"""A monitored WABA with one number and its first history row, for the webhook store tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from services.store.models import HealthInterval, PhoneNumber, WhatsAppBusinessAccount
from tests.services.webhooks.payloads import DISPLAY, NUMBER, WABA

POLLED = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
HEALTH = {
    "quality_rating": "GREEN",
    "throughput_level": "STANDARD",
    "messaging_limit": "TIER_2K",
    "status": "CONNECTED",
    "verified_name": "Jasper's Market",
    "name_status": "PENDING_REVIEW",
    "can_send": "AVAILABLE",
}


def add_fleet(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(WhatsAppBusinessAccount(id=WABA, name="Jasper's Market", review_status="APPROVED"))
        session.flush()
        session.add(PhoneNumber(id=NUMBER, waba_id=WABA, display_phone_number=DISPLAY, last_polled_at=POLLED, **HEALTH))
        session.flush()
        session.add(HealthInterval(phone_number_id=NUMBER, since=POLLED, last_confirmed_at=POLLED, **HEALTH))
        session.commit()
