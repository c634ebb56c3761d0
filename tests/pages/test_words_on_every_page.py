"""Every page of the demo, read as an operator reads it: Meta's values in words, one date format everywhere.

Each page runs on the shared demo store (35 days of history, every severity). All the text it renders is
collected (titles, Markdown, captions, alerts, metrics, widget labels and options, table headers and cells,
chart titles, axes, legends, hover and labels) and searched for raw enum values of Meta and for dates in any
format but the console's one ('2 Dec 2026', '2 Dec 2026, 14:05 CET').
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from services.health import history, periods
from services.moments import COLUMN_FORMAT
from services.runtime import open_store
from services.store.models import PhoneNumber
from tests.demo_store import use_shared_demo_store
from tests.markdown import seen

PAGES = [
    "../../app.py",
    "../../pages/1_API_credentials.py",
    "../../pages/2_Channel_configurations.py",
    "../../pages/3_Monitoring.py",
    "../../pages/4_Audit_log.py",
    "../../pages/6_Webhooks.py",
    "../../pages/7_Alerts.py",
]
NUMBER_PAGE = "../../pages/5_Phone_number.py"
# Meta's values as the Graph API spells them; a screen says them in words (services/health/vocabulary.py).
RAW_ENUM = re.compile(
    r"\b(TIER_\w+|UNTIERED|NOT_APPLICABLE|CONNECTED|DISCONNECTED|RESTRICTED|RATE_LIMITED|FLAGGED|BANNED|"
    r"MIGRATED|DELETED|UNVERIFIED|OFFLINE|PENDING_REVIEW|AVAILABLE_WITHOUT_REVIEW|AVAILABLE|LIMITED|BLOCKED|"
    r"UNKNOWN|GREEN|YELLOW|RED|STANDARD|HIGH|APPROVED|DECLINED|EXPIRED|REJECTED|PHONE_NUMBER|WABA_ID)\b"
)
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
# A month that is not '2 Dec 2026' (with an optional ', 14:05' and zone), an ISO date, or a numeric date.
OTHER_DATES = re.compile(
    rf"\b\d{{1,2}} {MONTH}\b(?! \d{{4}}\b)|\b{MONTH} \d{{1,2}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
)
PLOTLY_TEXT_KEYS = {"text", "name", "hovertext", "ticktext", "title", "hovertemplate"}


def _plotly_strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in PLOTLY_TEXT_KEYS:
                if isinstance(value, str):
                    yield value
                elif isinstance(value, list):
                    yield from (v for v in value if isinstance(v, str))
                elif isinstance(value, dict) and isinstance(value.get("text"), str):
                    yield value["text"]
            elif key in {"annotations"}:
                yield from (a.get("text", "") for a in value if isinstance(a, dict))
            else:
                yield from _plotly_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _plotly_strings(item)


def _datetime_formats(element: Any) -> list[str]:
    config = json.loads(element.proto.columns or "{}")
    return [
        column.get("type_config", {}).get("format", "")
        for column in config.values()
        if column.get("type_config", {}).get("type") == "datetime"
    ]


def rendered(at: AppTest) -> tuple[list[str], list[str]]:
    """(every string the page shows, every DatetimeColumn format it uses)."""
    texts: list[str] = []
    formats: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        texts += [seen(e.value) for e in getattr(at, kind)]
    texts += [e.label for e in at.expander] + [e.label for e in at.tabs]
    for metric in at.metric:
        texts += [metric.label, str(metric.value)]
    for widget in (*at.selectbox, *at.multiselect):
        texts.append(widget.label)
        texts += [str(option) for option in widget.options]
    for widget in (*at.button, *at.text_input, *at.text_area, *at.toggle, *at.checkbox, *at.radio):
        texts.append(widget.label)
    for link in at.get("page_link"):
        texts.append(link.proto.label)
    for frame in at.dataframe:
        value: pd.DataFrame = frame.value
        texts += [str(column) for column in value.columns]
        for column in value.columns:
            cells = [str(v) for v in value[column] if isinstance(v, str)]
            texts += [c for c in cells if not c.startswith(("Phone_number?", "Monitoring?", "Templates?", "http"))]
        formats += _datetime_formats(frame)
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        texts += list(_plotly_strings(figure.get("layout", {})))
        texts += list(_plotly_strings(figure.get("data", [])))
    return texts, formats


def _problems(texts: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"raw enum": [], "snake_case": [], "other date format": []}
    for text in texts:
        # Tags and hover placeholders are Plotly's, link targets are URLs, `code` is a literal to type (a token,
        # a permission's name): none of these is read as a sentence.
        plain = re.sub(r"<[^>]+>|%\{[^}]*\}|\(https?://[^)]*\)|\([A-Za-z_]+\?[^)]*\)|`[^`]*`", "", text)
        found["raw enum"] += [f"{m.group(0)!r} in {text[:90]!r}" for m in RAW_ENUM.finditer(plain)]
        found["snake_case"] += [f"{m.group(0)!r} in {text[:90]!r}" for m in SNAKE_CASE.finditer(plain)]
        found["other date format"] += [f"{m.group(0)!r} in {text[:90]!r}" for m in OTHER_DATES.finditer(plain)]
    return {kind: hits for kind, hits in found.items() if hits}


@pytest.fixture
def demo(
    console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    use_shared_demo_store(monkeypatch, tmp_path_factory)


def _run(path: str, **query: str) -> AppTest:
    at = AppTest.from_file(path, default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, f"{path}: {at.exception}"
    return at


def _without_template_names(texts: list[str]) -> list[str]:
    """Template names are the business's own (spring_sale): they show as typed, and are not the console's words."""
    from services.store.models import MessageTemplate

    with Session(open_store()) as session:
        names = sorted(set(session.exec(select(MessageTemplate.name))), key=len, reverse=True)
    for name in names:
        texts = [text.replace(name, "").replace(name.replace("_", "\\_"), "") for text in texts]
    return texts


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.rsplit("/", 1)[-1])
def test_every_page_speaks_words_and_one_date_format(demo: None, path: str) -> None:
    texts, formats = rendered(_run(path))
    assert texts, "the page rendered nothing to read"
    assert _problems(_without_template_names(texts)) == {}
    assert set(formats) <= {COLUMN_FORMAT}


def test_every_numbers_page_speaks_words_and_one_date_format(demo: None) -> None:
    with Session(open_store()) as session:
        ids = list(session.exec(select(PhoneNumber.id)))
    assert len(ids) >= 8
    for number_id in ids:
        texts, formats = rendered(_run(NUMBER_PAGE, number=number_id))
        assert _problems(_without_template_names(texts)) == {}, number_id
        assert set(formats) <= {COLUMN_FORMAT}


def test_the_checker_finds_what_it_looks_for() -> None:
    """The searches themselves: each kind of slip is caught, the console's own format is not."""
    assert _problems(["Limit TIER_250", "status CONNECTED", "gap_after", "2026-11-02 05:55", "20 Nov at 14:05"]) == {
        "raw enum": ["'TIER_250' in 'Limit TIER_250'", "'CONNECTED' in 'status CONNECTED'"],
        "snake_case": ["'gap_after' in 'gap_after'"],
        "other date format": ["'2026-11-02' in '2026-11-02 05:55'", "'20 Nov' in '20 Nov at 14:05'"],
    }
    assert _problems(["Connected since 2 Dec 2026, 14:05 CET", "Green · high", "Red · low (red)"]) == {}


def test_the_history_csv_headers_and_values_are_words(demo: None) -> None:
    """The CSV the monitoring page offers: its headers and every text cell, for every demo number."""
    with Session(open_store()) as session:
        ids = list(session.exec(select(PhoneNumber.id)))
        end = datetime.now(UTC)
        start = end - timedelta(days=35)
        found = history.stretches(
            history.read(session=session, phone_number_ids=ids, start=start, end=end), start=start, end=end
        )
    frame = pd.read_csv(io.StringIO(periods.csv_text(periods.table(found, labels={}, tz=UTC))), dtype=str)
    assert len(frame) >= len(ids)
    texts = [str(c) for c in frame.columns]
    for column in frame.columns:
        if column not in {"From", "To", "Phone number ID", "Number"}:  # times are ISO 8601 for machines, by design
            texts += list(frame[column].dropna())
    assert _problems(texts) == {}


TEMPLATES_PAGE = "../../pages/8_Templates.py"


@pytest.fixture
def demo_templates(console_env: dict[str, str]) -> list[tuple[str, str]]:
    """The simulator's demo templates polled for 35 days into a store of this test's own: (id, name) of each."""
    from services.simulator import Simulator
    from services.store.models import MessageTemplate, WhatsAppBusinessAccount
    from services.templates.demo_fill import fill_demo_templates

    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with Session(open_store()) as session:
        for waba_id in ("2000000000000011", "2000000000000012", "2000000000000021"):
            session.add(WhatsAppBusinessAccount(id=waba_id, name=f"Business {waba_id[-2:]}"))
        session.flush()
        simulator = Simulator(clock=lambda: now, anchor=now)
        fill_demo_templates(
            session=session, simulator=simulator, start=now - timedelta(days=35), end=now, step=timedelta(hours=2)
        )
        session.commit()
        found = [(t.id, t.name) for t in session.exec(select(MessageTemplate))]
    return found


def _signed_in(path: str, **query: str) -> AppTest:
    from services.access.roles import Actor

    at = AppTest.from_file(path, default_timeout=90)
    at.session_state["signed_in_actor"] = Actor(email="ops@example.com", role="viewer")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, f"{path}: {at.exception}"
    return at


def test_the_templates_page_and_every_templates_view_speak_words(
    demo_templates: list[tuple[str, str]],
) -> None:
    """Template names are the business's own (spring_sale): they show as typed; everything else is words."""
    names = sorted({name for _, name in demo_templates}, key=len, reverse=True)

    def without_names(texts: list[str]) -> list[str]:
        for name in names:
            texts = [text.replace(name, "").replace(name.replace("_", "\\_"), "") for text in texts]
        return texts

    texts, formats = rendered(_signed_in(TEMPLATES_PAGE))
    assert texts and _problems(without_names(texts)) == {}
    assert set(formats) <= {COLUMN_FORMAT}
    for template_id, _ in demo_templates:
        texts, formats = rendered(_signed_in(TEMPLATES_PAGE, template=template_id))
        assert _problems(without_names(texts)) == {}, template_id
        assert set(formats) <= {COLUMN_FORMAT}
