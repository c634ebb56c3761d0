"""What is wrong right now, rule by rule, read from the store through the one health model.

Each Condition names its subject (a number, WABA, portfolio, credential or the console itself) and says in
words what holds; the lifecycle turns conditions into alerts. Nothing here writes.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from services.alerts import console_conditions as console
from services.alerts import fleet_conditions as fleet
from services.alerts import template_conditions as templates
from services.alerts.condition import Condition
from services.health.model import Severity
from services.store.models import Credential, PhoneNumber, WhatsAppBusinessAccount

__all__ = ["Condition", "current_conditions"]


def current_conditions(
    session: Session, *, now: datetime, active: dict[str, str], poll_interval_s: float
) -> list[Condition]:
    """Every condition of an active rule that holds at `now`."""
    found: list[Condition] = []
    # A number the stored verdict calls OK has no finding, so no condition: the cost follows what is wrong.
    troubled = select(PhoneNumber).where(col(PhoneNumber.severity) != Severity.OK).order_by(col(PhoneNumber.id))
    for number in session.exec(troubled):
        found.extend(fleet.number_conditions(number, active))
    if "portfolio_limit_lowered" in active:
        found.extend(fleet.limit_conditions(session, now, active["portfolio_limit_lowered"]))
    if "waba_banned" in active:
        for account in session.exec(select(WhatsAppBusinessAccount).order_by(col(WhatsAppBusinessAccount.id))):
            if (condition := fleet.account_condition(account, active["waba_banned"])) is not None:
                found.append(condition)
    credentials = list(session.exec(select(Credential).order_by(col(Credential.id))))
    for credential in credentials:
        if (condition := console.token_condition(credential, now, active)) is not None:
            found.append(condition)
    if "poller_silent" in active:
        if condition := console.poller_condition(session, credentials, now, poll_interval_s, active["poller_silent"]):
            found.append(condition)
    if "webhook_bad_signatures" in active:
        if (condition := console.refusal_condition(session, now, active["webhook_bad_signatures"])) is not None:
            found.append(condition)
    found.extend(templates.template_conditions(session, active))
    return found
