"""Single sign-on (st.login, OIDC): emails map to roles through the [roles] section of the secrets."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "1_API_credentials.py")
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-cookie-secret",
    "client_id": "console",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://accounts.example.com/.well-known/openid-configuration",
}
ROLES = {"admins": ["lead@example.com"], "viewers": ["*@example.com"]}


def _page(user: dict[str, object]) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.secrets["auth"] = AUTH
    at.secrets["roles"] = ROLES
    at.user = user
    return at.run()


def test_not_signed_in_offers_single_sign_on_and_nothing_else(console_env: dict[str, str]) -> None:
    at = _page({"is_logged_in": False})
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in with single sign-on"]
    assert [t.value for t in at.title] == ["Sign in"]


def test_roles_follow_the_email(console_env: dict[str, str]) -> None:
    admin = _page({"is_logged_in": True, "email": "lead@example.com", "name": "Lead"})
    assert not admin.exception
    assert "Create new API credentials" in [b.label for b in admin.button]
    viewer = _page({"is_logged_in": True, "email": "watcher@example.com", "name": "Watcher"})
    assert "Create new API credentials" not in [b.label for b in viewer.button]
    assert "Signed in as Watcher · viewer" in [c.value for c in viewer.sidebar.caption]


def test_an_email_without_a_role_is_told_so(console_env: dict[str, str]) -> None:
    at = _page({"is_logged_in": True, "email": "someone@elsewhere.org"})
    assert not at.exception
    assert at.error[0].value.startswith("someone@elsewhere.org has no role in this console")
    assert [b.label for b in at.button] == ["Sign out"]
