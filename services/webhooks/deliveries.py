"""Meta's POSTs as they came: stored raw and committed before the 200, once per body; refusals noted apart.

Meta re-sends a delivery it thinks was lost with the very same body, so the body's hash is unique: a
re-sent delivery finds its first copy and is answered 200 again without a second row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from services.store.models import WebhookDelivery, WebhookRefusal

MAX_BODY_BYTES = 1024 * 1024
ADDRESS_LENGTH = 64
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class Stored:
    delivery_id: int
    duplicate: bool  # the same body was stored before


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def store_delivery(*, engine: Engine, body: bytes, source_address: str, at: datetime) -> Stored:
    """Store the raw body (committed, so a crash after this loses nothing); a body seen before is kept once."""
    digest = body_sha256(body)
    with Session(engine) as session:
        insert = _INSERTS[session.connection().dialect.name]
        row = {
            "received_at": at,
            "body_sha256": digest,
            "body": body.decode("utf-8", "replace"),
            "source_address": source_address[:ADDRESS_LENGTH],
            "outcome": "pending",
            "detail": "",
        }
        added = insert(WebhookDelivery).values(**row).on_conflict_do_nothing().returning(WebhookDelivery.id)
        delivery_id = session.execute(added).scalar_one_or_none()
        inserted = delivery_id is not None
        if delivery_id is None:
            delivery_id = session.exec(
                select(WebhookDelivery.id).where(col(WebhookDelivery.body_sha256) == digest)
            ).one()
        session.commit()
    assert delivery_id is not None
    return Stored(delivery_id=delivery_id, duplicate=not inserted)


def record_refusal(*, engine: Engine, at: datetime, source_address: str, reason: str, body_bytes: int) -> None:
    """Note a refused POST: when, from where, why and its size; nothing of its body is kept."""
    with Session(engine) as session:
        refusal = WebhookRefusal(at=at, source_address=source_address[:ADDRESS_LENGTH], reason=reason)
        refusal.body_bytes = body_bytes
        session.add(refusal)
        session.commit()


def pending_ids(*, session: Session, limit: int = 100) -> list[int]:
    """Deliveries stored but not yet processed, oldest first."""
    query = (
        select(WebhookDelivery.id)
        .where(col(WebhookDelivery.outcome) == "pending")
        .order_by(col(WebhookDelivery.id))
        .limit(limit)
    )
    return [delivery_id for delivery_id in session.exec(query) if delivery_id is not None]
