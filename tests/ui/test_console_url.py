"""The console's own address: where the demo's simulator posts (Streamlit's server.port, or CONSOLE_BASE_URL)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _own_url(base_url: str | None) -> str:
    def script(base_url: str | None) -> None:
        import streamlit as st

        from services.runtime import Console
        from services.settings import Settings
        from ui.console_url import browser_origin, own_url

        settings = Settings("sqlite://", "demo", "v24.0", None, 300, data_dir=".", console_base_url=base_url)  # type: ignore[arg-type]
        console = Console(settings=settings, engine=None, graph=None, vault=None, clock=None)  # type: ignore[arg-type]
        st.write(own_url(console))
        st.write(f"origin: {browser_origin()}")

    at = AppTest.from_function(script, kwargs={"base_url": base_url}).run()
    assert not at.exception
    assert at.markdown[1].value == "origin: None"  # AppTest has no browser and no request headers
    return at.markdown[0].value


def test_the_demo_posts_to_this_server_on_streamlits_port_unless_a_base_url_is_set() -> None:
    assert _own_url(None) == "http://127.0.0.1:8501"
    assert _own_url("https://console.example.com") == "https://console.example.com"
