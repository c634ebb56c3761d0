"""The Alerts page's tables in words: one row per alert, and the delivery log with each outcome."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import pandas as pd

from services.alerts.views import AlertView
from services.alerts.wording import stored, subject_words
from services.language.formatting import number_text
from services.language.translate import _, lazy, lazy_in
from services.moments import moment_words

_SEVERITY_WORDS = {"critical": lazy("🔴 Critical"), "warning": lazy("🟠 Warning"), "info": lazy("🔵 Info")}
# The severity inside a sentence: 'sends warning and worse'.
_SEVERITY_NAMES = {"critical": lazy("critical"), "warning": lazy("warning"), "info": lazy("info")}
_STATE_WORDS = {
    "open": lazy_in("alert state", "Open"),
    "acknowledged": lazy_in("alert state", "Acknowledged"),
    "snoozed": lazy_in("alert state", "Snoozed"),
    "resolved": lazy_in("alert state", "Resolved"),
}
_SUBJECT_WORDS = {
    "number": lazy("Phone number"),
    "waba": lazy("WhatsApp Business Account"),
    "portfolio": lazy("Business portfolio"),
    "credential": lazy("API credential"),
    "template": lazy("Message template"),
    "console": lazy("The console"),
}
_DELIVERY_WORDS = {
    "pending": lazy("⏳ Waiting to send"),
    "delivered": lazy("✅ Delivered"),
    "failed": lazy("❌ Gave up"),
}
_KIND_WORDS = {"opened": lazy("Opened"), "resolved": lazy("Resolved")}


def severity_words(severity: str) -> str:
    return str(_SEVERITY_WORDS.get(severity, severity.capitalize()))


def severity_name(severity: str) -> str:
    """The severity as a word inside a sentence: 'warning'."""
    return str(_SEVERITY_NAMES.get(severity, severity))


def state_words(state: str) -> str:
    return str(_STATE_WORDS.get(state, state.capitalize()))


def _in_zone(frame: pd.DataFrame, columns: Sequence[str], tz: tzinfo) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(tz)
    return frame


def alerts_table(views: Sequence[AlertView], tz: tzinfo) -> pd.DataFrame:
    """One row per alert, in words; times in `tz` for the page's DatetimeColumn. Headers in the reader's language."""
    severity, what, about, state, opened = _("Severity"), _("What"), _("About"), _("State"), _("Opened")
    last_seen, resolved, sent, details = _("Last seen"), _("Resolved"), _("Sent"), _("Details")
    rows = []
    for view in views:
        a = view.alert
        delivered = sum(d.state == "delivered" for d in view.deliveries)
        if view.deliveries:
            sent_words = _(
                "{delivered} of {count}", delivered=number_text(delivered), count=number_text(len(view.deliveries))
            )
        else:
            sent_words = _("No channel")
        rows.append(
            {
                severity: severity_words(a.severity),
                what: (view.words or stored(a)).title,
                about: f"{_SUBJECT_WORDS.get(a.subject_kind, a.subject_kind)} {subject_words(a)}".strip(),
                state: state_words(a.state),
                opened: a.opened_at,
                last_seen: a.last_seen_at,
                resolved: a.resolved_at,
                sent: sent_words,
                details: view.number_link,
            }
        )
    # What and when first, so they stay on screen at 1440 px; the later times scroll.
    columns = [severity, what, about, state, opened, sent, details, last_seen, resolved]
    return _in_zone(pd.DataFrame(rows, columns=columns), (opened, last_seen, resolved), tz)


def deliveries_table(views: Sequence[AlertView], channels: dict[int, str], tz: tzinfo) -> pd.DataFrame:
    """The delivery log: every delivery of the alerts shown, with its outcome in words."""
    created, alert, message, channel = _("Created"), _("Alert"), _("Message"), _("Channel")
    outcome_column, attempts, delivered, error = _("Outcome"), _("Attempts"), _("Delivered"), _("Last error")
    rows = []
    for view in views:
        for d in view.deliveries:
            outcome = str(_DELIVERY_WORDS.get(d.state, d.state.capitalize()))
            if d.state == "pending" and d.attempts and d.next_attempt_at:
                outcome = _("{outcome}, next try {moment}", outcome=outcome, moment=moment_words(d.next_attempt_at, tz))
            rows.append(
                {
                    created: d.created_at,
                    alert: (view.words or stored(view.alert)).title,
                    message: str(_KIND_WORDS.get(d.kind, d.kind.capitalize())),
                    channel: channels.get(d.channel_id, _("A removed channel")),
                    outcome_column: outcome,
                    attempts: d.attempts,
                    delivered: d.delivered_at,
                    error: d.last_error or "",
                }
            )
    columns = [created, alert, message, channel, outcome_column, attempts, delivered, error]
    frame = _in_zone(pd.DataFrame(rows, columns=columns), (created, delivered), tz)
    return frame.sort_values(created, ascending=False, kind="stable") if not frame.empty else frame
