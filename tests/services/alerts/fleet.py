"""Rows for the alert tests: a WABA, its numbers, a credential and channels, written straight to the store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from services.store.models import AlertChannel, Credential, PhoneNumber, WhatsAppBusinessAccount

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WABA_ID, NUMBER_ID = "104", "1070"
BLOCKED_PROBLEM = {
    "entity_type": "PHONE_NUMBER",
    "entity_id": NUMBER_ID,
    "can_send": "BLOCKED",
    "error_code": 141006,
    "description": "The number's payment method failed.",
    "solution": "Update the payment method in WhatsApp Manager.",
}


def add_fleet(session: Session, **number: Any) -> PhoneNumber:
    """Aurora's WABA and its healthy number, then `number`'s fields over it."""
    session.add(WhatsAppBusinessAccount(id=WABA_ID, name="Aurora Coffee", portfolio_id="900", portfolio_name="Aurora"))
    session.flush()
    row = PhoneNumber(
        id=NUMBER_ID,
        waba_id=WABA_ID,
        display_phone_number="+1 212-555-0107",
        verified_name="Aurora Coffee Deliveries",
        quality_rating="GREEN",
        status="CONNECTED",
        can_send="AVAILABLE",
        messaging_limit="TIER_10K",
        first_seen_at=T0,
        last_polled_at=T0,
    )
    for name, value in number.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return row


def set_health(session: Session, *, blocked: bool) -> None:
    number = session.get(PhoneNumber, NUMBER_ID)
    assert number is not None
    number.can_send = "BLOCKED" if blocked else "AVAILABLE"
    number.health_problems = [BLOCKED_PROBLEM] if blocked else []
    session.add(number)
    session.flush()


def add_credential(session: Session, **fields: Any) -> Credential:
    row = Credential(
        name="Aurora token",
        business_id="900",
        waba_id=WABA_ID,
        phone_number_id=NUMBER_ID,
        token_ciphertext="x",
        token_last4="ab12",
        token_fingerprint="f" * 64,
        created_at=T0,
        updated_at=T0,
    )
    for name, value in fields.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return row


def add_channel(
    session: Session, *, name: str = "Ops email", min_severity: str = "warning", **fields: Any
) -> AlertChannel:
    row = AlertChannel(kind="email", name=name, min_severity=min_severity, config_ciphertext="sealed", **fields)
    session.add(row)
    session.flush()
    return row
