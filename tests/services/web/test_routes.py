"""`streamlit run app.py` finds the console's ASGI app, so the extra routes share the process with Streamlit."""

from pathlib import Path

from streamlit.web.server.app_discovery import discover_asgi_app

ROOT = Path(__file__).resolve().parents[3]


def test_streamlit_run_serves_app_py_as_an_st_app_with_the_console_routes() -> None:
    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app
    assert found.import_string == "app:app"
