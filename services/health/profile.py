"""Everything the console knows of one phone number, for its own page: health in words, who uses it, its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from services.graph.types import HealthProblem
from services.health import history
from services.health.model import Assessment, Severity, assess_account, assess_stored
from services.health.overview import number_label, severity_since
from services.store.models import (
    ChannelConfiguration,
    Credential,
    CredentialReach,
    HealthInterval,
    PhoneNumber,
    WhatsAppBusinessAccount,
)

# How far back "in this state since" looks; older than this reads "for more than 90 days".
SINCE_HORIZON = timedelta(days=90)
WHATSAPP_MANAGER = "https://business.facebook.com/wa/manage/phone-numbers/"


@dataclass(frozen=True)
class NumberProfile:
    number: PhoneNumber
    label: str
    account: WhatsAppBusinessAccount | None
    assessment: Assessment
    account_assessment: Assessment | None
    since: datetime | None  # when the current severity began, as far back as SINCE_HORIZON
    since_horizon: bool  # the severity is older than the history read
    first_observed: datetime | None
    credentials: tuple[Credential, ...]  # its own credentials first, then those that reach its WABA
    configurations: tuple[ChannelConfiguration, ...]  # those that send from it (deactivated ones last)

    @property
    def whatsapp_manager_url(self) -> str:
        query = {"waba_id": self.number.waba_id}
        business = (self.account.portfolio_id or self.account.business_id) if self.account else None
        if business:
            query["business_id"] = business
        return f"{WHATSAPP_MANAGER}?{urlencode(query)}"

    @property
    def ok(self) -> bool:
        return self.assessment.severity is Severity.OK


def profile(*, session: Session, phone_number_id: str, now: datetime) -> NumberProfile | None:
    """The number's profile, or None when the console does not monitor a number with this ID."""
    number = session.get(PhoneNumber, phone_number_id)
    if number is None:
        return None
    account = session.get(WhatsAppBusinessAccount, number.waba_id)
    assessment = assess_stored(number)
    rows = history.read(session=session, phone_number_ids=[number.id], start=now - SINCE_HORIZON, end=now)
    since = severity_since(rows, assessment.severity)
    first = session.exec(
        select(HealthInterval.since)
        .where(HealthInterval.phone_number_id == number.id)
        .order_by(col(HealthInterval.since))
        .limit(1)
    ).first()
    reaching = select(CredentialReach.credential_id).where(CredentialReach.waba_id == number.waba_id)
    credentials = session.exec(
        select(Credential).where((col(Credential.phone_number_id) == number.id) | col(Credential.id).in_(reaching))
    ).all()
    configurations = session.exec(
        select(ChannelConfiguration).where(ChannelConfiguration.sender_phone_number_id == number.id)
    ).all()
    account_assessment = None
    if account is not None:
        problems = [HealthProblem.from_json(row) for row in account.health_problems or [] if isinstance(row, dict)]
        account_assessment = assess_account(
            review_status=account.review_status, can_send=account.can_send, problems=problems
        )
    return NumberProfile(
        number=number,
        label=number_label(number),
        account=account,
        assessment=assessment,
        account_assessment=account_assessment,
        since=since,
        since_horizon=bool(rows) and since == rows[0].since and rows[0].since <= now - SINCE_HORIZON,
        first_observed=first,
        credentials=tuple(sorted(credentials, key=lambda c: (c.phone_number_id != number.id, c.name))),
        configurations=tuple(sorted(configurations, key=lambda c: (c.status == "deactivated", c.name.lower()))),
    )
