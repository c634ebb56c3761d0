"""Checks beside the page: start them on a worker, watch the store while any run, and say how they ended.

The list is drawn from the store. While a configuration is Processing, a fragment reads the store every
POLL_SECONDS and reruns the page once the set of Processing configurations changes, so the cards move to
Active or Failed by themselves; the person who submitted also gets the outcome as the page's message.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import streamlit as st
from sqlmodel import Session

from services.access.roles import Actor
from services.configurations.background import CHECKS
from services.configurations.checks import CheckResult
from services.configurations.records import ConfigurationRefused, display_name, get, processing_ids
from services.language.formatting import list_separator, number_text
from services.language.translate import N_, _, plural
from services.moments import moment_words
from services.runtime import Console
from services.store.models import ChannelConfiguration
from ui import resources
from ui.text import plain

POLL_SECONDS = 1.5
MINE = "cc_submitted"  # configuration ID -> "configuration" or "update": runs this session waits for


def start(actor: Actor, configuration_id: int, *, update: bool = False) -> None:
    """Hand the stored Processing configuration to a worker; its outcome becomes this session's message."""
    st.session_state.setdefault(MINE, {})[configuration_id] = "update" if update else "configuration"
    # The console of now, not the one a button's callback was drawn with: settings may have changed since.
    console = resources.console()
    CHECKS.start(
        engine=console.engine,
        graph=console.graph,
        vault=console.vault,
        configuration_id=configuration_id,
        actor=actor,
        clock=console.clock,
    )


def finished(console: Console) -> list[tuple[str, str]]:
    """How this session's runs that ended since the last look ended: (message kind, sentence), oldest first."""
    mine: dict[int, str] = st.session_state.get(MINE, {})
    if not mine:
        return []
    said = []
    with Session(console.engine) as session:
        running = processing_ids(session=session)
        for configuration_id in [i for i in mine if i not in running]:
            target = mine.pop(configuration_id)
            try:
                row = get(session=session, configuration_id=configuration_id)
            except ConfigurationRefused:
                continue  # deleted meanwhile: the list says so by not showing it
            said += [outcome] if (outcome := _outcome(row, target)) else []
    return said


def _outcome(row: ChannelConfiguration, target: str) -> tuple[str, str] | None:
    name = display_name(row)
    if target == "update" and row.update_status == "success":
        return "success", _("“{name}”: the update passed every check and is in service.", name=name)
    if target == "update" and row.update_status == "failed":
        return "error", _("“{name}”: the update failed; the active version stays in service.", name=name)
    if target == "configuration" and row.status == "active":
        return "success", _("“{name}” is Active.", name=name)
    if target == "configuration" and row.status == "failed":
        return "error", _("“{name}” Failed: fix what the failed checks say, then Submit again.", name=name)
    return None


def watch(console: Console, seen: frozenset[int]) -> None:
    """While any configuration is Processing (or a run of this session is not yet reported): re-read the store
    every POLL_SECONDS and rerun the page when that changes."""
    if seen or st.session_state.get(MINE):
        st.fragment(_watch, run_every=POLL_SECONDS)(console, seen)


def _watch(console: Console, seen: frozenset[int]) -> None:
    with Session(console.engine) as session:
        running = processing_ids(session=session)
    # A run may end between the page's first look and its list: the next full run says how it ended.
    unreported = set(st.session_state.get(MINE, {})) - running
    if running != seen or unreported:
        st.rerun()
    if running:
        st.caption(
            plural(
                "⏳ Checking 1 configuration; the list updates by itself when the checks finish.",
                "⏳ Checking {count} configurations; the list updates by itself when the checks finish.",
                len(running),
            )
        )


def line(result: CheckResult) -> str:
    """'✅ **The credential's token is valid and not expired.** The token of …'."""
    mark = "✅" if result.passed else ("⏭️" if result.skipped else "❌")
    label = _("{label}.", label=result.label)
    return f"{mark} **{label}** {plain(result.text)}"


def results(row: ChannelConfiguration, tz: tzinfo) -> None:
    """The stored outcome of the last checks, one line each, folded away under their tally."""
    stored: list[dict[str, Any]] = row.check_results
    if not stored:
        return
    found = [CheckResult.from_json(result) for result in stored]
    tally = {
        N_("{count} passed"): sum(r.passed for r in found),
        N_("{count} failed"): sum(r.failed for r in found),
        N_("{count} skipped"): sum(r.skipped for r in found),
    }
    words = list_separator().join(_(word, count=number_text(n)) for word, n in tally.items() if n)
    if row.checked_at:
        title = _("Checks: {tally}, {moment}", tally=words, moment=moment_words(row.checked_at, tz))
    else:
        title = _("Checks: {tally}", tally=words)
    with st.expander(title):
        for result in found:
            st.markdown(line(result))
