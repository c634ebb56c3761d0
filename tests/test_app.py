from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.graph.types import PhoneNumberHealth
from services.health.model import Severity
from services.runtime import open_store
from services.store.models import Credential, MessageTemplate
from tests.demo_store import use_shared_demo_store
from tests.health_history import WABA_ID, every_poll, number, record, spam_limit, waba_payment_problem
from tests.markdown import seen
from tests.services.health.big_fleet import build_fleet, number_id

APP = "../app.py"
HOUR_S = 3600
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def recorded(console_env: dict[str, str]) -> None:
    """Three days, hourly: 301 GREEN then YELLOW for the last day; 302 RED; 303 GREEN and CONNECTED but blocked by
    its WABA's payment problem for the last day; 304 limited for spam on the first day, then recovered."""
    first, last = NOW - timedelta(days=3), NOW - timedelta(days=1, hours=1)
    limited = number("304", can_send="LIMITED", problems=(spam_limit("304"),))
    blocked = number("303", can_send="BLOCKED", problems=(waba_payment_problem(),))
    with Session(open_store()) as session:
        record(
            session,
            every_poll(first, first + timedelta(hours=20), number("301"), number("302", "RED"), number("303"), limited)
            + every_poll(
                first + timedelta(hours=21), last, number("301"), number("302", "RED"), number("303"), number("304")
            )
            + every_poll(
                NOW - timedelta(days=1),
                NOW,
                number("301", "YELLOW"),
                number("302", "RED"),
                blocked,
                number("304"),
            ),
            poll_interval_s=HOUR_S,
        )
        session.add(
            Credential(
                name="Main",
                business_id="1000000000000001",
                waba_id=WABA_ID,
                phone_number_id="301",
                token_ciphertext="not a real ciphertext",
                token_last4="ABCD",
                token_fingerprint="main",
                token_state="invalid",
                token_problem="Meta revoked the session.",
            )
        )
        session.commit()


def _home() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["signed_in_actor"] = Actor(email="ops@example.com", role="viewer")
    return at


def _attention(at: AppTest) -> list[str]:
    return [_read(m.value) for m in at.markdown if m.value.startswith(("⛔", "🟠", "🟡"))]


def _read(markdown: str) -> str:
    """What the operator reads: escapes undone, bold marks gone."""
    return seen(markdown.replace("**", ""))


def test_the_fleet_is_listed_worst_first_by_the_health_model(recorded: None) -> None:
    at = _home().run()
    assert not at.exception
    phone, fleet = (frame.value for frame in at.dataframe)
    assert list(fleet["Number"]) == [
        "⛔ Lucky Shrub +1 415-555-0104",  # green and connected, yet blocked: once listed among the healthy
        "🟠 Jasper's Ice Cream +1 631-555-0102",
        "🟡 Jasper's Market +1 631-555-0101",
        "✅ Store 304 +1 555-555-0304",
    ]
    assert list(fleet["Can send"]) == ["Blocked", "Can send", "Can send", "Can send"]
    assert list(fleet["Status"]) == ["Connected"] * 4
    assert list(fleet["Quality"]) == ["🟢 Green · high", "🔴 Red · low", "🟡 Yellow · medium", "🟢 Green · high"]
    assert list(fleet["Customers a day"]) == ["10,000"] * 4
    assert list(fleet["Throughput"]) == ["80/s"] * 4
    assert not any("TIER_" in str(value) for value in fleet.to_numpy().ravel())
    strips = list(fleet["Last 14 days"])
    assert strips[0].startswith("▫️" * 10 + "🟩") and strips[0].endswith("🟥")
    assert strips[1] == "▫️" * 10 + "🟧" * 4
    assert strips[2].startswith("▫️" * 10 + "🟩") and strips[2].endswith("🟨")
    assert strips[3].startswith("▫️" * 10 + "🟧")
    assert fleet["Details"].iloc[0] == "Phone_number?number=303"
    # The phone's table keeps the essentials: the number with its health, whether it can send, its page.
    assert list(phone.columns) == ["Number", "Can send", "Details"]
    assert phone.equals(fleet[["Number", "Can send", "Details"]])


def test_every_number_of_needs_attention_links_to_its_page(recorded: None) -> None:
    at = _home().run()
    links = [link.proto for link in at.main.get("page_link") if link.proto.label == "Open its page"]
    # Jasper's Ice Cream and Jasper's Market; the WABA's cause and the token name no single number.
    assert [link.query_string for link in links] == ["number=302", "number=301"]
    assert all(link.page.endswith("5_Phone_number.py") or link.page == "Phone_number" for link in links)


def test_needs_attention_has_one_entry_per_cause_with_metas_words_and_what_to_do(recorded: None) -> None:
    at = _home().run()
    items = _attention(at)
    assert len(items) == 4
    waba = items[0]
    assert waba.startswith("⛔ WhatsApp Business Account Jasper's Market cannot send messages (Meta error 141006)")
    assert "Numbers: Lucky Shrub +1 415-555-0104" in waba
    assert "Meta says: “There is an error with the payment method." in waba
    assert "What to do: Add a valid payment method in WhatsApp Manager." in waba
    assert " · since " in waba
    assert items[1].startswith("⛔ The token of API credential “Main” (••••ABCD) is invalid")
    assert "Meta says: “Meta revoked the session.”" in items[1]
    assert items[2].startswith("🟠 Jasper's Ice Cream +1 631-555-0102 has low quality (red)")
    assert items[3].startswith("🟡 Jasper's Market +1 631-555-0101 has medium quality (yellow)")
    assert not [item for item in items if "Store 304" in item]  # recovered: not a current problem


def test_a_problem_that_recovered_moves_to_the_recovered_list(recorded: None) -> None:
    at = _home().run()
    recovered = [e for e in at.expander if e.label.startswith("Recovered in the last 7 days")]
    assert [e.label for e in recovered] == ["Recovered in the last 7 days (1)"]
    lines = [_read(m.value) for m in recovered[0].markdown]
    assert len(lines) == 1 and lines[0].startswith("- ✅ Store 304 +1 555-555-0304 can send only with limits")


def test_portfolio_limits_are_shown_per_portfolio_with_its_number_count(recorded: None) -> None:
    at = _home().run()
    portfolio = [_read(m.value) for m in at.markdown if "10,000 customers a day" in _read(m.value)]
    assert portfolio == ["Jasper's Market: 10,000 customers a day · 4 numbers"]


def test_the_counts_at_the_top_say_how_many_numbers_are_at_each_severity(recorded: None) -> None:
    at = _home().run()
    assert _read(at.markdown[0].value) == "4 numbers: ⛔ 1 blocked · 🟠 1 at risk · 🟡 1 to watch · ✅ 1 OK"


def _fleet_column(at: AppTest) -> list[str]:
    return list(at.dataframe[1].value["Number"])


def test_the_search_finds_numbers_by_digits_or_name_and_the_url_keeps_it(recorded: None) -> None:
    at = _home().run()
    at.text_input(key="fleet_search").set_value("631 555-01").run()
    assert _fleet_column(at) == ["🟠 Jasper's Ice Cream +1 631-555-0102", "🟡 Jasper's Market +1 631-555-0101"]
    assert at.query_params["q"] == "631 555-01"
    at.text_input(key="fleet_search").set_value("lucky").run()
    assert _fleet_column(at) == ["⛔ Lucky Shrub +1 415-555-0104"]
    at.text_input(key="fleet_search").set_value("nobody at all").run()
    assert not at.exception and at.info[-1].value == "No number matches this search and these filters."


def test_the_health_filter_shows_only_those_numbers(recorded: None) -> None:
    at = _home().run()
    at.multiselect(key="fleet_severities").set_value([Severity.OK, Severity.WATCH]).run()
    assert _fleet_column(at) == ["🟡 Jasper's Market +1 631-555-0101", "✅ Store 304 +1 555-555-0304"]
    assert at.query_params["severity"] == "watch,ok"
    at.multiselect(key="fleet_statuses").set_value(["CONNECTED"]).run()
    assert len(_fleet_column(at)) == 2 and at.query_params["status"] == "CONNECTED"


def test_a_link_reopens_the_view_it_was_copied_from(recorded: None) -> None:
    at = _home()
    at.query_params.update({"q": "jasper", "severity": "at_risk"})
    at.run()
    assert not at.exception
    assert _fleet_column(at) == ["🟠 Jasper's Ice Cream +1 631-555-0102"]
    assert at.text_input(key="fleet_search").value == "jasper"


def test_a_link_with_words_the_console_does_not_know_says_so_and_shows_the_fleet(recorded: None) -> None:
    at = _home()
    at.query_params.update({"severity": "purple", "page": "two", "business": "nowhere"})
    at.run()
    assert not at.exception
    warnings = [_read(w.value) for w in at.warning]
    assert "Unknown health “purple” in the link, left out." in warnings
    assert "“two” is not a page number; showing the first page." in warnings
    assert any("business portfolio in the link" in w for w in warnings)
    assert len(_fleet_column(at)) == 4


def test_the_pager_shows_one_page_at_a_time(console_env: dict[str, str]) -> None:
    polls = [number(f"{i:04d}", "YELLOW" if i % 10 == 0 else "GREEN") for i in range(1, 121)]
    with Session(open_store()) as session:
        record(session, every_poll(NOW - timedelta(hours=2), NOW, *polls), poll_interval_s=HOUR_S)
    at = _home().run()
    assert len(_fleet_column(at)) == 50
    assert "Page 1 of 3 · 120 numbers" in [c.value for c in at.caption]
    assert _fleet_column(at)[:12] == [f"🟡 Store {i:04d} +1 555-555-{i:04d}" for i in range(10, 121, 10)]
    at.number_input(key="fleet_page").set_value(3).run()
    assert len(_fleet_column(at)) == 20 and at.query_params["page"] == "3"
    assert _fleet_column(at)[-1] == "✅ Store 0119 +1 555-555-0119"
    at.text_input(key="fleet_search").set_value("Store 00").run()  # a new search starts on its first page
    assert at.number_input(key="fleet_page").value == 1 and len(_fleet_column(at)) == 50


def test_the_home_page_links_to_every_page_a_viewer_may_open(recorded: None) -> None:
    at = _home().run()
    pages = {
        path.stem.split("_", 1)[1].replace("_", " ") for path in (Path(__file__).parents[1] / "pages").glob("[0-9]*.py")
    }
    in_main = {link.proto.label for link in at.main.get("page_link")} - {"Open its page"}
    in_sidebar = {link.proto.label for link in at.sidebar.get("page_link")}
    assert in_main == pages - {"Audit log", "Webhooks"}
    assert in_sidebar == in_main | {"Overview", "No open alerts"}  # and the open-alert count, linking to Alerts


def test_an_empty_store_says_how_to_start(console_env: dict[str, str]) -> None:
    at = _home().run()
    assert not at.exception
    assert at.info[0].value.startswith("No phone numbers are monitored yet.")
    assert not at.dataframe
    assert not [i for i in at.info if "Demo mode" in i.value]


def test_demo_mode_says_it_runs_on_the_simulator_and_names_the_demo_tokens(
    console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    use_shared_demo_store(monkeypatch, tmp_path_factory)
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    banner = at.info[0].value
    assert "built-in Graph API simulator" in banner and "demo data" in banner
    assert "signed in automatically as the demo admin" in banner
    for token in ("EAADEMOTOKEN", "EAADEMOEXPIRED", "EAADEMONOPERM", "EAADEMOREVOKED"):
        assert token in banner


def test_a_first_visit_in_demo_mode_shows_every_severity_worst_first(
    console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    use_shared_demo_store(monkeypatch, tmp_path_factory)
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    fleet = at.dataframe[1].value
    assert len(fleet) == 8
    icons = [label.split(" ")[0] for label in fleet["Number"]]
    assert icons == sorted(icons, key=[s.icon for s in Severity].index)
    assert {Severity.BLOCKED.icon, Severity.AT_RISK.icon, Severity.OK.icon} <= set(icons)
    assert {"⛔ Lucky Shrub +1 415-555-0104", "⛔ Aurora Bakehouse +1 212-555-0108"} <= set(fleet["Number"])
    assert all(len(strip.replace("▫️", "▫")) == 14 for strip in fleet["Last 14 days"])
    items = _attention(at)
    lucky = next(item for item in items if item.startswith("⛔ WhatsApp Business Account Lucky Shrub"))
    assert "Lucky Shrub Garden Center +1 415-555-0105" in lucky and "141006" in lucky
    assert any(item.startswith("⛔ Aurora Bakehouse +1 212-555-0108") for item in items)  # disconnected
    assert any(item.startswith("🟠 Aurora Coffee Deliveries +1 212-555-0107") for item in items)  # limited
    assert len({item.split(" ·")[0] for item in items}) == len(items)  # one entry per cause
    recovered = next(e for e in at.expander if e.label.startswith("Recovered in the last 7 days"))
    assert any("Jasper's Market +1 631-555-0101" in _read(m.value) for m in recovered.markdown)


def test_templates_in_trouble_are_counted_with_a_link_to_the_templates_page(recorded: None) -> None:
    at = _home().run()
    assert not any(_read(m.value).startswith("Message templates:") for m in at.markdown)
    with Session(open_store()) as session:
        for template_id, status, severity in (("1", "PAUSED", Severity.BLOCKED), ("2", "REJECTED", Severity.AT_RISK)):
            session.add(
                MessageTemplate(
                    id=template_id, waba_id=WABA_ID, name=f"offer_{template_id}", language="en_US", status=status,
                    severity=int(severity),
                )
            )  # fmt: skip
        session.commit()
    at.run()
    assert "Message templates: ⛔ 1 paused or disabled · 🟠 1 at risk (rejected or low quality)" in [
        _read(m.value) for m in at.markdown
    ]


def test_needs_attention_lists_a_bounded_number_of_entries_and_counts_the_numbers_of_the_rest(
    console_env: dict[str, str],
) -> None:
    def red(w: int, per_waba: int, _banned: bool) -> list[PhoneNumberHealth]:
        return [number(number_id(w, n), "RED") for n in range(per_waba)]

    with Session(open_store()) as session:
        build_fleet(session, wabas=8, per_waba=5, numbers_of=red, at=NOW - timedelta(hours=1))
    at = _home().run()
    assert not at.exception
    # 40 numbers of low quality, one entry each: 8 on the page, 16 more under "16 more", and the last 16 counted.
    assert len(_attention(at)) == 8 + 16
    assert [e.label for e in at.expander] == ["16 more"]
    assert "16 more numbers need attention." in [c.value for c in at.caption]
    (show,) = [b for b in at.button if b.label == "Show every number that needs attention"]
    show.click().run()
    assert at.query_params["severity"] and len(_fleet_column(at)) == 40
