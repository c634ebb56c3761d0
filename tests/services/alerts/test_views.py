"""The Alerts page's queries on SQLite and PostgreSQL: the open count, states, filters, deliveries, the tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from services.alerts import tables, views
from services.store.models import (
    Alert,
    AlertChannel,
    AlertDelivery,
    Credential,
    MessageTemplate,
    PhoneNumber,
    WhatsAppBusinessAccount,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _alert(rule: str, kind: str, subject: str, severity: str = "critical", **more: object) -> Alert:
    return Alert(
        rule=rule,
        subject_kind=kind,
        subject_id=subject,
        subject_name=subject,
        severity=severity,
        title=f"{rule} {subject}",
        opened_at=more.pop("opened_at", T0),
        last_seen_at=T0,
        **more,
    )


def _store(session: Session) -> dict[str, Alert]:
    session.add(WhatsAppBusinessAccount(id="104", name="Aurora", portfolio_id="900", portfolio_name="Aurora Group"))
    session.add(WhatsAppBusinessAccount(id="105", name="Jasper", portfolio_id="901", portfolio_name="Jasper Group"))
    session.flush()
    session.add(PhoneNumber(id="1070", waba_id="104", display_phone_number="+1 212-555-0107"))
    session.flush()
    credential = Credential(
        name="Ops", business_id="900", waba_id="104", phone_number_id="1070", token_ciphertext="x",
        token_last4="abcd", token_fingerprint="f",
    )  # fmt: skip
    session.add(credential)
    session.flush()
    found = {
        "number": _alert("number_cannot_send", "number", "1070"),
        "waba": _alert("waba_banned", "waba", "105", opened_at=T0 + timedelta(minutes=1)),
        "portfolio": _alert(
            "portfolio_limit_lowered", "portfolio", "900", "warning", opened_at=T0 - timedelta(minutes=1)
        ),
        "credential": _alert("token_expiring", "credential", str(credential.id), "warning", state="acknowledged"),
        "console": _alert("poller_silent", "console", "console", "critical", state="resolved", resolved_at=T0),
    }
    session.add_all(found.values())
    channel = AlertChannel(kind="webhook", name="Slack", config_ciphertext="sealed")
    session.add(channel)
    session.flush()
    assert channel.id is not None and found["number"].id is not None
    session.add(
        AlertDelivery(
            alert_id=found["number"].id, channel_id=channel.id, kind="opened", idempotency_key="k", state="failed",
            attempts=9, last_error="Gone", created_at=T0,
        )
    )  # fmt: skip
    session.commit()
    return found


def _titles(found: list[views.AlertView]) -> list[str]:
    return [view.alert.title for view in found]


def test_the_open_count_counts_open_alerts_only(store_session: Session) -> None:
    assert views.open_count(session=store_session) == 0
    _store(store_session)
    assert views.open_count(session=store_session) == 3


def test_states_severities_and_owners_filter_the_alerts(store_session: Session) -> None:
    _store(store_session)
    open_ones = views.alerts(session=store_session, where=views.AlertFilter(states=("open",)))
    assert _titles(open_ones) == ["waba_banned 105", "number_cannot_send 1070", "portfolio_limit_lowered 900"]
    assert [v.number_link for v in open_ones] == [None, "Phone_number?number=1070", None]
    warnings = views.AlertFilter(states=views.STATES, severities=("warning",))
    assert _titles(views.alerts(session=store_session, where=warnings)) == [
        "token_expiring 1",
        "portfolio_limit_lowered 900",
    ]
    aurora = views.AlertFilter(states=views.STATES, waba_id="104")
    assert _titles(views.alerts(session=store_session, where=aurora)) == ["number_cannot_send 1070", "token_expiring 1"]
    group = views.AlertFilter(states=views.STATES, portfolio_id="900")
    assert sorted(_titles(views.alerts(session=store_session, where=group))) == [
        "number_cannot_send 1070",
        "portfolio_limit_lowered 900",
        "token_expiring 1",
    ]
    resolved = views.AlertFilter(states=("resolved",))
    assert _titles(views.alerts(session=store_session, where=resolved)) == ["poller_silent console"]


def test_each_alert_carries_its_deliveries_in_the_log(store_session: Session) -> None:
    _store(store_session)
    found = views.alerts(session=store_session, where=views.AlertFilter(states=("open",)))
    log = tables.deliveries_table(found, views.channel_names(session=store_session), UTC)
    assert log.to_dict("records")[0] | {"Created": None, "Delivered": None} == {
        "Created": None,
        "Alert": "number_cannot_send 1070",
        "Message": "Opened",
        "Channel": "Webhook: Slack",
        "Outcome": "❌ Gave up",
        "Attempts": 9,
        "Delivered": None,
        "Last error": "Gone",
    }
    table = tables.alerts_table(found, UTC)
    assert list(table["Sent"]) == ["No channel", "0 of 1", "No channel"]
    assert list(table["Severity"]) == ["🔴 Critical", "🔴 Critical", "🟠 Warning"]
    assert table["Opened"].iloc[1] == T0


def test_alerts_are_worst_first_then_newest(store_session: Session) -> None:
    _store(store_session)
    newer_warning = _alert("quality_dropped", "number", "1070", "warning", opened_at=T0 + timedelta(hours=5))
    store_session.add(newer_warning)
    store_session.commit()
    open_ones = views.alerts(session=store_session, where=views.AlertFilter(states=("open",)))
    assert _titles(open_ones) == [
        "waba_banned 105",
        "number_cannot_send 1070",
        "quality_dropped 1070",
        "portfolio_limit_lowered 900",
    ]


def test_a_filter_reads_past_the_first_batch_and_stops_at_the_limit(store_session: Session) -> None:
    _store(store_session)
    # More alerts of another WABA than one batch holds, all worse-ranked first: Aurora's lie beyond them.
    store_session.add_all(
        _alert("waba_banned", "waba", f"j{i}", opened_at=T0 + timedelta(hours=1, seconds=i))
        for i in range(views._BATCH + 20)
    )
    store_session.commit()
    aurora = views.AlertFilter(states=views.STATES, waba_id="104")
    assert _titles(views.alerts(session=store_session, where=aurora)) == ["number_cannot_send 1070", "token_expiring 1"]
    assert len(views.alerts(session=store_session, where=views.AlertFilter(), limit=7)) == 7


def test_a_template_alert_belongs_to_its_waba_and_links_to_its_page(store_session: Session) -> None:
    _store(store_session)
    store_session.add(MessageTemplate(id="777", waba_id="104", name="spring_sale", language="en_US", status="PAUSED"))
    store_session.add(_alert("template_paused", "template", "777", opened_at=T0 + timedelta(hours=2)))
    store_session.commit()
    aurora = views.alerts(session=store_session, where=views.AlertFilter(waba_id="104"))
    paused = next(v for v in aurora if v.alert.rule == "template_paused")
    assert (paused.waba_id, paused.portfolio_id, paused.number_link) == ("104", "900", "Templates?template=777")
    assert tables.alerts_table([paused], UTC)["About"].iloc[0] == "Message template 777"
