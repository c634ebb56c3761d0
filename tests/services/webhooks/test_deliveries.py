"""Raw deliveries are stored once per body and committed; refusals keep no body (SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from services.store.models import WebhookDelivery, WebhookRefusal
from services.webhooks.deliveries import body_sha256, pending_ids, record_refusal, store_delivery
from tests.services.webhooks.payloads import ban, body

AT = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def test_a_delivery_is_stored_raw_and_a_resent_one_is_kept_once(store_engine: Engine) -> None:
    raw = body(ban())
    first = store_delivery(engine=store_engine, body=raw, source_address="173.252.88.1", at=AT)
    again = store_delivery(engine=store_engine, body=raw, source_address="173.252.88.2", at=AT + timedelta(minutes=5))
    other = store_delivery(engine=store_engine, body=body(ban("REINSTATE")), source_address="", at=AT)
    assert (first.duplicate, again.duplicate, other.duplicate) == (False, True, False)
    assert again.delivery_id == first.delivery_id != other.delivery_id
    with Session(store_engine) as session:  # a fresh session: committed, not merely flushed
        rows = session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        assert [row.body.encode() for row in rows] == [raw, body(ban("REINSTATE"))]
        assert rows[0].body_sha256 == body_sha256(raw)
        assert (rows[0].source_address, rows[0].received_at, rows[0].outcome) == ("173.252.88.1", AT, "pending")
        assert pending_ids(session=session) == [first.delivery_id, other.delivery_id]


def test_a_refusal_notes_when_where_why_and_how_big(store_engine: Engine) -> None:
    record_refusal(engine=store_engine, at=AT, source_address="203.0.113.9" * 10, reason="bad_signature", body_bytes=42)
    with Session(store_engine) as session:
        [refusal] = session.exec(select(WebhookRefusal)).all()
        assert session.exec(select(WebhookDelivery)).all() == []
    assert (refusal.at, refusal.reason, refusal.body_bytes) == (AT, "bad_signature", 42)
    assert refusal.source_address == ("203.0.113.9" * 10)[:64]
