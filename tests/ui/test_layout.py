from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("page", ["app.py", "pages/1_API_credentials.py", "pages/3_Monitoring.py"])
def test_outside_demo_mode_a_missing_secret_key_stops_the_console_with_a_sentence(
    console_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.delenv("CONSOLE_SECRET_KEY")
    at = AppTest.from_file(str(ROOT / page), default_timeout=30).run()
    assert not at.exception
    assert at.error[0].value.startswith("The console cannot start: CONSOLE_SECRET_KEY is required")
    assert "Fernet.generate_key()" in at.error[0].value
    assert not at.button and not at.text_input
