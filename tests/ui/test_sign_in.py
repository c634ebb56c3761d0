from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services.access import users
from services.runtime import open_store

PAGE = "pages/4_Audit_log.py"
PASSWORD = "correct horse battery"


def _add(email: str, role: str) -> None:
    with Session(open_store()) as session:
        users.add_user(session=session, email=email, role=role, password=PASSWORD)


def test_with_no_accounts_the_console_only_says_how_to_create_the_first_admin(console_env: dict[str, str]) -> None:
    at = AppTest.from_file(f"../../{PAGE}", default_timeout=30).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Set up the console"]
    assert "python -m services.users add you@example.com --role admin" in at.info[0].value
    assert not at.dataframe and not at.selectbox and not at.text_input


def test_sign_in_form_signs_in_and_shows_the_page(console_env: dict[str, str]) -> None:
    _add("lead@example.com", "admin")
    at = AppTest.from_file(f"../../{PAGE}", default_timeout=30).run()
    assert [t.label for t in at.text_input] == ["Email", "Password"]
    at.text_input[0].input("lead@example.com")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert "Audit log" in [t.value for t in at.title]
    assert "Signed in as lead@example.com · admin" in [c.value for c in at.sidebar.caption]


def test_a_wrong_password_keeps_the_form_and_says_so(console_env: dict[str, str]) -> None:
    _add("lead@example.com", "admin")
    at = AppTest.from_file(f"../../{PAGE}", default_timeout=30).run()
    at.text_input[0].input("lead@example.com")
    at.text_input[1].input("not the password")
    at.button[0].click().run()
    assert at.error[0].value == "That email and password do not match an account."
    assert at.text_input[0].value == "lead@example.com"
