"""Shared set-up for the channel configuration tests: a token the simulator knows, and a stored credential."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.access.roles import DEMO_ADMIN, Actor
from services.access.vault import TokenVault, load_vault
from services.configurations import background
from services.configurations.fields import ConfigurationInput
from services.configurations.records import processing_ids
from services.credentials import lifecycle as credentials
from services.graph.client import GraphClient
from services.graph.connection import build_graph_client
from services.runtime import open_store
from services.settings import load_settings
from services.simulator import Simulator
from tests.markdown import seen

# A token of our own that never expires, so the checks do not depend on the day the suite runs.
TOKEN = "EAACONFIGURATIONTEST0001"
JASPERS, AURORA = "1000000000000001", "1000000000000002"
JASPERS_WABA, LUCKY_SHRUB_WABA, AURORA_WABA = "2000000000000011", "2000000000000012", "2000000000000021"
JASPERS_MARKET, JASPERS_ICE_CREAM, LUCKY_SHRUB, AURORA_COFFEE = (
    "3000000000000101",
    "3000000000000102",
    "3000000000000104",
    "3000000000000106",
)


def register_token(simulator: Simulator, token: str = TOKEN) -> str:
    simulator.register_token(token, state="valid", business_ids=[JASPERS, AURORA])
    return token


def connect_credential(
    *,
    engine: Engine,
    graph: GraphClient,
    vault: TokenVault,
    at: datetime,
    token: str = TOKEN,
    business_id: str = JASPERS,
    waba_id: str = JASPERS_WABA,
    phone_number_id: str = JASPERS_MARKET,
    name: str | None = None,
) -> int:
    """Store a credential through the credentials service, as an operator would; its ID."""
    with Session(engine) as session:
        credential = credentials.connect(
            session=session,
            graph=graph,
            vault=vault,
            actor=DEMO_ADMIN,
            token=token,
            business_id=business_id,
            waba_id=waba_id,
            phone_number_id=phone_number_id,
            name=name,
            at=at,
        )
        assert credential.id is not None
        return credential.id


def complete(credential_id: int, **overrides: object) -> ConfigurationInput:
    """Values that pass every check with the credential of Jasper's Market."""
    values: dict[str, object] = {
        "name": "Jaspers-promotions",
        "description": "Weekly offers",
        "marketing_action": "whatsappMarketing",
        "credential_id": credential_id,
        "sender_phone_number_id": JASPERS_MARKET,
    }
    return ConfigurationInput.from_dict(values | overrides)


# --- the page under AppTest ------------------------------------------------------------------------------------

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "2_Channel_configurations.py")
ADMIN = Actor(email="ops-admin@example.com", role="admin")
_CHIP = re.compile(r"^\*\*(?P<name>.+?)\*\* :[a-z]+-badge\[(?P<status>[A-Za-z]+)\]")


@dataclass(frozen=True)
class PageWorld:
    """The stores and clients a page test shares with the page (same database file, same simulator, same key)."""

    engine: Engine
    graph: GraphClient
    vault: TokenVault
    simulator: Simulator
    credential_id: int


# Checks handed to a worker wait here until the test settles them: the click's own run then always shows them
# Processing, and the run after them says how they ended, however fast the worker is.
_SETTLING = threading.Event()


def _held(run: Callable[..., Any]) -> Callable[..., Any]:
    def held(**kwargs: Any) -> Any:
        _SETTLING.wait(30)
        return run(**kwargs)

    return held


def page_world(simulator: Simulator, simulator_url: str, monkeypatch: pytest.MonkeyPatch) -> PageWorld:
    """Point the console (console_env) at the simulator over HTTP and store one credential of Jasper's Market;
    checks the page starts wait for `settled`."""
    _SETTLING.clear()
    monkeypatch.setattr(background, "run_checks", _held(background.run_checks))
    monkeypatch.setenv("GRAPH_API_URL", simulator_url)
    register_token(simulator)
    settings = load_settings()
    engine, vault = open_store(settings), load_vault(settings)
    graph = build_graph_client(simulator_url, version=settings.graph_api_version, sleep=lambda _s: None)
    credential_id = connect_credential(engine=engine, graph=graph, vault=vault, at=simulator.now())
    return PageWorld(engine, graph, vault, simulator, credential_id)


def open_page(actor: Actor = ADMIN) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["signed_in_actor"] = actor
    return at.run()


def fill(at: AppTest, **values: object) -> AppTest:
    """Type into the open form (credential first, so the sender list follows it), then run."""
    keys = {
        "name": "cc_name",
        "description": "cc_description",
        "marketing_action": "cc_marketing_action",
        "credential_id": "cc_credential",
        "sender_phone_number_id": "cc_sender",
    }
    if "credential_id" in values:
        at.selectbox(key="cc_credential").set_value(values.pop("credential_id")).run()
    for field, value in values.items():
        widget = at.get_by_key(keys[field])
        widget.set_value(value)  # type: ignore[union-attr]
    return at.run()


def chips(at: AppTest) -> dict[str, str]:
    """Each listed configuration's name and status word, as the list shows them."""
    found = (_CHIP.match(str(m.value)) for m in at.markdown)
    return {seen(match["name"]): match["status"] for match in found if match}


def texts(at: AppTest) -> str:
    """Everything the page wrote, as one string (for sentences that must appear somewhere)."""
    parts = [*at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error]
    return "\n".join(seen(str(part.value)) for part in parts)


def settled(at: AppTest, engine: Engine, timeout: float = 30) -> AppTest:
    """Wait until no configuration is Processing in the store (the workers are done), then rerun the page,
    as its store watch does in a browser (AppTest does not tick `run_every`)."""
    deadline = time.monotonic() + timeout
    _SETTLING.set()
    while True:
        with Session(engine) as session:
            if not processing_ids(session=session):
                break
        assert time.monotonic() < deadline, "the checks did not finish"
        time.sleep(0.05)
    _SETTLING.clear()
    return at.run()


def checks_shown(at: AppTest) -> list[str]:
    """The lines of the one card's stored checks, as the operator reads them."""
    (box,) = [e for e in at.expander if str(e.label).startswith("Checks: ")]
    return [seen(str(line.value)) for line in box.markdown]
