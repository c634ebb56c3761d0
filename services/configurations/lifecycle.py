"""Channel configurations' lifecycle: Draft -> Processing -> Active or Failed; Active -> Deactivated -> again.

Each call commits its change (with its audit row). Submit, Submit again and activate leave the configuration in
Processing; the caller then hands its checks to a worker (`services.configurations.background.CHECKS`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from services.access import audit
from services.access.roles import Actor, require_admin
from services.configurations.fields import (
    ConfigurationInput,
    ConfigurationInvalid,
    draft_errors,
    name_taken,
    submit_errors,
)
from services.configurations.names import MAX_NAME_LENGTH
from services.configurations.records import (
    OBJECT_TYPE,
    ConfigurationRefused,
    display_name,
    get,
    opened,
    snapshot,
    status_words,
    store,
)
from services.language.translate import N_, _
from services.store.models import ChannelConfiguration, Credential


def save_draft(
    *,
    session: Session,
    actor: Actor,
    values: ConfigurationInput,
    configuration_id: int | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> ChannelConfiguration:
    """Store the values as a Draft whatever is missing; only a name that breaks the rule is refused. Commits."""
    require_admin(actor, "save channel configurations")
    values = values.cleaned()
    row = _editable(session, configuration_id, expected_version, for_draft=True)
    errors = draft_errors(session=session, values=values, configuration_id=configuration_id)
    if errors:
        raise ConfigurationInvalid(errors)
    if values.credential_id is not None and session.get(Credential, values.credential_id) is None:
        values = ConfigurationInput.from_dict({**values.as_dict(), "credential_id": None})
    changes = {**values.as_dict(), "status": "draft", "check_results": [], "warnings": []}
    return store(
        session=session,
        row=row,
        changes=changes,
        actor=actor,
        action="save_draft",
        expected_version=expected_version,
        at=at,
    )


def submit(
    *,
    session: Session,
    actor: Actor,
    values: ConfigurationInput,
    configuration_id: int | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> ChannelConfiguration:
    """Validate every field, then store the configuration as Processing (an Active one: its update) and commit.

    The caller runs the checks next, on a worker (`services.configurations.background.CHECKS`).
    """
    require_admin(actor, "submit channel configurations")
    values = values.cleaned()
    row = _editable(session, configuration_id, expected_version, for_draft=False)
    errors = submit_errors(session=session, values=values, configuration_id=configuration_id)
    if row is not None and row.status == "active" and values.name != row.name:
        errors["name"] = _(
            "The name of an active configuration stays “{name}”; duplicate it to use another name.", name=row.name
        )
    if errors:
        raise ConfigurationInvalid(errors)
    if row is not None and row.status == "active":
        changes: dict[str, Any] = {
            "pending_update": values.as_dict(),
            "update_status": "processing",
            "update_check_results": [],
        }
        return store(
            session=session,
            row=row,
            changes=changes,
            actor=actor,
            action="submit_update",
            expected_version=expected_version,
            at=at,
        )
    changes = {**values.as_dict(), "status": "processing", "check_results": [], "warnings": []}
    return store(
        session=session,
        row=row,
        changes=changes,
        actor=actor,
        action="submit",
        expected_version=expected_version,
        at=at,
    )


# What each call refuses to do outside its one status (the status a configuration is in is said in its words).
_ONLY = {
    "submit_again": N_("Only a failed configuration can be submitted again; “{name}” is {status}."),
    "deactivate": N_("Only an active configuration can be deactivated; “{name}” is {status}."),
    "activate": N_("Only a deactivated configuration can be activated; “{name}” is {status}."),
}


def _opened_in(
    status: str, doing: str, session: Session, configuration_id: int, expected_version: int | None
) -> ChannelConfiguration:
    """The configuration opened at `expected_version`, refused with a sentence unless it is in `status`."""
    row = opened(session=session, configuration_id=configuration_id, expected_version=expected_version)
    if row.status != status:
        raise ConfigurationRefused(_(_ONLY[doing], name=display_name(row), status=_status_in_sentence(row.status)))
    return row


def _status_in_sentence(status: str) -> str:
    """The status as the sentences say it: 'draft', 'processing', ... in English; its own words in another."""
    words = status_words(status)
    return status if words == status.title() or words.lower() == status else words


def submit_again(
    *,
    session: Session,
    actor: Actor,
    configuration_id: int,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> ChannelConfiguration:
    """Failed -> Processing with the values as stored (what failed may be fixed outside: Meta, a credential)."""
    require_admin(actor, "submit channel configurations")
    row = _opened_in("failed", "submit_again", session, configuration_id, expected_version)
    try:
        return submit(
            session=session,
            actor=actor,
            values=ConfigurationInput.of(row),
            configuration_id=row.id,
            expected_version=row.version,
            at=at,
        )
    except ConfigurationInvalid as exc:
        raise ConfigurationRefused(
            _(
                "“{name}” cannot be submitted again as it is: {problems} Edit it to fix this.",
                name=display_name(row),
                problems=exc,
            )
        ) from None


def deactivate(
    *,
    session: Session,
    actor: Actor,
    configuration_id: int,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> ChannelConfiguration:
    """Active -> Deactivated (not while an update is being checked). Commits."""
    require_admin(actor, "deactivate channel configurations")
    row = _opened_in("active", "deactivate", session, configuration_id, expected_version)
    if row.update_status == "processing":
        raise ConfigurationRefused(
            _("An update of “{name}” is being checked; deactivate it once that finishes.", name=row.name)
        )
    changes = {"status": "deactivated", "pending_update": None, "update_status": None}
    return store(
        session=session,
        row=row,
        changes=changes,
        actor=actor,
        action="deactivate",
        expected_version=expected_version,
        at=at,
    )


def activate(
    *,
    session: Session,
    actor: Actor,
    configuration_id: int,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> ChannelConfiguration:
    """Deactivated -> Processing; the caller runs the checks next, as for a submit. Commits."""
    require_admin(actor, "activate channel configurations")
    row = _opened_in("deactivated", "activate", session, configuration_id, expected_version)
    taken = ConfigurationRefused(
        _(
            "Another configuration that is not deactivated is already named “{name}”; choose another name Duplicate "
            "this one under a new name instead.",
            name=row.name,
        )
    )
    if name_taken(session=session, name=row.name, excluding_id=row.id):
        raise taken
    changes = {"status": "processing", "check_results": [], "warnings": [], "update_check_results": []}
    try:
        return store(
            session=session,
            row=row,
            changes=changes,
            actor=actor,
            action="activate",
            expected_version=expected_version,
            at=at,
        )
    except ConfigurationInvalid:  # the name was taken after the check above
        raise taken from None


def duplicate(
    *, session: Session, actor: Actor, configuration_id: int, at: datetime | None = None
) -> ChannelConfiguration:
    """A new Draft with the same values under a free name ("<name>-copy", "<name>-copy-2", ...). Commits."""
    require_admin(actor, "duplicate channel configurations")
    source = get(session=session, configuration_id=configuration_id)
    values = ConfigurationInput.of(source)
    base, name, n = source.name or "configuration", "", 1
    while True:
        while not name or name_taken(session=session, name=name, excluding_id=None):
            suffix = "-copy" if n == 1 else f"-copy-{n}"
            name = base[: MAX_NAME_LENGTH - len(suffix)] + suffix
            n += 1
        changes = {**values.as_dict(), "name": name, "status": "draft"}
        try:
            return store(
                session=session,
                row=None,
                changes=changes,
                actor=actor,
                action="duplicate",
                expected_version=None,
                at=at,
            )
        except ConfigurationInvalid:  # another admin took this copy's name meanwhile: take the next one
            name = ""


def delete(*, session: Session, actor: Actor, configuration_id: int, expected_version: int | None = None) -> None:
    """Delete a Draft or a Failed configuration; the others stay for the record. Commits."""
    require_admin(actor, "delete channel configurations")
    row = opened(session=session, configuration_id=configuration_id, expected_version=expected_version)
    if row.status == "deactivated":
        raise ConfigurationRefused(
            _(
                "A deactivated configuration cannot be deleted; “{name}” stays for the record. "
                "Activate it again or duplicate it.",
                name=row.name,
            )
        )
    if row.status == "active":
        raise ConfigurationRefused(
            _(
                "Only drafts and failed configurations can be deleted; “{name}” is active: deactivate it instead.",
                name=row.name,
            )
        )
    if row.status not in ("draft", "failed"):
        raise ConfigurationRefused(
            _(
                "Only drafts and failed configurations can be deleted; “{name}” is {status}.",
                name=row.name,
                status=_status_in_sentence(row.status),
            )
        )
    audit.record(
        session=session,
        actor=actor,
        action="delete",
        object_type=OBJECT_TYPE,
        object_id=row.id,
        object_name=display_name(row),
        before=snapshot(row),
    )
    session.delete(row)
    session.commit()


def _editable(
    session: Session, configuration_id: int | None, expected_version: int | None, *, for_draft: bool
) -> ChannelConfiguration | None:
    if configuration_id is None:
        return None
    row = opened(session=session, configuration_id=configuration_id, expected_version=expected_version)
    if row.status == "processing":
        raise ConfigurationRefused(
            _("“{name}” is being checked; edit it once the checks finish.", name=display_name(row))
        )
    if row.status == "deactivated":
        raise ConfigurationRefused(
            _("“{name}” is deactivated; activate it again, or duplicate it to change it.", name=row.name)
        )
    if row.status == "active" and row.update_status == "processing":
        raise ConfigurationRefused(
            _("An update of “{name}” is being checked; edit it once that finishes.", name=row.name)
        )
    if row.status == "active" and for_draft:
        raise ConfigurationRefused(
            _(
                "“{name}” is active, so it has no draft; submit your changes as an update, or duplicate it.",
                name=row.name,
            )
        )
    return row
