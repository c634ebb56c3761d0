"""Every table round-trips, JSON stays JSON, and the database enforces keys and constraints (SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, func, inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from services.store.models import (
    Alert,
    AlertChannel,
    AlertDelivery,
    AlertRule,
    AuditEvent,
    ChannelConfiguration,
    ConsoleUser,
    Credential,
    CredentialReach,
    FleetTally,
    HealthInterval,
    MessageTemplate,
    PhoneNumber,
    PollerLease,
    PollRun,
    PollWork,
    SignInSession,
    SignInThrottle,
    TemplateInterval,
    UserPreference,
    WebhookDelivery,
    WebhookEvent,
    WebhookRefusal,
    WhatsAppBusinessAccount,
)

AT = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)
CHECKS = [
    {"check": "token", "ok": True, "detail": None},
    {"check": "number", "ok": False, "detail": "Qualität ROT — 🚦", "limits": [250, 1000.5]},
]


def _account() -> WhatsAppBusinessAccount:
    return WhatsAppBusinessAccount(
        id="102290129340398", name="Acme Retail", business_id="5500", currency="EUR", timezone_id="47"
    )


def _number(number_id: str = "106540352242922") -> PhoneNumber:
    return PhoneNumber(
        id=number_id,
        waba_id="102290129340398",
        display_phone_number="+1 555-0100",
        verified_name="Acme",
        quality_rating="GREEN",
        throughput_level="HIGH",
        messaging_limit="TIER_10K",
        status="CONNECTED",
        last_polled_at=AT,
    )


def _credential(*, fingerprint: str = "f" * 64, number_id: str = "106540352242922") -> Credential:
    return Credential(
        name="acme-main",
        business_id="5500",
        waba_id="102290129340398",
        phone_number_id=number_id,
        token_ciphertext="gAAAAA-not-a-real-token",
        token_last4="WXYZ",
        token_fingerprint=fingerprint,
        token_expires_at=AT + timedelta(days=60),
        token_checked_at=AT,
        token_problem=None,
        created_by="ops@example.com",
    )


def _add_in_order(session: Session, *rows: SQLModel) -> list[SQLModel]:
    # No relationships are declared, so the unit of work cannot order parents before children by itself.
    for row in rows:
        session.add(row)
        session.flush()
    return list(rows)


def _one_of_each(session: Session) -> list[SQLModel]:
    """One row in every table, flushed (ids known) but not committed."""
    credential = _credential()
    rows: list[SQLModel] = _add_in_order(session, _account(), _number(), credential)
    assert credential.id is not None
    rows.append(session.exec(select(FleetTally)).one())  # written by the database as the number was
    rows += [
        CredentialReach(credential_id=credential.id, waba_id="102290129340398"),
        HealthInterval(
            phone_number_id="106540352242922",
            since=AT,
            last_confirmed_at=AT + timedelta(hours=3),
            polls=4,
            follows_gap=False,
            quality_rating="YELLOW",
            throughput_level="STANDARD",
            messaging_limit="TIER_1K",
            status="FLAGGED",
            verified_name="Acme",
        ),
        ChannelConfiguration(
            name="acme.whatsapp-1",
            description="Spring sale",
            marketing_action="whatsapp-marketing",
            credential_id=credential.id,
            sender_phone_number_id="106540352242922",
            status="failed",
            check_results=CHECKS,
            warnings=["Quality is YELLOW"],
            pending_update={"description": "new", "nested": {"a": [1, 2]}},
            update_status="processing",
            update_check_results=[{"check": "token", "ok": True}],
            version=3,
            checked_at=AT,
            created_by="ops@example.com",
            updated_by="lead@example.com",
        ),
        PollRun(
            started_at=AT,
            finished_at=AT + timedelta(seconds=7),
            trigger="manual",
            poller_id="host-1:42",
            status="partial",
            credentials_polled=2,
            numbers_seen=5,
            graph_calls=9,
            errors=[{"credential": "acme-main", "code": 190, "message": "expired"}],
        ),
        PollerLease(name="health", holder="host-1:42", acquired_at=AT, expires_at=AT + timedelta(minutes=5)),
        PollWork(cycle_at=AT, waba_id="102290129340398", holder="host-1:42", claimed_until=AT, attempts=1),
        UserPreference(email="ops@example.com", language="zh-Hans", updated_at=AT),
        MessageTemplate(
            id="778899",
            waba_id="102290129340398",
            name="spring_sale",
            language="zh_CN",
            category="MARKETING",
            status="PAUSED",
            quality_score="RED",
            reason="FIRST_PAUSE",
            status_info={"title": "FIRST_PAUSE", "description": "暂停 3 小时"},
            severity=0,
            first_seen_at=AT,
            last_polled_at=AT,
            changed_at=AT,
        ),
        TemplateInterval(
            template_id="778899",
            since=AT,
            last_confirmed_at=AT + timedelta(hours=2),
            polls=2,
            follows_gap=False,
            status="PAUSED",
            quality_score="RED",
            category="MARKETING",
            reason="FIRST_PAUSE",
            status_info={"title": "FIRST_PAUSE"},
            learned_by="webhook",
        ),
        ConsoleUser(email="ops@example.com", role="admin", password_hash="$argon2id$v=19$x", locked_until=AT),
        SignInSession(
            email="ops@example.com",
            token_hash="a" * 64,
            created_at=AT,
            last_seen_at=AT,
            expires_at=AT + timedelta(hours=24),
            client="10.0.0.7",
        ),
        SignInThrottle(key="client:10.0.0.66", failures=4, next_allowed_at=AT + timedelta(seconds=2)),
        AuditEvent(
            at=AT,
            actor="ops@example.com",
            action="update",
            object_type="configuration",
            object_id="1",
            object_name="acme.whatsapp-1",
            changes={"description": ["old", "new"], "version": [2, 3]},
            detail="resubmitted",
        ),
        WebhookDelivery(id=7, received_at=AT, body_sha256="b" * 64, body='{"entry": []}', source_address="10.0.0.9"),
        WebhookEvent(
            delivery_id=7,
            event_key="c" * 64,
            field="account_update",
            waba_id="102290129340398",
            occurred_at=AT,
            received_at=AT,
            value={"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "DISABLE"}},
            summary="Meta disabled (banned) WhatsApp Business Account Acme Retail.",
            outcome="applied",
        ),
        WebhookRefusal(at=AT, source_address="10.0.0.66", reason="bad_signature", body_bytes=120),
        Alert(
            id=5,
            rule="number_cannot_send",
            subject_kind="number",
            subject_id="106540352242922",
            subject_name="+1 555-0100 (Acme)",
            severity="critical",
            state="acknowledged",
            title="+1 555-0100 (Acme) cannot send messages (Meta error 131031)",
            detail="Meta says: Qualität ROT — 🚦",
            advice="Read Meta's reason",
            opened_at=AT,
            last_seen_at=AT,
            clear_since=AT + timedelta(minutes=5),
            acked_by="ops@example.com",
            ack_note="on it",
            snoozed_until=AT + timedelta(hours=1),
        ),
        AlertChannel(id=3, kind="webhook", name="Ops", min_severity="warning", config_ciphertext="gAAAA", enabled=True),
        AlertDelivery(
            alert_id=5,
            channel_id=3,
            kind="opened",
            idempotency_key="d" * 64,
            attempts=2,
            next_attempt_at=AT + timedelta(seconds=60),
            last_error="HTTP 503",
            created_at=AT,
        ),
        AlertRule(rule="quality_dropped", enabled=False, severity="info"),
    ]
    _add_in_order(session, *rows[3:])
    return rows


def test_every_table_round_trips(store_engine: Engine) -> None:
    with Session(store_engine) as session:
        rows = _one_of_each(session)
        written = [(type(row), inspect(row).identity, row.model_dump()) for row in rows]
        session.commit()
    assert {table.__tablename__ for table, _, _ in written} == set(SQLModel.metadata.tables)
    with Session(store_engine) as fresh:
        for table, key, values in written:
            read = fresh.get(table, key)
            assert read is not None, table.__name__
            assert read.model_dump() == values, table.__name__


def test_json_columns_keep_nested_structures_and_unicode(store_session: Session) -> None:
    _one_of_each(store_session)
    store_session.commit()
    store_session.expire_all()
    configuration = store_session.exec(select(ChannelConfiguration)).one()
    assert configuration.check_results == CHECKS
    assert configuration.check_results[1]["detail"] == "Qualität ROT — 🚦"
    assert configuration.pending_update == {"description": "new", "nested": {"a": [1, 2]}}
    event = store_session.exec(select(AuditEvent)).one()
    assert event.changes == {"description": ["old", "new"], "version": [2, 3]}


def test_json_defaults_are_empty_lists_and_null_stays_null(store_session: Session) -> None:
    store_session.add(ChannelConfiguration(name="bare"))
    store_session.commit()
    store_session.expire_all()
    bare = store_session.exec(select(ChannelConfiguration)).one()
    assert (bare.check_results, bare.warnings, bare.update_check_results) == ([], [], [])
    assert bare.pending_update is None


def test_one_credential_per_token_and_number(store_session: Session) -> None:
    _add_in_order(store_session, _account(), _number(), _number("106540352242923"), _credential())
    store_session.commit()
    store_session.add(_credential(number_id="106540352242923"))
    store_session.commit()
    store_session.add(_credential())
    with pytest.raises(IntegrityError):
        store_session.commit()


def test_a_number_of_an_unknown_account_is_refused(store_session: Session) -> None:
    store_session.add(_number())
    with pytest.raises(IntegrityError):
        store_session.commit()


def test_deleting_a_credential_deletes_its_reach(store_session: Session) -> None:
    rows = _one_of_each(store_session)
    store_session.commit()
    credential = next(row for row in rows if isinstance(row, Credential))
    store_session.exec(delete(ChannelConfiguration))
    store_session.exec(delete(Credential).where(Credential.id == credential.id))
    store_session.commit()
    assert store_session.exec(select(func.count()).select_from(CredentialReach)).one() == 0


def test_a_credential_still_used_by_a_configuration_cannot_be_deleted(store_session: Session) -> None:
    rows = _one_of_each(store_session)
    store_session.commit()
    credential = next(row for row in rows if isinstance(row, Credential))
    with pytest.raises(IntegrityError):
        store_session.exec(delete(Credential).where(Credential.id == credential.id))
        store_session.commit()
