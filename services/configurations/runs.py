"""Running a configuration's checks and storing their outcome; re-running checks a crash interrupted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from services.access.roles import SYSTEM, Actor, require_admin
from services.access.vault import TokenVault
from services.configurations.checks import CheckResult, Subject, evaluate
from services.configurations.fields import ConfigurationInput, name_taken
from services.configurations.records import ConfigurationRefused, get, processing_ids, store
from services.credentials.lifecycle import token_of
from services.graph.client import GraphClient
from services.language.translate import _
from services.store.models import Credential, PhoneNumber
from services.store.types import utcnow

_ACTIONS = {
    ("configuration", True): "checks_passed",
    ("configuration", False): "checks_failed",
    ("update", True): "update_applied",
    ("update", False): "update_failed",
}


@dataclass(frozen=True)
class CheckRun:
    """What a run checked (`configuration`, `update`, or `nothing` when no check was due) and what it found."""

    configuration_id: int
    target: str
    status: str
    update_status: str | None
    results: tuple[CheckResult, ...] = ()

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(result.passed for result in self.results)

    @property
    def reasons(self) -> list[str]:
        return [result.sentence for result in self.results if result.failed]


def failure_reasons(results: list[dict[str, Any]]) -> list[str]:
    """The sentences of the stored results that failed (skipped ones only wait on another), in the reader's
    language."""
    return [r.text for r in map(CheckResult.from_json, results) if r.failed]


def warnings_of(results: list[dict[str, Any]], stored: list[str]) -> list[str]:
    """The warnings of the stored results in the reader's language; `stored` (the English ones kept on the
    configuration) for results stored before their warnings were kept to be translated."""
    found = [CheckResult.from_json(result) for result in results]
    if any(result.warning_said for result in found):
        return [text for result in found if (text := result.warning_text)]
    return [_(warning) for warning in stored]


def run_checks(
    *,
    engine: Engine,
    graph: GraphClient,
    vault: TokenVault,
    configuration_id: int,
    actor: Actor = SYSTEM,
    on_progress: Callable[[CheckResult], None] | None = None,
    now: datetime | None = None,
) -> CheckRun:
    """Check a Processing configuration (or an Active one's update), report each result, store the outcome."""
    require_admin(actor, "check channel configurations")
    now = now or utcnow()
    with Session(engine) as session:
        row = get(session=session, configuration_id=configuration_id)
        if row.status == "processing":
            target, values = "configuration", ConfigurationInput.of(row)
        elif row.status == "active" and row.update_status == "processing" and row.pending_update:
            target, values = "update", ConfigurationInput.from_dict(row.pending_update)
        else:
            return CheckRun(configuration_id, "nothing", row.status, row.update_status)
        version = row.version
        credential = session.get(Credential, values.credential_id) if values.credential_id is not None else None
        subject = _subject(session, values, credential)

    def token() -> str:
        assert credential is not None
        return token_of(credential=credential, vault=vault)

    def name_is_free() -> bool:
        with Session(engine) as session:
            return not name_taken(session=session, name=values.name, excluding_id=configuration_id)

    results: list[CheckResult] = []
    interrupted: BaseException | None = None
    for result in evaluate(subject=subject, graph=graph, token=token, name_is_free=name_is_free, now=now):
        results.append(result)
        if on_progress is not None and interrupted is None:
            try:
                on_progress(result)
            except BaseException as exc:  # the page went away (Streamlit stops its script here): finish, store
                interrupted = exc
    run = _store_outcome(engine, configuration_id, version, target, values, results, actor=actor, at=now)
    if interrupted is not None:
        raise interrupted
    return run


def recover_processing(*, engine: Engine, graph: GraphClient, vault: TokenVault, now: datetime | None = None) -> int:
    """Check again every configuration (or update) a crash left in Processing; how many were checked."""
    with Session(engine) as session:
        ids = sorted(processing_ids(session=session))
    checked = 0
    for configuration_id in ids:
        try:
            run = run_checks(engine=engine, graph=graph, vault=vault, configuration_id=configuration_id, now=now)
        except ConfigurationRefused:  # deleted, or finished by another process meanwhile
            continue
        checked += run.target != "nothing"
    return checked


def _subject(session: Session, values: ConfigurationInput, credential: Credential | None) -> Subject:
    sender = values.sender_phone_number_id or ""
    number = session.get(PhoneNumber, sender) if sender else None
    return Subject(
        name=values.name,
        marketing_action=values.marketing_action,
        sender_phone_number_id=sender,
        sender_display=number.display_phone_number if number else sender,
        credential_name=credential.name if credential else None,
        waba_id=credential.waba_id if credential else "",
        token_last4=credential.token_last4 if credential else "",
    )


def _store_outcome(
    engine: Engine,
    configuration_id: int,
    version: int,
    target: str,
    values: ConfigurationInput,
    results: list[CheckResult],
    *,
    actor: Actor,
    at: datetime,
) -> CheckRun:
    passed = all(result.passed for result in results)
    stored = [result.to_json() for result in results]
    warnings = [result.warning for result in results if result.warning]
    changes: dict[str, Any]
    if target == "configuration":
        changes = {"status": "active" if passed else "failed", "check_results": stored, "warnings": warnings}
    elif passed:
        changes = {**values.as_dict(), "pending_update": None, "update_status": "success"}
        changes |= {"update_check_results": stored, "check_results": stored, "warnings": warnings}
    else:
        changes = {"update_status": "failed", "update_check_results": stored}
    reasons = [result.sentence for result in results if result.failed]
    action = _ACTIONS[target, passed]
    detail = "All checks passed." if passed else "Checks failed: " + " ".join(reasons)
    with Session(engine) as session:
        row = get(session=session, configuration_id=configuration_id)
        row = store(
            session=session,
            row=row,
            changes={**changes, "checked_at": at},
            actor=actor,
            action=action,
            expected_version=version,
            at=at,
            detail=detail,
        )
        return CheckRun(configuration_id, target, row.status, row.update_status, tuple(results))
