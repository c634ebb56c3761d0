"""Message templates per WABA as Meta serves them (`GET /{waba}/message_templates`), their scripted changes, the
webhooks Meta sends for those changes, and changes made through the control API.

Meta pauses a marketing template whose quality falls: for 3 hours the first time (other_info.title FIRST_PAUSE),
6 hours the second (SECOND_PAUSE), and the third time disables it. A pause ends by itself (REINSTATED, UNPAUSE).
The demo WABAs script one of each within their 35 days of history (days from the anchor):

- Jasper's Market `spring_sale` (en_US): quality YELLOW at -12, paused for 3 hours at -10, reinstated, GREEN at -4.
- Jasper's Market `bakery_weekly_menu` (pt_BR): submitted at -7, REJECTED (INVALID_FORMAT) at -6.
- Lucky Shrub `garden_flash_sale` (zh_CN): YELLOW at -16, RED at -13, paused at -11 (3 h) and -7 (6 h), DISABLED at -3.
- Aurora Coffee `coffee_club_offer` (es): YELLOW at -20, RED at -15, still RED.
- Northwind Stores: 260 generated templates, for paging (three pages at limit=100).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from services.simulator.schedule import Change

TEMPLATE_NODE = "WhatsAppBusinessHSM"
TEMPLATE_DEFAULT = ("name", "components", "language", "status", "category", "id")
TEMPLATE_FIELDS = (
    "id",
    "name",
    "language",
    "status",
    "category",
    "previous_category",
    "quality_score",
    "rejected_reason",
    "components",
    "parameter_format",
)
# Query parameters Graph's edge filters by (`name` matches part of the name, the others the whole value).
FILTERS = ("status", "category", "language", "name")
BIG_WABA_TEMPLATES = 260
FIRST_PAUSE = timedelta(hours=3)
SECOND_PAUSE = timedelta(hours=6)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class TemplateHealth:
    """What Meta reports of a template at one moment."""

    status: str  # APPROVED | PENDING | REJECTED | PAUSED | DISABLED | IN_APPEAL | ...
    quality: str  # GREEN | YELLOW | RED | UNKNOWN
    rejected_reason: str = "NONE"
    title: str = ""  # other_info.title of the last status event: FIRST_PAUSE, SECOND_PAUSE, UNPAUSE, DISABLED


@dataclass(frozen=True)
class Template:
    """One template; `created` is its offset from the anchor (negative), `changes` its scripted changes."""

    id: str
    waba_id: str
    name: str
    language: str
    category: str
    created: timedelta
    initial: TemplateHealth
    body: str
    changes: tuple[Change, ...] = ()


def template_id(waba_id: str, name: str, language: str) -> str:
    """A stable 15-digit ID like Meta's; Meta's sample `hello_world` keeps the ID it had before templates moved here."""
    key = f"hello_world:{waba_id}" if (name, language) == ("hello_world", "en_US") else f"{name}:{language}:{waba_id}"
    return str(int(hashlib.sha1(key.encode()).hexdigest()[:13], 16))


def _at(changes: Iterable[Change], offset: timedelta, initial: TemplateHealth) -> TemplateHealth:
    health = initial
    for change in changes:
        if change.at <= offset:
            health = replace(health, **dict(change.values))
    return health


class TemplateBook:
    """Every WABA's templates; control-API changes are kept apart from the script, and `reset()` forgets them."""

    def __init__(self, templates: Iterable[Template]) -> None:
        self.templates = {template.id: template for template in templates}
        self._by_waba: dict[str, list[Template]] = {}
        for template in self.templates.values():
            self._by_waba.setdefault(template.waba_id, []).append(template)
        self._lock = threading.Lock()
        self._extra: Mapping[str, tuple[Change, ...]] = {}  # replaced whole on each write: reads need no lock

    def of(self, waba_id: str, offset: timedelta) -> list[Template]:
        """The WABA's templates that exist at `offset`, in the order Graph lists them."""
        return [t for t in self._by_waba.get(waba_id, []) if t.created <= offset]

    def at(self, template: Template, offset: timedelta) -> TemplateHealth:
        """The template's state at `offset`: the script, then any control-API change made up to then."""
        scripted = _at(template.changes, offset, template.initial)
        return _at(self._extra.get(template.id, ()), offset, scripted)

    def quality_since(self, template: Template, offset: timedelta) -> timedelta:
        """When the quality it has at `offset` was given (its creation if never changed)."""
        since, quality = template.created, template.initial.quality
        changes = sorted((*template.changes, *self._extra.get(template.id, ())), key=lambda c: c.at)
        for change in changes:
            values = dict(change.values)
            if change.at <= offset and values.get("quality", quality) != quality:
                since, quality = change.at, values["quality"]
        return since

    def transitions(
        self, template: Template, start: timedelta, end: timedelta
    ) -> list[tuple[timedelta, TemplateHealth]]:
        """The scripted state at `start` (or creation) and each scripted change of it up to `end`."""
        first = max(start, template.created)
        result = [(first, _at(template.changes, first, template.initial))]
        for moment in sorted({c.at for c in template.changes if first < c.at <= end}):
            health = _at(template.changes, moment, template.initial)
            if health != result[-1][1]:
                result.append((moment, health))
        return result

    def find(
        self,
        *,
        template_id: str | None = None,
        name: str | None = None,
        language: str | None = None,
        waba_id: str | None = None,
    ) -> Template:
        """The template by ID, or by name (and language, and WABA, when several share the name); ValueError if none."""
        if template_id:
            if template_id not in self.templates:
                raise ValueError(f"No template has the ID {template_id!r}.")
            return self.templates[template_id]
        found = [
            t
            for t in self.templates.values()
            if t.name == name
            and (language is None or t.language == language)
            and (waba_id is None or t.waba_id == waba_id)
        ]
        if len(found) != 1:
            what = "No template" if not found else f"{len(found)} templates"
            raise ValueError(f"{what} match name {name!r}, language {language!r}: send template_id, or add language.")
        return found[0]

    def change(self, template: Template, at: timedelta, **values: str) -> tuple[TemplateHealth, TemplateHealth]:
        """From `at` on the template holds `values` (on top of the script); its state before and after."""
        before = self.at(template, at)
        with self._lock:
            extra = dict(self._extra)
            extra[template.id] = (*extra.get(template.id, ()), Change(at, tuple(values.items())))
            self._extra = extra
        return before, self.at(template, at)

    def reset(self) -> None:
        with self._lock:
            self._extra = {}


# --- what Graph answers ----------------------------------------------------------------------------------------


def values(book: TemplateBook, template: Template, offset: timedelta, anchor: datetime) -> dict[str, object]:
    """Every field of a template at `offset`, in Graph's JSON."""
    health = book.at(template, offset)
    quality_date = anchor + book.quality_since(template, offset)
    return {
        "id": template.id,
        "name": template.name,
        "language": template.language,
        "status": health.status,
        "category": template.category,
        "previous_category": None,
        "quality_score": {"score": health.quality, "date": int(quality_date.timestamp())},
        "rejected_reason": health.rejected_reason,
        "components": [{"type": "BODY", "text": template.body}],
        "parameter_format": "POSITIONAL",
    }


def filtered(
    templates: Sequence[Template], book: TemplateBook, offset: timedelta, query: Mapping[str, str]
) -> list[Template]:
    """The templates Graph's `status`, `category`, `language` and `name` filters keep."""
    kept = list(templates)
    if query.get("status"):
        kept = [t for t in kept if book.at(t, offset).status == query["status"].upper()]
    if query.get("category"):
        kept = [t for t in kept if t.category == query["category"].upper()]
    if query.get("language"):
        kept = [t for t in kept if t.language == query["language"]]
    if query.get("name"):
        kept = [t for t in kept if query["name"].lower() in t.name.lower()]
    return kept


# --- the webhooks Meta sends -----------------------------------------------------------------------------------

_DESCRIPTIONS = {
    "FIRST_PAUSE": "Your message template has been paused for 3 hours until {until} because of low quality.",
    "SECOND_PAUSE": "Your message template has been paused for 6 hours until {until} because of low quality.",
    "UNPAUSE": "Your message template is no longer paused and can be sent again.",
    "DISABLED": "Your message template has been disabled because of repeated low quality.",
}
_PAUSE_LENGTH = {"FIRST_PAUSE": FIRST_PAUSE, "SECOND_PAUSE": SECOND_PAUSE}
_RECOMMENDATIONS = {
    "INVALID_FORMAT": "Make sure parameters are not at the start or end of the body, and are not next to each other.",
}
Event = tuple[str, dict[str, Any]]


def _identity(template: Template) -> dict[str, Any]:
    return {
        "message_template_id": int(template.id),
        "message_template_name": template.name,
        "message_template_language": template.language,
    }


def status_event(template: Template, after: TemplateHealth, at: datetime) -> Event:
    """`message_template_status_update` for a template that now holds `after` (from `at`)."""
    event = "REINSTATED" if after.title == "UNPAUSE" else after.status
    value: dict[str, Any] = {"event": event, **_identity(template)}
    value["reason"] = after.rejected_reason if after.status == "REJECTED" else "NONE"
    value["message_template_category"] = template.category
    if after.title:
        until = at + _PAUSE_LENGTH.get(after.title, timedelta(0))
        description = _DESCRIPTIONS.get(after.title, "").format(until=until.strftime("%b %d at %I:%M %p UTC"))
        value["other_info"] = {"title": after.title, "description": description}
    if after.status == "DISABLED":
        value["disable_info"] = {"disable_date": int(at.timestamp())}
    if after.status == "REJECTED" and after.rejected_reason in _RECOMMENDATIONS:
        recommendation = _RECOMMENDATIONS[after.rejected_reason]
        value["rejection_info"] = {"reason": after.rejected_reason, "recommendation": recommendation}
    return "message_template_status_update", value


def quality_event(template: Template, before: TemplateHealth, after: TemplateHealth) -> Event:
    value = {"previous_quality_score": before.quality, "new_quality_score": after.quality, **_identity(template)}
    return "message_template_quality_update", value


def events(template: Template, before: TemplateHealth, after: TemplateHealth, at: datetime) -> Iterator[Event]:
    """The webhooks Meta sends when a template goes from `before` to `after`."""
    if after.quality != before.quality:
        yield quality_event(template, before, after)
    if (after.status, after.title, after.rejected_reason) != (before.status, before.title, before.rejected_reason):
        yield status_event(template, after, at)


def scheduled_events(
    book: TemplateBook, anchor: datetime, start: datetime, end: datetime
) -> Iterator[tuple[datetime, str, Event]]:
    """(time, WABA, event) for each scripted template change in (start, end]."""
    for template in book.templates.values():
        steps = book.transitions(template, start - anchor, end - anchor)
        for (_, before), (at, after) in zip(steps, steps[1:], strict=False):
            for event in events(template, before, after, anchor + at):
                yield anchor + at, template.waba_id, event


# --- the demo's templates --------------------------------------------------------------------------------------


def _c(days: float, hours: float = 0, **values: str) -> Change:
    return Change(at=timedelta(days=days, hours=hours), values=tuple(values.items()))


_APPROVED = TemplateHealth("APPROVED", "GREEN")
_NEW = TemplateHealth("APPROVED", "UNKNOWN")
_SPRING = (_c(-12, quality="YELLOW"), _c(-10, status="PAUSED", title="FIRST_PAUSE"),
           _c(-10, 3, status="APPROVED", title="UNPAUSE"), _c(-4, quality="GREEN"))  # fmt: skip
_GARDEN = (
    _c(-16, quality="YELLOW"),
    _c(-13, quality="RED"),
    _c(-11, status="PAUSED", title="FIRST_PAUSE"),
    _c(-11, 3, status="APPROVED", title="UNPAUSE"),
    _c(-7, status="PAUSED", title="SECOND_PAUSE"),
    _c(-7, 6, status="APPROVED", title="UNPAUSE"),
    _c(-3, status="DISABLED", title="DISABLED"),
)
_MENU = (_c(-6, status="REJECTED", rejected_reason="INVALID_FORMAT", quality="UNKNOWN"),)
_CLUB = (_c(-20, quality="YELLOW"), _c(-15, quality="RED"))
# WABA, name, language, category, created (days ago), state at creation, body, changes
# fmt: off
_DEMO = (
    ("2000000000000011", "hello_world", "en_US", "UTILITY", 900, _APPROVED, "Hello World", ()),
    ("2000000000000011", "order_confirmation", "en_US", "UTILITY", 400, _APPROVED,
     "Thanks for your order {{1}}! We will let you know when it ships.", ()),
    ("2000000000000011", "order_confirmation", "es", "UTILITY", 400, _APPROVED,
     "¡Gracias por tu pedido {{1}}! Te avisaremos cuando salga.", ()),
    ("2000000000000011", "order_shipped", "en_US", "UTILITY", 380, _APPROVED,
     "Your order {{1}} is on its way. Track it here: {{2}}", ()),
    ("2000000000000011", "delivery_update", "pt_BR", "UTILITY", 300, _APPROVED,
     "Seu pedido {{1}} chega hoje entre {{2}} e {{3}}.", ()),
    ("2000000000000011", "login_code", "en_US", "AUTHENTICATION", 500, _APPROVED,
     "{{1}} is your verification code. For your security, do not share this code.", ()),
    ("2000000000000011", "login_code", "es", "AUTHENTICATION", 500, _APPROVED,
     "{{1}} es tu código de verificación. Por tu seguridad, no lo compartas.", ()),
    ("2000000000000011", "spring_sale", "en_US", "MARKETING", 60, _APPROVED,
     "Spring is here, {{1}}! Take 20% off fresh produce this week with code {{2}}.", _SPRING),
    ("2000000000000011", "weekend_deals", "en_US", "MARKETING", 200, _APPROVED,
     "This weekend only: {{1}} on our bakery favourites.", ()),
    ("2000000000000011", "weekend_deals", "es", "MARKETING", 200, _APPROVED,
     "Solo este fin de semana: {{1}} en nuestra panadería.", ()),
    ("2000000000000011", "flavour_of_the_week", "en_US", "MARKETING", 90, _APPROVED,
     "This week's flavour at Jasper's Ice Cream is {{1}}. See you soon!", ()),
    ("2000000000000011", "bakery_weekly_menu", "pt_BR", "MARKETING", 7, TemplateHealth("PENDING", "UNKNOWN"),
     "{{1}} O cardápio da semana chegou {{2}}", _MENU),
    ("2000000000000011", "loyalty_points_balance", "zh_CN", "UTILITY", 150, _APPROVED,
     "您好 {{1}}，您的积分余额为 {{2}} 分。", ()),
    ("2000000000000011", "store_hours_update", "zh_CN", "UTILITY", 120, _APPROVED,
     "{{1}} 门店的营业时间已更新为 {{2}}。", ()),
    ("2000000000000012", "hello_world", "en_US", "UTILITY", 400, _APPROVED, "Hello World", ()),
    ("2000000000000012", "garden_flash_sale", "zh_CN", "MARKETING", 45, _APPROVED,
     "限时特惠：今天所有盆栽 {{1}} 折！", _GARDEN),
    ("2000000000000012", "plant_care_tips", "en_US", "MARKETING", 180, _APPROVED,
     "Tip of the week, {{1}}: water your {{2}} in the morning.", ()),
    ("2000000000000012", "appointment_reminder", "en_US", "UTILITY", 300, _APPROVED,
     "Reminder: your garden consultation is on {{1}} at {{2}}.", ()),
    ("2000000000000012", "appointment_reminder", "es", "UTILITY", 300, _APPROVED,
     "Recordatorio: tu cita de jardinería es el {{1}} a las {{2}}.", ()),
    ("2000000000000012", "verification_code", "en_US", "AUTHENTICATION", 350, _APPROVED,
     "{{1}} is your verification code.", ()),
    ("2000000000000012", "verification_code", "pt_BR", "AUTHENTICATION", 350, _APPROVED,
     "{{1}} é o seu código de verificação.", ()),
    ("2000000000000012", "seasonal_catalogue", "en_US", "MARKETING", 100, _APPROVED,
     "Our {{1}} catalogue is out: {{2}}", (_c(-2, quality="YELLOW"),)),
    ("2000000000000021", "hello_world", "en_US", "UTILITY", 600, _APPROVED, "Hello World", ()),
    ("2000000000000021", "coffee_club_offer", "es", "MARKETING", 120, _APPROVED,
     "¡Únete al Coffee Club, {{1}}! Tu primer café es gratis.", _CLUB),
    ("2000000000000021", "coffee_club_offer", "en_US", "MARKETING", 120, _APPROVED,
     "Join the Coffee Club, {{1}}! Your first coffee is on us.", ()),
    ("2000000000000021", "order_ready", "en_US", "UTILITY", 500, _APPROVED,
     "{{1}}, your order is ready for pick-up at {{2}}.", ()),
    ("2000000000000021", "order_ready", "zh_CN", "UTILITY", 500, _APPROVED, "{{1}}，您的订单已可在 {{2}} 取餐。", ()),
    ("2000000000000021", "order_ready", "pt_BR", "UTILITY", 500, _APPROVED,
     "{{1}}, seu pedido está pronto para retirada em {{2}}.", ()),
    ("2000000000000021", "receipt", "en_US", "UTILITY", 450, _APPROVED, "Here is your receipt for {{1}}: {{2}}", ()),
    ("2000000000000021", "sign_in_code", "en_US", "AUTHENTICATION", 550, _APPROVED, "{{1}} is your sign-in code.", ()),
    ("2000000000000021", "sign_in_code", "zh_CN", "AUTHENTICATION", 550, _APPROVED, "{{1}} 是您的登录验证码。", ()),
    ("2000000000000021", "new_blend_launch", "pt_BR", "MARKETING", 2, _NEW,
     "Novidade: o blend {{1}} chegou às nossas lojas!", ()),
    ("2000000000000021", "bakehouse_preorder", "en_US", "MARKETING", 80, _APPROVED,
     "Pre-order your {{1}} from Aurora Bakehouse by {{2}}.", ()),
    ("2000000000000021", "delivery_delay_notice", "es", "UTILITY", 250, _APPROVED,
     "Tu pedido {{1}} llegará con un retraso de {{2}} minutos.", ()),
)
# fmt: on
_BIG_LANGUAGES = ("en_US", "es", "pt_BR", "zh_CN", "fr", "de")
_BIG_CATEGORIES = ("MARKETING", "UTILITY", "UTILITY", "AUTHENTICATION")


def _big_waba(waba_id: str) -> list[Template]:
    found = []
    for i in range(BIG_WABA_TEMPLATES):
        name, language = f"store_notice_{i // len(_BIG_LANGUAGES):03d}", _BIG_LANGUAGES[i % len(_BIG_LANGUAGES)]
        quality = "YELLOW" if i % 37 == 5 else "GREEN"
        found.append(
            Template(
                template_id(waba_id, name, language),
                waba_id,
                name,
                language,
                _BIG_CATEGORIES[i % len(_BIG_CATEGORIES)],
                -(180 - i // 4) * DAY,
                TemplateHealth("APPROVED", quality),
                f"Northwind notice {i + 1}: {{{{1}}}}",
            )
        )
    return found


def demo_templates(big_waba_id: str = "2000000000000031") -> list[Template]:
    """The demo WABAs' few dozen templates and the big WABA's 260, each WABA's in the order Graph lists them."""
    demo = [
        Template(template_id(waba, name, language), waba, name, language, category, -days * DAY, start, body, changes)
        for waba, name, language, category, days, start, body, changes in _DEMO
    ]
    return demo + _big_waba(big_waba_id)
