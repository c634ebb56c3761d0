"""The Templates page: every template worst first, searched, filtered and paged on the server; one template's view
with its assessment in words, its history chart (the pause and the reinstatement) and its events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.runtime import open_store
from services.simulator import Simulator
from services.simulator.webhook_feed import scheduled_envelopes
from services.simulator.webhooks import encode
from services.store.models import MessageTemplate, WhatsAppBusinessAccount
from services.templates.demo_fill import fill_demo_templates
from services.webhooks.deliveries import store_delivery
from services.webhooks.processing import process_pending
from tests.markdown import seen

PAGE = "../../pages/8_Templates.py"
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
STEP = timedelta(hours=2)
WABAS = {
    "2000000000000011": "Jasper's Market",
    "2000000000000012": "Lucky Shrub",
    "2000000000000021": "Aurora Coffee",
}
BIG_WABA = "2000000000000031"


def _store(wabas: dict[str, str]) -> None:
    """The simulator's demo templates, polled every 2 hours for 35 days; its template webhooks of the last 15 days."""
    simulator = Simulator(clock=lambda: NOW, anchor=NOW)
    engine = open_store()
    with Session(engine) as session:
        for waba_id, name in wabas.items():
            session.add(WhatsAppBusinessAccount(id=waba_id, name=name))
        session.flush()
        fill_demo_templates(session=session, simulator=simulator, start=NOW - timedelta(days=35), end=NOW, step=STEP)
        session.commit()
    for payload in scheduled_envelopes(simulator, NOW - timedelta(days=15), NOW):
        changes = payload["entry"][0]["changes"]
        if payload["entry"][0]["id"] in wabas and any(c["field"].startswith("message_template") for c in changes):
            at = datetime.fromtimestamp(payload["entry"][0]["time"], UTC)
            store_delivery(engine=engine, body=encode(payload), source_address="127.0.0.1", at=at)
    process_pending(engine=engine, poll_interval_s=STEP.total_seconds(), clock=lambda: NOW)


@pytest.fixture
def demo_templates(console_env: dict[str, str]) -> None:
    _store(WABAS)


@pytest.fixture
def many_templates(console_env: dict[str, str]) -> None:
    _store({**WABAS, BIG_WABA: "Northwind Stores"})


def _template_id(name: str, language: str) -> str:
    with Session(open_store()) as session:
        return session.exec(
            select(MessageTemplate.id).where(MessageTemplate.name == name, MessageTemplate.language == language)
        ).one()


def _page(template_id: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["signed_in_actor"] = Actor(email="ops@example.com", role="viewer")
    if template_id is not None:
        at.query_params["template"] = template_id
    return at.run()


def _text(at: AppTest) -> str:
    return "\n".join(seen(m.value) for m in at.markdown)


def _table(at: AppTest) -> list[dict[str, object]]:
    return at.dataframe[0].value.to_dict("records")


def test_every_template_worst_first_in_words(demo_templates: None) -> None:
    at = _page()
    assert not at.exception
    assert at.title[0].value == "Templates"
    assert "⛔ Blocked: 1 · 🟠 At risk: 2 · 🟡 Watch: 1 · ✅ OK: 30" in _text(at)
    rows = _table(at)
    assert len(rows) == 34
    first = rows[0]
    assert (first["Health"], first["Template"], first["Language"], first["Status"], first["Quality"]) == (
        "⛔ Blocked",
        "garden_flash_sale",
        "Chinese (Simplified, China)",
        "Disabled",
        "Red · low",
    )
    assert first["WhatsApp Business Account"] == "Lucky Shrub"
    assert first["Details"] == f"Templates?template={_template_id('garden_flash_sale', 'zh_CN')}"
    assert [r["Template"] for r in rows[1:3]] == ["bakery_weekly_menu", "coffee_club_offer"]
    assert rows[1]["What"].startswith("Was rejected in Meta's review: its format is not valid")
    assert {r["Category"] for r in rows} == {"Marketing", "Utility", "Authentication"}
    assert "Templates 1–34 of 34 · page 1 of 1" in [c.value for c in at.caption]


def test_search_and_filters_narrow_the_list_on_the_server(demo_templates: None) -> None:
    at = _page()
    at.text_input(key="templates_search").input("COFFEE").run()
    assert [(r["Template"], r["Language"]) for r in _table(at)] == [
        ("coffee_club_offer", "Spanish"),
        ("coffee_club_offer", "English (United States)"),
    ]
    at.text_input(key="templates_search").input("").run()
    at.multiselect(key="templates_statuses").select("REJECTED").run()
    assert [r["Template"] for r in _table(at)] == ["bakery_weekly_menu"]
    assert at.multiselect(key="templates_statuses").options == ["Active", "Disabled", "Rejected"]
    at.multiselect(key="templates_statuses").unselect("REJECTED").run()
    at.multiselect(key="templates_wabas").select("2000000000000021").run()
    at.multiselect(key="templates_languages").select("zh_CN").run()
    assert [r["Template"] for r in _table(at)] == ["order_ready", "sign_in_code"]
    at.multiselect(key="templates_languages").unselect("zh_CN").run()
    at.multiselect(key="templates_categories").select("AUTHENTICATION").run()
    assert {r["Category"] for r in _table(at)} == {"Authentication"}
    at.multiselect(key="templates_categories").unselect("AUTHENTICATION").run()
    at.multiselect(key="templates_wabas").unselect("2000000000000021").run()
    at.multiselect(key="templates_qualities").select("RED").run()
    assert [r["Template"] for r in _table(at)] == ["garden_flash_sale", "coffee_club_offer"]
    at.multiselect(key="templates_qualities").unselect("RED").run()
    at.toggle(key="templates_attention").set_value(True).run()
    assert len(_table(at)) == 4
    at.text_input(key="templates_search").input("no such template").run()
    assert [i.value for i in at.info] == ["No template matches this search and these filters."]


def test_more_than_a_page_is_paged_on_the_server(many_templates: None) -> None:
    at = _page()
    assert len(_table(at)) == 50
    assert "Templates 1–50 of 294 · page 1 of 6" in [c.value for c in at.caption]
    first_page = [r["Details"] for r in _table(at)]
    at.button[1].click().run()  # Next page
    assert "Templates 51–100 of 294 · page 2 of 6" in [c.value for c in at.caption]
    assert not set(first_page) & {r["Details"] for r in _table(at)}
    at.text_input(key="templates_search").input("store_notice_012").run()  # a new search starts on page 1
    assert "Templates 1–6 of 6 · page 1 of 1" in [c.value for c in at.caption]


def test_a_paused_and_reinstated_template_shows_both_on_its_chart(demo_templates: None) -> None:
    template_id = _template_id("spring_sale", "en_US")
    at = _page(template_id)
    assert not at.exception
    assert at.title[0].value == "✅ spring\\_sale · English \\(United States\\)"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Status": "Active",
        "Quality": "Green · high",
        "Category": "Marketing",
    }
    assert "is active and can be sent since " in _text(at)
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    status = [
        (bar, i)
        for bar in figure["data"]
        if bar["type"] == "bar"
        for i, lane in enumerate(bar["y"])
        if lane == "Status"
    ]
    words = [(bar["text"][i], bar["base"][i][:13]) for bar, i in sorted(status, key=lambda s: s[0]["base"][s[1]])]
    paused_at = (NOW - timedelta(days=10)).replace(tzinfo=None).isoformat()[:13]
    assert [w for w, _ in words] == ["Active", "Paused for 3 hours", "Active"]
    assert words[1][1] == paused_at
    assert all(bar["marker"]["color"] == "#d93025" for bar, i in status if bar["text"][i].startswith("Paused"))
    # At 30 days a 4-hour pause is a few pixels: a square marks it too.
    (marker,) = [t for t in figure["data"] if t["type"] == "scatter" and "Status" in t["y"]]
    assert "Status: Paused for 3 hours" in marker["customdata"][0]
    events = _text(at)
    assert "Status changed from Active to Paused (learned from Meta's webhook)" in events or (
        "Status changed from Active to Paused (seen by the poller)" in events
    )
    assert "Status changed from Paused to Active" in events
    assert "Meta's webhook: " in events


def test_a_disabled_template_says_what_happened_and_what_to_do(demo_templates: None) -> None:
    at = _page(_template_id("garden_flash_sale", "zh_CN"))
    assert not at.exception
    assert at.title[0].value.startswith("⛔ garden")
    text = _text(at)
    assert "**Blocked** since " in text
    assert "What to do: " in text
    manager = at.get("link_button")[0].proto
    assert manager.url.startswith("https://business.facebook.com/wa/manage/message-templates/?waba_id=2000000000000012")


def test_an_unknown_template_says_so_and_offers_the_list(demo_templates: None) -> None:
    at = _page("999<script>")
    assert not at.exception
    assert seen(at.warning[0].value) == "The console knows no message template with the ID 999<script>. Pick one below."
    assert len(_table(at)) == 34


def test_no_templates_yet_says_where_they_come_from(console_env: dict[str, str]) -> None:
    at = _page()
    assert not at.exception
    assert at.info[0].value.startswith("No message templates are known yet.")
