"""The Alerts page's tables in words: one row per alert, and the delivery log with each outcome."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import pandas as pd

from services.alerts.views import AlertView
from services.moments import moment_words

_SEVERITY_WORDS = {"critical": "🔴 Critical", "warning": "🟠 Warning", "info": "🔵 Info"}
_STATE_WORDS = {"open": "Open", "acknowledged": "Acknowledged", "snoozed": "Snoozed", "resolved": "Resolved"}
_SUBJECT_WORDS = {
    "number": "Phone number",
    "waba": "WhatsApp Business Account",
    "portfolio": "Business portfolio",
    "credential": "API credential",
    "template": "Message template",
    "console": "The console",
}
_DELIVERY_WORDS = {"pending": "⏳ Waiting to send", "delivered": "✅ Delivered", "failed": "❌ Gave up"}
_KIND_WORDS = {"opened": "Opened", "resolved": "Resolved"}


def severity_words(severity: str) -> str:
    return _SEVERITY_WORDS.get(severity, severity.capitalize())


def state_words(state: str) -> str:
    return _STATE_WORDS.get(state, state.capitalize())


def _in_zone(frame: pd.DataFrame, columns: Sequence[str], tz: tzinfo) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(tz)
    return frame


def alerts_table(views: Sequence[AlertView], tz: tzinfo) -> pd.DataFrame:
    """One row per alert, in words; times in `tz` for the page's DatetimeColumn."""
    rows = []
    for view in views:
        a = view.alert
        delivered = sum(d.state == "delivered" for d in view.deliveries)
        rows.append(
            {
                "Severity": severity_words(a.severity),
                "What": a.title,
                "About": f"{_SUBJECT_WORDS.get(a.subject_kind, a.subject_kind)} {a.subject_name}".strip(),
                "State": state_words(a.state),
                "Opened": a.opened_at,
                "Last seen": a.last_seen_at,
                "Resolved": a.resolved_at,
                "Sent": f"{delivered} of {len(view.deliveries)}" if view.deliveries else "No channel",
                "Details": view.number_link,
            }
        )
    # What and when first, so they stay on screen at 1440 px; the later times scroll.
    columns = ["Severity", "What", "About", "State", "Opened", "Sent", "Details", "Last seen", "Resolved"]
    return _in_zone(pd.DataFrame(rows, columns=columns), ("Opened", "Last seen", "Resolved"), tz)


def deliveries_table(views: Sequence[AlertView], channels: dict[int, str], tz: tzinfo) -> pd.DataFrame:
    """The delivery log: every delivery of the alerts shown, with its outcome in words."""
    rows = []
    for view in views:
        for d in view.deliveries:
            outcome = _DELIVERY_WORDS.get(d.state, d.state.capitalize())
            if d.state == "pending" and d.attempts:
                outcome += f", next try {moment_words(d.next_attempt_at, tz)}" if d.next_attempt_at else ""
            rows.append(
                {
                    "Created": d.created_at,
                    "Alert": view.alert.title,
                    "Message": _KIND_WORDS.get(d.kind, d.kind.capitalize()),
                    "Channel": channels.get(d.channel_id, "A removed channel"),
                    "Outcome": outcome,
                    "Attempts": d.attempts,
                    "Delivered": d.delivered_at,
                    "Last error": d.last_error or "",
                }
            )
    columns = ["Created", "Alert", "Message", "Channel", "Outcome", "Attempts", "Delivered", "Last error"]
    frame = _in_zone(pd.DataFrame(rows, columns=columns), ("Created", "Delivered"), tz)
    return frame.sort_values("Created", ascending=False, kind="stable") if not frame.empty else frame
