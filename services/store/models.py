"""Every table of the console. Enumerated values are stored as their Graph API / domain strings."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, func, text
from sqlmodel import Field, SQLModel

from services.store.types import UTCDateTime, utcnow

# Named constraints, so later migrations can alter them by name (SQLite batch mode needs names).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _utc(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(UTCDateTime(), nullable=nullable, index=index),
    )


def _created() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class WhatsAppBusinessAccount(SQLModel, table=True):
    __tablename__ = "whatsapp_business_account"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=255)
    business_id: str | None = Field(default=None, max_length=32)
    currency: str | None = Field(default=None, max_length=8)
    timezone_id: str | None = Field(default=None, max_length=16)
    first_seen_at: datetime = _created()
    last_seen_at: datetime = _created()
    # The WABA's own health as last polled: Meta's review (ban) state and its health_status verdict.
    review_status: str | None = Field(default=None, max_length=32)
    portfolio_id: str | None = Field(default=None, max_length=32)  # the owning business portfolio (its limit)
    portfolio_name: str | None = Field(default=None, max_length=255)
    can_send: str = Field(default="UNKNOWN", max_length=16)
    health_problems: list[dict[str, Any]] = _json_list()
    health_polled_at: datetime | None = _utc(nullable=True)
    reread_requested_at: datetime | None = _utc(nullable=True)  # a webhook asks the poller to read it again soon
    templates_polled_at: datetime | None = _utc(nullable=True)  # its message templates last read


class PhoneNumber(SQLModel, table=True):
    """A number of the monitored fleet, with its latest known health."""

    __tablename__ = "phone_number"

    id: str = Field(primary_key=True, max_length=32)
    waba_id: str = Field(foreign_key="whatsapp_business_account.id", index=True, max_length=32)
    display_phone_number: str = Field(max_length=32)
    verified_name: str = Field(default="", max_length=255)
    quality_rating: str = Field(default="UNKNOWN", max_length=16)
    throughput_level: str = Field(default="NOT_APPLICABLE", max_length=16)
    messaging_limit: str | None = Field(default=None, max_length=32)
    status: str | None = Field(default=None, max_length=32)
    name_status: str | None = Field(default=None, max_length=32)
    can_send: str = Field(default="UNKNOWN", max_length=16)  # health_status.can_send_message
    health_problems: list[dict[str, Any]] = _json_list()  # HealthProblem.as_json() of each entity not AVAILABLE
    first_seen_at: datetime = _created()
    last_polled_at: datetime | None = _utc(nullable=True)
    # The health model's verdict on the fields above (a Severity), written with them: the fleet sorts, counts and
    # filters on it in SQL.
    severity: int = Field(default=3, sa_column_kwargs={"server_default": "3"})
    # When the number last went from needing attention to not; written with its severity.
    recovered_at: datetime | None = _utc(nullable=True)


# Worst first, then by name: the fleet table's order, read a page at a time.
Index("ix_phone_number_severity_name", PhoneNumber.severity, PhoneNumber.verified_name, PhoneNumber.id)  # type: ignore[arg-type]
Index("ix_phone_number_status", PhoneNumber.status)  # type: ignore[arg-type]
# The overview's recently recovered numbers, newest first.
Index("ix_phone_number_recovered_at", PhoneNumber.recovered_at)  # type: ignore[arg-type]


class FleetTally(SQLModel, table=True):
    """How many numbers a WABA has at one messaging limit, severity and status, and the newest poll among them.

    Kept by triggers on `phone_number` (migration 0013), in the transaction of every write, so the overview counts
    the fleet from a few rows a WABA. On SQLite a migration that rebuilds `phone_number` (a batch alter) drops its
    triggers with it and must create them again.
    """

    __tablename__ = "fleet_tally"

    waba_id: str = Field(primary_key=True, max_length=32)
    messaging_limit: str = Field(primary_key=True, max_length=32)  # "" when Meta reported none
    severity: int = Field(primary_key=True)
    status: str = Field(primary_key=True, max_length=32)  # "" when Meta reported none
    numbers: int
    newest_poll: datetime | None = _utc(nullable=True)


class Credential(SQLModel, table=True):
    """An API credential: token (encrypted) + business ID, through which a WABA and a number were picked."""

    __tablename__ = "api_credential"
    __table_args__ = (UniqueConstraint("token_fingerprint", "phone_number_id", name="uq_credential_token_number"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    business_id: str = Field(max_length=32)
    waba_id: str = Field(foreign_key="whatsapp_business_account.id", max_length=32)
    phone_number_id: str = Field(foreign_key="phone_number.id", max_length=32)
    token_ciphertext: str
    token_last4: str = Field(max_length=4)
    token_fingerprint: str = Field(max_length=64, index=True)
    token_state: str = Field(default="valid", max_length=16)  # valid | expired | invalid | unknown
    token_expires_at: datetime | None = _utc(nullable=True)
    token_checked_at: datetime | None = _utc(nullable=True)
    token_problem: str | None = Field(default=None, max_length=500)
    created_at: datetime = _created()
    created_by: str = Field(default="", max_length=255)
    updated_at: datetime = _created()


class CredentialReach(SQLModel, table=True):
    """A WABA reachable through a credential's token: what the poller reads each cycle."""

    __tablename__ = "credential_reach"

    credential_id: int = Field(foreign_key="api_credential.id", primary_key=True, ondelete="CASCADE")
    waba_id: str = Field(foreign_key="whatsapp_business_account.id", primary_key=True, max_length=32)


class HealthInterval(SQLModel, table=True):
    """One unchanged stretch of a number's health: observed at `since`, still so at `last_confirmed_at`."""

    __tablename__ = "phone_number_health"
    # By number for a number's history; by time alone for what changed lately across the fleet (recoveries).
    __table_args__ = (
        Index("ix_phone_number_health_number_since", "phone_number_id", "since"),
        Index("ix_phone_number_health_since", "since"),
    )

    id: int | None = Field(default=None, primary_key=True)
    phone_number_id: str = Field(foreign_key="phone_number.id", max_length=32)
    since: datetime = _created()
    last_confirmed_at: datetime = _created()
    polls: int = Field(default=1)
    follows_gap: bool = Field(default=True)
    quality_rating: str = Field(max_length=16)
    throughput_level: str = Field(max_length=16)
    messaging_limit: str | None = Field(default=None, max_length=32)
    status: str | None = Field(default=None, max_length=32)
    verified_name: str = Field(default="", max_length=255)
    name_status: str | None = Field(default=None, max_length=32)
    can_send: str = Field(default="UNKNOWN", max_length=16)
    health_problems: list[dict[str, Any]] = _json_list()
    learned_by: str = Field(default="poll", max_length=16)  # poll | webhook


class ChannelConfiguration(SQLModel, table=True):
    __tablename__ = "channel_configuration"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)
    description: str = Field(default="", max_length=1000)
    channel: str = Field(default="whatsapp", max_length=16)
    marketing_action: str | None = Field(default=None, max_length=64)
    credential_id: int | None = Field(default=None, foreign_key="api_credential.id")
    sender_phone_number_id: str | None = Field(default=None, max_length=32)
    status: str = Field(default="draft", max_length=16)  # draft | processing | active | failed | deactivated
    check_results: list[dict[str, Any]] = _json_list()
    warnings: list[str] = _json_list()
    pending_update: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    update_status: str | None = Field(default=None, max_length=16)  # processing | success | failed
    update_check_results: list[dict[str, Any]] = _json_list()
    version: int = Field(default=1)
    checked_at: datetime | None = _utc(nullable=True)
    created_at: datetime = _created()
    created_by: str = Field(default="", max_length=255)
    updated_at: datetime = _created()
    updated_by: str = Field(default="", max_length=255)


# The name rule: unique, case ignored, among configurations not deactivated (unnamed drafts may repeat).
LIVE_NAME_INDEX = "uq_channel_configuration_live_name"
_LIVE_NAME = text("status != 'deactivated' AND name != ''")
Index(
    LIVE_NAME_INDEX,
    func.lower(ChannelConfiguration.name),  # type: ignore[arg-type]
    unique=True,
    sqlite_where=_LIVE_NAME,
    postgresql_where=_LIVE_NAME,
)


class PollRun(SQLModel, table=True):
    __tablename__ = "poll_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    finished_at: datetime | None = _utc(nullable=True)
    trigger: str = Field(default="schedule", max_length=16)  # schedule | manual | demo
    poller_id: str = Field(default="", max_length=64)
    status: str = Field(default="running", max_length=16)  # running | ok | partial | failed
    credentials_polled: int = Field(default=0)
    numbers_seen: int = Field(default=0)
    graph_calls: int = Field(default=0)
    errors: list[dict[str, Any]] = _json_list()


class PollWork(SQLModel, table=True):
    """One WABA to read in one poll cycle: pollers sharing a PostgreSQL claim these rows, each read once."""

    __tablename__ = "poll_work"

    cycle_at: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))  # the cycle's scheduled tick
    waba_id: str = Field(primary_key=True, max_length=32)
    holder: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = _utc(nullable=True)  # a claim not done by then is free for another poller
    done_at: datetime | None = _utc(nullable=True)
    attempts: int = Field(default=0)


class PollerLease(SQLModel, table=True):
    """Who may poll: one holder per database until `expires_at`."""

    __tablename__ = "poller_lease"

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=64)
    acquired_at: datetime = _created()
    expires_at: datetime = _created()


class ConsoleUser(SQLModel, table=True):
    __tablename__ = "console_user"

    email: str = Field(primary_key=True, max_length=255)
    role: str = Field(max_length=16)  # admin | viewer
    password_hash: str | None = Field(default=None, max_length=255)
    failed_attempts: int = Field(default=0)
    locked_until: datetime | None = _utc(nullable=True)
    created_at: datetime = _created()
    last_sign_in_at: datetime | None = _utc(nullable=True)


class SignInSession(SQLModel, table=True):
    """One sign-in of a local account; the browser holds the token, the store only its hash."""

    __tablename__ = "sign_in_session"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, index=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_expires_at: datetime | None = _utc(nullable=True)
    created_at: datetime = _created()
    last_seen_at: datetime = _created()
    expires_at: datetime = _created()
    revoked_at: datetime | None = _utc(nullable=True)
    client: str = Field(default="", max_length=64)


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins per client and per account at that client: how long until the next try is heard."""

    __tablename__ = "sign_in_throttle"

    key: str = Field(primary_key=True, max_length=320)
    failures: int = Field(default=0)
    next_allowed_at: datetime | None = _utc(nullable=True)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor: str = Field(max_length=255, index=True)
    action: str = Field(max_length=32)
    object_type: str = Field(max_length=32, index=True)
    object_id: str = Field(max_length=64)
    object_name: str = Field(default="", max_length=255)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    detail: str = Field(default="", max_length=1000)


class WebhookDelivery(SQLModel, table=True):
    """One POST of Meta's, stored raw before it is answered; Meta re-sends the same body, stored once."""

    __tablename__ = "webhook_delivery"

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    body_sha256: str = Field(max_length=64, unique=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    source_address: str = Field(default="", max_length=64)
    processed_at: datetime | None = _utc(nullable=True)
    outcome: str = Field(default="pending", max_length=16)  # pending | applied | failed
    detail: str = Field(default="", max_length=500)


class WebhookEvent(SQLModel, table=True):
    """One change a delivery carried, recorded once whatever delivery carried it (`event_key`)."""

    __tablename__ = "webhook_event"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_delivery.id", index=True)
    event_key: str = Field(max_length=64, unique=True)
    field: str = Field(max_length=64, index=True)
    waba_id: str | None = Field(default=None, max_length=32, index=True)
    phone_number_id: str | None = Field(default=None, max_length=32, index=True)
    occurred_at: datetime | None = _utc(nullable=True)
    received_at: datetime = _created()
    value: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    summary: str = Field(default="", max_length=500)
    outcome: str = Field(max_length=16)  # applied | stored | unknown_field


class WebhookRefusal(SQLModel, table=True):
    """A POST refused before anything of it was stored: when, from where, why and how big."""

    __tablename__ = "webhook_refusal"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    source_address: str = Field(default="", max_length=64)
    reason: str = Field(max_length=32)  # missing_signature | bad_signature | too_large | not_json | not_configured
    body_bytes: int = Field(default=0)


class Alert(SQLModel, table=True):
    """One alert per subject and rule while its condition holds (open, acknowledged or snoozed), then resolved."""

    __tablename__ = "alert"

    id: int | None = Field(default=None, primary_key=True)
    rule: str = Field(max_length=48, index=True)
    subject_kind: str = Field(max_length=16)  # number | waba | portfolio | credential | console
    subject_id: str = Field(max_length=64)
    subject_name: str = Field(default="", max_length=255)
    severity: str = Field(max_length=16)  # critical | warning | info
    state: str = Field(default="open", max_length=16)  # open | acknowledged | snoozed | resolved
    title: str = Field(max_length=300)  # the first line, in words
    detail: str = Field(default="", max_length=2000)
    advice: str = Field(default="", max_length=500)
    opened_at: datetime = _created()
    last_seen_at: datetime = _created()  # the condition last observed true
    clear_since: datetime | None = _utc(nullable=True)  # the condition clear since (resolved after the quiet time)
    resolved_at: datetime | None = _utc(nullable=True)
    acked_by: str | None = Field(default=None, max_length=255)
    ack_note: str = Field(default="", max_length=500)
    snoozed_until: datetime | None = _utc(nullable=True)


# One alert not resolved per subject and rule, kept by the database itself.
OPEN_ALERT_INDEX = "uq_alert_open_subject"
_NOT_RESOLVED = text("state != 'resolved'")
Index(
    OPEN_ALERT_INDEX,
    Alert.rule,  # type: ignore[arg-type]
    Alert.subject_kind,  # type: ignore[arg-type]
    Alert.subject_id,  # type: ignore[arg-type]
    unique=True,
    sqlite_where=_NOT_RESOLVED,
    postgresql_where=_NOT_RESOLVED,
)


class AlertChannel(SQLModel, table=True):
    """Where alerts go: an email list or an incoming-webhook URL; its secrets and URLs encrypted with the vault."""

    __tablename__ = "alert_channel"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # email | webhook
    name: str = Field(max_length=120)
    min_severity: str = Field(default="warning", max_length=16)  # critical | warning | info
    enabled: bool = Field(default=True)
    config_ciphertext: str = Field(sa_column=Column(Text, nullable=False))
    from_settings: bool = Field(default=False)
    # The language its emails and webhook messages are written in: a tag of services.language ("en", "zh-Hans").
    language: str = Field(default="en", max_length=16, sa_column_kwargs={"server_default": "en"})


class AlertDelivery(SQLModel, table=True):
    """The outbox: one message of an alert to one channel, written with the change that caused it."""

    __tablename__ = "alert_delivery"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    channel_id: int = Field(foreign_key="alert_channel.id", index=True)
    kind: str = Field(max_length=16)  # opened | resolved
    idempotency_key: str = Field(max_length=64, unique=True)
    state: str = Field(default="pending", max_length=16)  # pending | delivered | failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = _created()
    delivered_at: datetime | None = _utc(nullable=True)


class AlertRule(SQLModel, table=True):
    """A rule switched off, or given another severity, by an admin; a rule without a row has its defaults."""

    __tablename__ = "alert_rule"

    rule: str = Field(primary_key=True, max_length=48)
    enabled: bool = Field(default=True)
    severity: str = Field(max_length=16)


class MessageTemplate(SQLModel, table=True):
    """A message template of a monitored WABA, with its latest known status and quality."""

    __tablename__ = "message_template"

    id: str = Field(primary_key=True, max_length=32)  # Meta's template id
    waba_id: str = Field(foreign_key="whatsapp_business_account.id", index=True, max_length=32)
    name: str = Field(max_length=512)
    language: str = Field(max_length=16)
    category: str = Field(default="", max_length=32)  # MARKETING | UTILITY | AUTHENTICATION
    status: str = Field(default="PENDING", max_length=32)  # APPROVED | PAUSED | DISABLED | REJECTED | ...
    quality_score: str = Field(default="UNKNOWN", max_length=16)  # GREEN | YELLOW | RED | UNKNOWN
    reason: str | None = Field(default=None, max_length=64)  # rejected_reason, or other_info.title (FIRST_PAUSE)
    status_info: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    severity: int = Field(default=3, sa_column_kwargs={"server_default": "3"})  # the health model's verdict
    first_seen_at: datetime = _created()
    last_polled_at: datetime | None = _utc(nullable=True)
    changed_at: datetime | None = _utc(nullable=True)  # the last change learned, by poll or webhook


Index("ix_message_template_severity_name", MessageTemplate.severity, MessageTemplate.name, MessageTemplate.id)  # type: ignore[arg-type]


class TemplateInterval(SQLModel, table=True):
    """One unchanged stretch of a template's status and quality, like a number's health history."""

    __tablename__ = "message_template_history"
    __table_args__ = (Index("ix_message_template_history_template_since", "template_id", "since"),)

    id: int | None = Field(default=None, primary_key=True)
    template_id: str = Field(foreign_key="message_template.id", max_length=32)
    since: datetime = _created()
    last_confirmed_at: datetime = _created()
    polls: int = Field(default=1)
    follows_gap: bool = Field(default=True)
    status: str = Field(max_length=32)
    quality_score: str = Field(max_length=16)
    category: str = Field(default="", max_length=32)
    reason: str | None = Field(default=None, max_length=64)
    status_info: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    learned_by: str = Field(default="poll", max_length=16)  # poll | webhook


class UserPreference(SQLModel, table=True):
    """What one person chose for the console, by e-mail (single sign-on users have no console_user row)."""

    __tablename__ = "user_preference"

    email: str = Field(primary_key=True, max_length=320)
    language: str = Field(max_length=16)  # a services.language tag: "en", "zh-Hans"
    updated_at: datetime = _created()
