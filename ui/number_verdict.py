"""A phone number's health in words, on its own page."""

from __future__ import annotations

from datetime import tzinfo

import streamlit as st

from services.health.profile import NumberProfile
from services.language.translate import _
from services.moments import day_words, moment_words
from ui.text import plain


def verdict(found: NumberProfile, tz: tzinfo) -> None:
    """The number's health in words: its verdict and since when, each finding with Meta's words and what to do,
    and when it was last polled."""
    number, severity = found.number, found.assessment.severity
    with st.container(border=True):
        # How long it has been so: since a moment, longer than the history the console keeps, or not known.
        held = "" if found.since is None else ("horizon" if found.since_horizon else "since")
        since = moment_words(found.since, tz) if found.since is not None else ""
        if found.ok:
            label = plain(found.label)
            said = {
                "since": _(
                    "**{label}** can send messages since {since}. Nothing needs attention.", label=label, since=since
                ),
                "horizon": _(
                    "**{label}** can send messages for more than 90 days. Nothing needs attention.", label=label
                ),
                "": _("**{label}** can send messages. Nothing needs attention.", label=label),
            }
            st.markdown(f"✅ {said[held]}")
        else:
            level = str(severity.label)
            said = {
                "since": _("**{severity}** since {since}", severity=level, since=since),
                "horizon": _("**{severity}** for more than 90 days", severity=level),
                "": f"**{level}**",
            }
            st.markdown(f"{severity.icon} {said[held]}")
            for finding in found.assessment.findings:
                said = _("It {sentence}.", sentence=plain(str(finding.sentence)))
                lines = [f"{finding.severity.icon} {said}"]
                if finding.meta_says:
                    lines.append(_("Meta says: “{words}”", words=plain(finding.meta_says)))
                if finding.advice:
                    lines.append(_("What to do: {advice}", advice=plain(str(finding.advice))))
                st.markdown("  \n".join(lines))
        polled = number.last_polled_at
        watch = [_("Last polled {moment}", moment=moment_words(polled, tz)) if polled else _("Not polled yet")]
        if found.first_observed:
            watch.append(_("watched since {day}", day=day_words(found.first_observed.astimezone(tz).date())))
        st.caption(" · ".join(watch))
