"""The API token never appears: not in the database, not in the logs, not on the page (the password field aside)."""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.proto.TextInput_pb2 import TextInput as TextInputProto
from streamlit.testing.v1 import AppTest

from services.access.roles import Actor
from services.store.types import utcnow
from tests.fixtures.simulator import ServedSimulator

PAGE = "../../pages/1_API_credentials.py"
SECRET = "EAASECRETNEVERSHOWNZX81QK"
ROTATED = "EAAROTATEDSECRETNEVERSHOWN5T"
JASPERS = "1000000000000001"


def _rendered(at: AppTest) -> list[str]:
    """Every element's proto and value, except what a password field holds (a password field may show it)."""
    found: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        password = getattr(node, "type", "") == "text_input" and proto.type == TextInputProto.PASSWORD  # type: ignore[union-attr]
        if proto is not None and not password:
            found.append(str(proto))
            found.append(repr(getattr(node, "value", "")))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def _button(at: AppTest, label: str):  # noqa: ANN202
    [button] = [b for b in at.button if b.label == label]
    return button


def _files(database: Path) -> bytes:
    return b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))


def test_the_token_never_appears(
    console_env: dict[str, str],
    graph_simulator: ServedSimulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("GRAPH_API_URL", graph_simulator.url)
    expires = utcnow() + timedelta(days=400)
    for token in (SECRET, ROTATED):
        graph_simulator.simulator.register_token(token, state="valid", business_ids=[JASPERS], expires_at=expires)
    caplog.set_level(logging.DEBUG)
    screens: list[str] = []

    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["signed_in_actor"] = Actor(email="ops@example.com", role="admin")
    at.run()
    _button(at, "Create new API credentials").click().run()
    at.text_input(key="credform_token").input(SECRET)
    at.text_input(key="credform_business_id").input("not-digits")
    _button(at, "Continue").click().run()  # a refused attempt: the sentence must not quote the input
    screens += _rendered(at)
    at.text_input(key="credform_business_id").input(JASPERS)
    _button(at, "Continue").click().run()
    screens += _rendered(at)
    address = repr(dict(at.query_params))  # the step and the choices are in the address; never the token
    _button(at, "Submit").click().run()
    screens += _rendered(at)
    _button(at, "Re-validate").click().run()
    screens += _rendered(at)
    _button(at, "Replace token").click().run()
    at.text_input(key="credform_new_token").input(ROTATED)
    at.button(key="cred_rotate_confirm").click().run()
    screens += _rendered(at)
    assert not at.exception
    assert "now uses the token ••••WN5T" in at.success[0].value  # the flow really ran to the end

    for token in (SECRET, ROTATED):
        assert not [s for s in screens if token in s], "a rendered element shows the token"
        assert token not in address and token[-4:] not in address, "the address holds the token"
        assert f"••••{token[-4:]}" in "".join(screens), "its last four characters are what the page shows"
        database = Path(console_env["DATABASE_URL"].removeprefix("sqlite:///"))
        assert token.encode() not in _files(database), "the database file holds the token in clear"
        records = [r for r in caplog.records if token in f"{r.getMessage()} {r.args!r} {r.exc_text or ''}"]
        assert not records, f"log records hold the token: {[r.getMessage() for r in records]}"
        assert not [k for k in at.session_state if token in repr(at.session_state[k])], "the token stays in state"
    assert any("debug_token" in r.getMessage() for r in caplog.records), "the Graph calls were logged (and redacted)"
