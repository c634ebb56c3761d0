"""Poll now: one poll cycle started by a person, its progress shown as it reads each business account."""

from __future__ import annotations

import streamlit as st

from services.language.formatting import number_text
from services.language.translate import N_, _
from services.runtime import Console
from ui.text import plain

POLL_TROUBLE = {
    "partial": N_("Poll partial: {numbers} numbers read; {problems} problem(s):"),
    "failed": N_("Poll failed: {numbers} numbers read; {problems} problem(s):"),
}


def poll_now(console: Console, poller_id: str) -> None:
    """A poll cycle of every number now, with its progress, then how it went in words."""
    from services.poller.loop import run_cycle  # the poller is loaded when someone polls

    bar = st.progress(0.0, text=_("Polling every number…"))

    def progress(done: int, total: int, account: str) -> None:
        words = _(
            "Read {done} of {total} business accounts ({account})…",
            done=number_text(done),
            total=number_text(total),
            account=plain(account),
        )
        bar.progress(done / total if total else 1.0, text=words)

    run = run_cycle(console=console, trigger="manual", on_progress=progress, poller_id=poller_id)
    bar.empty()
    numbers = number_text(run.numbers_seen)
    if run.status == "ok":
        st.success(
            _(
                "Poll finished: {numbers} numbers read through {credentials} API credentials.",
                numbers=numbers,
                credentials=number_text(run.credentials_polled),
            )
        )
        return
    trouble = POLL_TROUBLE.get(run.status, POLL_TROUBLE["failed"])
    st.warning(_(trouble, numbers=numbers, problems=number_text(len(run.errors))))
    sentences = (str(error.get("sentence", error.get("kind", _("unknown problem")))) for error in run.errors)
    st.markdown("\n".join(f"- {plain(sentence)}" for sentence in sentences))
