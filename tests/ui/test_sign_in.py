from sqlmodel import Session, col, delete
from streamlit.testing.v1 import AppTest

from services.access import throttle, users
from services.runtime import open_store
from services.store.models import ConsoleUser, SignInThrottle

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


def _signed_in(page: str, email: str) -> AppTest:
    at = AppTest.from_file(f"../../{page}", default_timeout=30).run()
    at.text_input[0].input(email)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def test_a_demoted_admin_loses_admin_rights_in_the_open_tab_at_the_next_run(console_env: dict[str, str]) -> None:
    # Once: the actor was cached in session state and never read again.
    _add("lead@example.com", "admin")
    at = _signed_in(PAGE, "lead@example.com")
    assert "Signed in as lead@example.com · admin" in [c.value for c in at.sidebar.caption]
    with Session(open_store()) as session:
        user = session.get(ConsoleUser, "lead@example.com")
        assert user is not None
        user.role = "viewer"  # as another admin's edit, or a direct change in the store, would leave it
        session.add(user)
        session.commit()
    at.run()
    assert "Signed in as lead@example.com · viewer" in [c.value for c in at.sidebar.caption]
    assert "Only admins can read the audit log." in [i.value for i in at.info] and not at.dataframe


def test_a_password_change_signs_the_open_tab_out(console_env: dict[str, str]) -> None:
    _add("lead@example.com", "admin")
    at = _signed_in(PAGE, "lead@example.com")
    _add("lead@example.com", "admin")  # the password reset on the server revokes every session
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert at.info[0].value.startswith("Your session ended")


def test_sign_out_leaves_nothing_for_the_next_person_on_the_tab(console_env: dict[str, str]) -> None:
    # Once: an admin half-way through "Create new API credentials" signed out, a viewer signed in on the same tab
    # and got the admin's flow, the admin's token in the password field.
    _add("lead@example.com", "admin")
    _add("viewer@example.com", "viewer")
    at = _signed_in("pages/1_API_credentials.py", "lead@example.com")
    at.session_state["cred_step"] = 2
    at.session_state["credform_token"] = "EAADEMOTOKEN-of-the-admin"
    at.session_state["cred_token"] = "EAADEMOTOKEN-of-the-admin"
    [sign_out] = [b for b in at.sidebar.button if b.label == "Sign out"]
    sign_out.click().run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert not [key for key in at.session_state if str(key).startswith(("cred", "signed_in"))]
    at.text_input[0].input("viewer@example.com")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert "Signed in as viewer@example.com · viewer" in [c.value for c in at.sidebar.caption]
    assert "EAADEMOTOKEN-of-the-admin" not in str([w.value for w in at.text_input])
    assert "cred_step" not in at.session_state


def test_the_form_slows_repeated_failures_down_with_one_sentence_for_real_and_unknown_emails(
    console_env: dict[str, str],
) -> None:
    # Once: five wrong passwords locked the real account for 15 minutes and the lock message revealed it existed.
    _add("lead@example.com", "admin")
    said = {}
    for email in ("lead@example.com", "ghost@example.com"):
        at = AppTest.from_file(f"../../{PAGE}", default_timeout=30).run()
        for _ in range(5):
            at.text_input[0].input(email)
            at.text_input[1].input("not the password")
            at.button[0].click().run()
        said[email] = at.error[0].value
        with Session(open_store()) as session:
            for key in throttle.keys_for(email=email, client=""):
                session.exec(delete(SignInThrottle).where(col(SignInThrottle.key) == key))  # type: ignore[call-overload]
            session.commit()
    assert said["lead@example.com"] == said["ghost@example.com"]
    assert said["lead@example.com"].startswith("Too many sign-in attempts; wait ")
    # Once the wait is over, the owner signs in at once: there is no lock to sit out.
    at = _signed_in(PAGE, "lead@example.com")
    assert "Signed in as lead@example.com · admin" in [c.value for c in at.sidebar.caption]
