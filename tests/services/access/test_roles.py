import pytest

from services.access.roles import DEMO_ADMIN, Actor, PermissionDenied, require_admin, role_for_email


def test_viewers_are_refused_admin_actions_with_a_sentence() -> None:
    viewer = Actor(email="watcher@example.com", role="viewer")
    with pytest.raises(PermissionDenied, match="watcher@example.com is a viewer and cannot delete a credential"):
        require_admin(viewer, "delete a credential")
    require_admin(DEMO_ADMIN, "delete a credential")


def test_single_sign_on_roles_follow_the_rules_admins_first() -> None:
    rules = {"admins": ["lead@example.com"], "viewers": ["*@example.com"]}
    assert role_for_email("Lead@Example.com", rules) == "admin"
    assert role_for_email("someone@example.com", rules) == "viewer"
    assert role_for_email("someone@elsewhere.org", rules) is None
