"""The fleet at a glance: counts by severity, what needs attention, what recovered, the portfolios' limits.

Severities, sentences and advice all come from `services.health.model`; this module only groups them:
one entry per number, or one per WABA or business portfolio when the cause sits there. Every read is
bounded: a few hundred attention-worthy numbers at most, whatever the size of the fleet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import func, tuple_
from sqlmodel import Session, col, select

from services.access.vault import masked
from services.credentials.views import effective_state
from services.health import fleet, fleet_counts, history
from services.health.fleet_counts import Group, Portfolio
from services.health.fleet_table import STRIP_DAYS
from services.health.model import REVIEW, Finding, Severity, assess_account, assess_stored
from services.health.vocabulary import entity_words
from services.language.formatting import number_text
from services.language.translate import _, plural
from services.moments import moment_words
from services.store.models import Credential, HealthInterval, PhoneNumber, WhatsAppBusinessAccount

__all__ = ["STRIP_DAYS", "Attention", "FleetHealth", "Portfolio", "Recovery", "fleet_health", "number_label"]

RECOVERY_WINDOW = timedelta(days=7)
ATTENTION_WINDOW = timedelta(days=7)
BROKEN_TOKEN_STATES = ("expired", "invalid")
ATTENTION_READ = 96  # attention-worthy numbers read at most: enough for the entries the overview lists, four times
SAMPLES_PER_WABA = 5  # so one WABA's thousands of blocked numbers cannot crowd out another's
LABELS_SHOWN = 3  # labels of the numbers a shared cause holds back
RECOVERED_SHOWN = 20
_SHARED_CAUSES = ("WABA", "BUSINESS", "APP")


def number_label(number: PhoneNumber) -> str:
    """'Jasper's Market +1 631-555-0101'."""
    return fleet.choice_label(number.verified_name, number.display_phone_number)


def worst_first(number: PhoneNumber) -> tuple[int, str, str]:
    """Sort key by the health model's severity, then name."""
    return assess_stored(number).severity, number.verified_name, number.id


@dataclass(frozen=True)
class Attention:
    """One thing to act on: a number, a WABA or portfolio (with the numbers it holds back), or a token."""

    severity: Severity
    subject: str  # "Lucky Shrub +1 415-555-0104", "WhatsApp Business Account Lucky Shrub"
    sentence: str  # completes the subject: "cannot send messages (Meta error 141006)"
    since: datetime | None = None
    meta_says: str = ""
    advice: str = ""
    numbers: tuple[str, ...] = ()  # labels of a few of the numbers a shared cause holds back
    phone_number_id: str | None = None
    also: tuple[str, ...] = ()  # the number's lesser findings
    held: int = 0  # how many numbers a shared cause holds back (`numbers` names the first few)
    token: bool = False  # about an API credential's token (listed after numbers and accounts at one severity)

    @property
    def covers(self) -> int:
        """How many numbers this entry stands for (a token's: none)."""
        if self.token:
            return 0
        return 1 if self.phone_number_id else self.held


def listed_attention(attention: Sequence[Attention], *, shown: int, listed: int) -> tuple[list[Attention], int]:
    """The entries listed after the first `shown`: the next `listed`, and every token's (a token is one per
    credential, and nothing else points at it); and how many numbers the entries left out stand for."""
    kept: list[Attention] = []
    room, left_out = listed, 0
    for item in attention[shown:]:
        if item.token or room > 0:
            kept.append(item)
            room -= not item.token
        else:
            left_out += item.covers
    return kept, left_out


@dataclass(frozen=True)
class Recovery:
    subject: str
    sentence: str  # what it was: "could send only with limits"
    recovered_at: datetime
    phone_number_id: str


@dataclass(frozen=True)
class FleetHealth:
    counts: dict[Severity, int]
    attention: list[Attention]
    more_numbers: int = 0  # attention-worthy numbers no entry covers (read them in the fleet table)
    recovered: list[Recovery] = field(default_factory=list)
    portfolios: list[Portfolio] = field(default_factory=list)
    businesses: list[Group] = field(default_factory=list)  # the fleet table's business filter counts these

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def unknown(self) -> int:
        """Numbers whose health Meta has not reported yet."""
        return self.counts.get(Severity.UNKNOWN, 0)


def _labels(session: Session, phone_number_ids: Iterable[str]) -> dict[str, str]:
    return {choice.id: choice.label for choice in fleet.choices_of(session=session, phone_number_ids=phone_number_ids)}


def _credential_attention(
    credentials: Iterable[Credential], labels: Mapping[str, str], *, now: datetime, tz: tzinfo
) -> list[Attention]:
    found: list[Attention] = []
    for credential in credentials:
        who = _(
            "The token of API credential “{name}” ({token})", name=credential.name, token=masked(credential.token_last4)
        )
        expires = credential.token_expires_at
        state = effective_state(credential.token_state, expires, at=now)
        numbers = (labels[credential.phone_number_id],) if credential.phone_number_id in labels else ()
        renew = _("Replace the token on the API credentials page; until then its numbers are not polled.")
        if state in BROKEN_TOKEN_STATES:
            if state != credential.token_state and expires is not None:  # past its date, not yet refused by Meta
                sentence = _("expired on {moment}", moment=moment_words(expires, tz))
            elif state == "expired":
                sentence = _("is expired")
            else:
                sentence = _("is invalid")
            found.append(
                Attention(
                    Severity.BLOCKED,
                    who,
                    sentence,
                    meta_says=credential.token_problem or "",
                    advice=renew,
                    numbers=numbers,
                    token=True,
                )
            )
        elif state == "valid" and expires is not None and expires <= now + ATTENTION_WINDOW:
            days = round((expires - now) / timedelta(days=1))
            moment = moment_words(expires, tz)
            if expires - now < timedelta(days=1):
                sentence = _("expires on {moment} (within a day)", moment=moment)
            else:
                sentence = plural(
                    "expires on {moment} (in 1 day)", "expires on {moment} (in {count} days)", days, moment=moment
                )
            found.append(Attention(Severity.AT_RISK, who, sentence, advice=renew, numbers=numbers, token=True))
    return found


def severity_since(rows: Sequence[HealthInterval], severity: Severity) -> datetime | None:
    """When the number's current severity began, as far back as the rows read reach."""
    since = None
    for row in reversed(rows):
        if assess_stored(row).severity != severity:
            break
        since = row.since
    return since


def _shared_cause(finding: Finding, number: PhoneNumber) -> tuple[str, str] | None:
    """(entity type, entity id) when the number's worst finding comes from its WABA, portfolio or app."""
    if finding.aspect != "can send":
        return None
    for problem in number.health_problems or []:
        kind = str(problem.get("entity_type") or "").upper()
        if kind in _SHARED_CAUSES and problem.get("error_code") == finding.error_code:
            return kind, str(problem.get("entity_id") or "")
    return None


def _attention_sample(session: Session) -> list[PhoneNumber]:
    """The worst attention-worthy numbers, at most a few of each WABA, worst first.

    Walks the worst-first index in batches, each leaving out the WABAs already sampled in full, so one WABA's
    thousands of blocked numbers cost a walk of the index, not a ranking of every attention-worthy number. Each
    batch fills a WABA or ends the walk: at most ATTENTION_READ / SAMPLES_PER_WABA + 1 batches, whatever the fleet."""
    order = fleet.worst_first_order()
    taken: dict[str, int] = {}
    chosen: list[str] = []
    after: tuple[int, str, str] | None = None
    while len(chosen) < ATTENTION_READ:
        wanted = ATTENTION_READ - len(chosen)
        query = select(*order, PhoneNumber.waba_id).where(col(PhoneNumber.severity) <= int(Severity.WATCH))
        full = sorted(waba for waba, count in taken.items() if count >= SAMPLES_PER_WABA)
        if full:
            query = query.where(col(PhoneNumber.waba_id).not_in(full))
        if after is not None:
            query = query.where(tuple_(*order) > tuple_(*after))
        batch = list(session.exec(query.order_by(*order).limit(wanted)))
        for *_position, number_id, waba_id in batch:
            if taken.get(waba_id, 0) < SAMPLES_PER_WABA and len(chosen) < ATTENTION_READ:
                taken[waba_id] = taken.get(waba_id, 0) + 1
                chosen.append(number_id)
        if len(batch) < wanted:
            break
        after = tuple(batch[-1][:3])  # type: ignore[assignment]
    if not chosen:
        return []
    numbers = session.exec(select(PhoneNumber).where(col(PhoneNumber.id).in_(chosen)).order_by(*order))
    return list(numbers)


def _held_count(session: Session, kind: str, entity_id: str, held: Sequence[PhoneNumber], severity: Severity) -> int:
    """How many numbers the shared cause holds back: those of its WABAs at its severity and can-send verdict."""
    wabas = {n.waba_id for n in held}
    if kind == "BUSINESS" and entity_id:
        in_portfolio = select(WhatsAppBusinessAccount.id).where(col(WhatsAppBusinessAccount.portfolio_id) == entity_id)
        wabas |= set(session.exec(in_portfolio))
    query = select(func.count()).where(
        col(PhoneNumber.waba_id).in_(sorted(wabas)),
        col(PhoneNumber.severity) == int(severity),
        col(PhoneNumber.can_send) == held[0].can_send,
    )
    return max(len(held), session.exec(query).one())


def _number_attention(session: Session, *, now: datetime) -> tuple[list[Attention], int]:
    """Entries for the attention-worthy numbers read, and how many numbers they cover."""
    sample = _attention_sample(session)
    assessments = {number.id: assess_stored(number) for number in sample}
    labels = {number.id: number_label(number) for number in sample}
    start = now - timedelta(days=STRIP_DAYS)
    rows: dict[str, list[HealthInterval]] = {}
    for row in history.read(session=session, phone_number_ids=list(labels), start=start, end=now):
        rows.setdefault(row.phone_number_id, []).append(row)
    found: list[Attention] = []
    shared: dict[tuple[str, str, int | None], list[PhoneNumber]] = {}
    for number in sample:
        assessment = assessments[number.id]
        worst = assessment.findings[0]
        cause = _shared_cause(worst, number)
        if cause is not None:
            shared.setdefault((*cause, worst.error_code), []).append(number)
            continue
        found.append(
            Attention(
                assessment.severity,
                labels[number.id],
                worst.sentence,
                since=severity_since(rows.get(number.id, []), assessment.severity),
                meta_says=worst.meta_says,
                advice=worst.advice,
                phone_number_id=number.id,
                also=tuple(f.sentence for f in assessment.findings[1:] if f.severity.needs_attention),
            )
        )
    covered = len(found)
    accounts = {a.id: a for a in session.exec(select(WhatsAppBusinessAccount).where(_ids_of(shared.values())))}
    for (kind, entity_id, _code), held in shared.items():
        worst = assessments[held[0].id].findings[0]
        count = _held_count(session, kind, entity_id, held, worst.severity)
        covered += count
        account = accounts.get(held[0].waba_id)
        if kind == "WABA" and account is not None:
            subject = _("WhatsApp Business Account {name}", name=account.name)
        elif kind == "BUSINESS" and account is not None and account.portfolio_name:
            subject = _("Business portfolio {name}", name=account.portfolio_name)
        else:
            subject = _("{what} {id}", what=_shared_entity_words(kind), id=entity_id)
        starts = [severity_since(rows.get(n.id, []), assessments[n.id].severity) for n in held]
        found.append(
            Attention(
                worst.severity,
                subject,
                _shared_sentence(worst, count),
                since=min((s for s in starts if s is not None), default=None),
                meta_says=worst.meta_says,
                advice=worst.advice,
                numbers=tuple(sorted(labels[n.id] for n in held)[:LABELS_SHOWN]),
                held=count,
            )
        )
    return found, covered


def _shared_entity_words(kind: str) -> str:
    """'WhatsApp Business Account', 'Business portfolio', 'Meta app': what a shared cause is, as a subject."""
    words = {
        "WABA": _("WhatsApp Business Account"),
        "BUSINESS": _("Business portfolio"),
        "APP": _("Meta app"),
    }.get(kind.upper())
    return words or entity_words(kind).removeprefix("its ").removeprefix("the ").capitalize()


def _shared_sentence(worst: Finding, count: int) -> str:
    """'cannot send messages: none of its 40 numbers can send freely (Meta error 141006)'."""
    blocked = worst.severity is Severity.BLOCKED
    if count > 1:
        number = number_text(count)
        if blocked:
            sentence = _("cannot send messages: none of its {number} numbers can send freely", number=number)
        else:
            sentence = _("can send only with limits: none of its {number} numbers can send freely", number=number)
    else:
        sentence = _("cannot send messages") if blocked else _("can send only with limits")
    if worst.error_code is not None:
        sentence = _("{sentence} (Meta error {code})", sentence=sentence, code=str(worst.error_code))
    return sentence


def _ids_of(groups: Iterable[Sequence[PhoneNumber]]) -> object:
    return col(WhatsAppBusinessAccount.id).in_(sorted({n.waba_id for held in groups for n in held}))


def _account_attention(session: Session) -> list[Attention]:
    """A WABA whose review failed (a ban), even when no number of it is listed as blocked."""
    query = select(WhatsAppBusinessAccount).where(func.upper(col(WhatsAppBusinessAccount.review_status)).in_(REVIEW))
    found = []
    for account in session.exec(query.order_by(col(WhatsAppBusinessAccount.name))):
        assessment = assess_account(review_status=account.review_status, can_send="AVAILABLE", problems=())
        if not assessment.severity.needs_attention:
            continue
        worst = assessment.findings[0]
        held = select(func.count()).where(col(PhoneNumber.waba_id) == account.id)
        first = fleet.search_numbers(session=session, text="", limit=LABELS_SHOWN, waba_ids=[account.id])
        found.append(
            Attention(
                assessment.severity,
                _("WhatsApp Business Account {name}", name=account.name),
                worst.sentence,
                advice=worst.advice,
                numbers=tuple(choice.label for choice in first),
                held=session.exec(held).one(),
            )
        )
    return found


def _recovery_of(kept: Sequence[HealthInterval]) -> tuple[str, datetime] | None:
    """The number's newest step from needing attention to not: what it was, and when."""
    for earlier, later in zip(reversed(kept[:-1]), reversed(kept[1:]), strict=True):
        before, after = assess_stored(earlier), assess_stored(later)
        if before.severity.needs_attention and not after.severity.needs_attention:
            return before.headline, later.since
    return None


def recoveries(*, session: Session, now: datetime, limit: int = RECOVERED_SHOWN) -> list[Recovery]:
    """Numbers that needed attention in the last 7 days and no longer do, newest recovery first (at most `limit`).

    The newest `recovered_at` of the numbers that still do not need attention, from its index; what each was comes
    from its history. The cost follows `limit`, not the size of the fleet or of its history."""
    window = now - RECOVERY_WINDOW
    query = (
        select(PhoneNumber.id)
        .where(col(PhoneNumber.recovered_at) >= window, col(PhoneNumber.severity) > int(Severity.WATCH))
        .order_by(col(PhoneNumber.recovered_at).desc())
        .limit(limit)
    )
    ids = list(session.exec(query))
    kept: dict[str, list[HealthInterval]] = {}
    for row in history.read(session=session, phone_number_ids=ids, start=window, end=now):
        kept.setdefault(row.phone_number_id, []).append(row)
    found = [(i, recovery) for i in ids if (recovery := _recovery_of(kept.get(i, []))) is not None]
    labels = _labels(session, [number_id for number_id, _recovery in found])
    return [Recovery(labels[i], sentence, at, i) for i, (sentence, at) in found if i in labels]


def fleet_health(*, session: Session, now: datetime, tz: tzinfo) -> FleetHealth:
    """The overview's summary: counts by severity, what needs attention (bounded), recoveries and limits."""
    counts = fleet_counts.by_severity(session=session)
    businesses, portfolios = fleet_counts.businesses_and_limits(session=session)
    attention, covered = _number_attention(session, now=now)
    attention += _account_attention(session)
    credentials = list(session.exec(select(Credential)))
    labels = _labels(session, [c.phone_number_id for c in credentials])
    attention += _credential_attention(credentials, labels, now=now, tz=tz)
    # Numbers and accounts before tokens at one severity: what cannot send, then why nothing may be polled.
    attention.sort(key=lambda item: (item.severity, item.token, item.subject))
    needing = sum(count for severity, count in counts.items() if severity.needs_attention)
    return FleetHealth(
        counts=counts,
        attention=attention,
        more_numbers=max(0, needing - covered),
        recovered=recoveries(session=session, now=now),
        portfolios=portfolios,
        businesses=businesses,
    )
