"""Who is acting, and what their role lets them do. Services check it; pages only hide controls."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Literal

from services.language.translate import _

Role = Literal["admin", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "viewer")


class PermissionDenied(PermissionError):
    """The acting person's role does not allow this action."""


@dataclass(frozen=True)
class Actor:
    email: str
    role: Role
    name: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


DEMO_ADMIN = Actor(email="demo-admin@console.local", role="admin", name="Demo admin")
SYSTEM = Actor(email="system@console.local", role="admin", name="Console")


def require_admin(actor: Actor, action: str) -> None:
    """Refuse `action` unless `actor` is an admin."""
    if not actor.is_admin:
        raise PermissionDenied(
            _("{email} is a viewer and cannot {action}; ask an admin.", email=actor.email, action=action)
        )


def role_for_email(email: str, rules: dict[str, list[str]]) -> Role | None:
    """The role single sign-on grants `email` by the [roles] rules (patterns like '*@example.com')."""
    email = email.strip().lower()
    if any(fnmatch(email, pattern.lower()) for pattern in rules.get("admins", [])):
        return "admin"
    if any(fnmatch(email, pattern.lower()) for pattern in rules.get("viewers", [])):
        return "viewer"
    return None
