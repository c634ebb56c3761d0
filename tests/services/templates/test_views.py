"""The screens' reads of templates, on SQLite and PostgreSQL: worst first, filtered, paged; one template; counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from services.graph.types import BusinessAccount
from services.health import fleet
from services.health.model import Severity
from services.store.models import WebhookDelivery, WebhookEvent
from services.templates.recording import observe_templates
from services.templates.state import TemplateState
from services.templates.views import (
    TemplateQuery,
    template_filters,
    template_page,
    template_profile,
    trouble_counts,
    troubled_templates,
)

T0 = datetime(2026, 3, 2, tzinfo=UTC)
WABA, OTHER = "2000000000000011", "2000000000000021"


def seed(session: Session) -> None:
    for waba_id, name in ((WABA, "Jasper's Market"), (OTHER, "Aurora Coffee")):
        fleet.upsert_business_account(session=session, account=BusinessAccount(waba_id, name), business_id=None, at=T0)
    jaspers = [
        TemplateState("71", "spring_sale", "en_US", "MARKETING", "PAUSED", "RED", "FIRST_PAUSE"),
        TemplateState("72", "order_update", "pt_BR", "UTILITY", "APPROVED", "GREEN"),
        TemplateState("73", "login_code", "zh_CN", "AUTHENTICATION", "APPROVED", "YELLOW"),
        TemplateState("74", "100%_off", "es", "MARKETING", "REJECTED", "UNKNOWN", "INVALID_FORMAT"),
    ]
    aurora = [TemplateState(f"8{i:02d}", f"coffee_{i:02d}", "es", "MARKETING", "APPROVED", "GREEN") for i in range(30)]
    observe_templates(session=session, waba_id=WABA, templates=jaspers, at=T0, poll_interval_s=900)
    observe_templates(session=session, waba_id=OTHER, templates=aurora, at=T0, poll_interval_s=900)
    session.commit()


def test_the_list_is_worst_first_and_says_why(store_session: Session) -> None:
    seed(store_session)
    page = template_page(session=store_session, query=TemplateQuery(page_size=5))
    assert page.total == 34 and page.pages == 7 and page.page == 1
    assert [r.label for r in page.rows[:4]] == [
        "spring_sale (en_US)",
        "100%_off (es)",
        "login_code (zh_CN)",
        "coffee_00 (es)",
    ]
    first = page.rows[0]
    assert first.severity is Severity.BLOCKED and first.waba_name == "Jasper's Market"
    assert first.headline.startswith("is paused for 3 hours") and first.url == "/Templates?template=71"
    assert page.rows[3].headline == "is active and can be sent"


def test_search_and_filters_narrow_the_list_on_the_server(store_session: Session) -> None:
    seed(store_session)

    def labels(**wanted: object) -> list[str]:
        return [r.label for r in template_page(session=store_session, query=TemplateQuery(**wanted)).rows]  # type: ignore[arg-type]

    assert labels(search="SALE") == ["spring_sale (en_US)"]
    assert labels(search="%") == ["100%_off (es)"]  # a wildcard is a character like any other
    assert labels(search="_off") == ["100%_off (es)"]
    assert labels(waba_ids=(WABA,), categories=("UTILITY", "AUTHENTICATION")) == [
        "login_code (zh_CN)",
        "order_update (pt_BR)",
    ]
    assert labels(statuses=("REJECTED",)) == ["100%_off (es)"]
    assert labels(qualities=("RED", "YELLOW")) == ["spring_sale (en_US)", "login_code (zh_CN)"]
    assert labels(languages=("zh_CN",)) == ["login_code (zh_CN)"]
    assert labels(severities=(Severity.AT_RISK,)) == ["100%_off (es)"]


def test_a_page_past_the_end_reads_the_last_page(store_session: Session) -> None:
    seed(store_session)
    page = template_page(session=store_session, query=TemplateQuery(page=99, page_size=10))
    assert (page.page, len(page.rows), page.rows[-1].label) == (4, 4, "order_update (pt_BR)")


def test_the_filters_offer_only_values_that_exist(store_session: Session) -> None:
    seed(store_session)
    offered = template_filters(session=store_session)
    assert offered.wabas == ((OTHER, "Aurora Coffee"), (WABA, "Jasper's Market"))
    assert offered.categories == ("AUTHENTICATION", "MARKETING", "UTILITY")
    assert offered.languages == ("en_US", "es", "pt_BR", "zh_CN")
    assert offered.statuses == ("APPROVED", "PAUSED", "REJECTED")


def test_a_templates_profile_has_its_history_since_and_events(store_session: Session) -> None:
    seed(store_session)
    later = T0 + timedelta(days=2)
    back = TemplateState("71", "spring_sale", "en_US", "MARKETING", "APPROVED", "RED")
    observe_templates(session=store_session, waba_id=WABA, templates=[back], at=later, poll_interval_s=900)
    delivery = WebhookDelivery(body="{}", body_sha256="0" * 64, received_at=later, outcome="applied")
    store_session.add(delivery)
    store_session.flush()
    for n, template_id in enumerate((71, 72)):
        store_session.add(
            WebhookEvent(
                delivery_id=delivery.id,
                event_key=f"k{n}",
                field="message_template_status_update",
                waba_id=WABA,
                received_at=later,
                value={"message_template_id": template_id, "event": "REINSTATED"},
                summary=f"Template {template_id} is now reinstated.",
                outcome="applied",
            )
        )
    store_session.commit()

    profile = template_profile(session=store_session, template_id="71", now=later + timedelta(hours=1))
    assert profile is not None and profile.label == "spring_sale (en_US)"
    assert profile.assessment.severity is Severity.AT_RISK
    assert [(r.status, r.follows_gap) for r in profile.history] == [("PAUSED", True), ("APPROVED", True)]
    assert profile.since == later
    assert [e.summary for e in profile.events] == ["Template 71 is now reinstated."]
    assert profile.whatsapp_manager_url.endswith(f"waba_id={WABA}")
    # A range after the last change still shows the stretch the template is in.
    far = template_profile(session=store_session, template_id="71", now=later + timedelta(days=60))
    assert far is not None and [r.status for r in far.history] == ["APPROVED"] and far.events == ()
    assert template_profile(session=store_session, template_id="nope", now=later) is None


def test_trouble_for_the_number_page_and_counts_for_the_overview(store_session: Session) -> None:
    seed(store_session)
    assert [r.label for r in troubled_templates(session=store_session, waba_id=WABA)] == [
        "spring_sale (en_US)",
        "100%_off (es)",
        "login_code (zh_CN)",
    ]
    assert troubled_templates(session=store_session, waba_id=OTHER) == []
    assert len(troubled_templates(session=store_session, waba_id=WABA, limit=1)) == 1
    assert trouble_counts(session=store_session) == {
        Severity.BLOCKED: 1,
        Severity.AT_RISK: 1,
        Severity.WATCH: 1,
        Severity.UNKNOWN: 0,
        Severity.OK: 31,
    }
