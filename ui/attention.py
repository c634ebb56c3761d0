"""The overview's Needs attention: who, what, since when, in Meta's words and what to do; then recoveries."""

from __future__ import annotations

from datetime import tzinfo

import streamlit as st

from services.health.overview import Attention, FleetHealth, listed_attention
from services.language.formatting import list_separator, number_text
from services.language.translate import _, plural
from services.moments import moment_words
from ui.fleet_table import show_attention_worthy
from ui.layout import NUMBER_PAGE, link_to
from ui.text import plain

ATTENTION_SHOWN = 8
# Listed under the first ones; the numbers of the rest are counted, and the fleet table lists them (worst first).
ATTENTION_LISTED = 16


def needs_attention(health: FleetHealth, tz: tzinfo) -> None:
    st.subheader(_("Needs attention"))
    if not health.attention:
        st.success(_("Nothing needs attention: every number can send, and every token is fine."))
    for item in health.attention[:ATTENTION_SHOWN]:
        attention_item(item, tz)
    listed, left_out = listed_attention(health.attention, shown=ATTENTION_SHOWN, listed=ATTENTION_LISTED)
    if listed:
        with st.expander(_("{count} more", count=number_text(len(listed)))):
            for item in listed:
                attention_item(item, tz)
    if more := health.more_numbers + left_out:
        st.caption(
            plural(
                "{number} more number needs attention.",
                "{number} more numbers need attention.",
                more,
                number=number_text(more),
            )
        )
        st.button(_("Show every number that needs attention"), icon="🔎", on_click=show_attention_worthy)
    if health.unknown:
        st.caption(
            "❔ "
            + plural(
                "Meta has not reported the health of {number} number yet: they are marked Unknown below until the "
                "next poll.",
                "Meta has not reported the health of {number} numbers yet: they are marked Unknown below until the "
                "next poll.",
                health.unknown,
                number=number_text(health.unknown),
            )
        )
    if health.recovered:
        with st.expander(_("Recovered in the last 7 days ({count})", count=number_text(len(health.recovered)))):
            for recovery in health.recovered:
                st.markdown(
                    "- ✅ "
                    + _(
                        "**{subject}** {sentence}; recovered on {moment}",
                        subject=plain(recovery.subject),
                        sentence=plain(recovery.sentence),
                        moment=plain(moment_words(recovery.recovered_at, tz)),
                    )
                )


def attention_item(item: Attention, tz: tzinfo) -> None:
    """One entry of Needs attention: who, what, since when, Meta's own words and what to do."""
    since = " · " + _("since {moment}", moment=plain(moment_words(item.since, tz))) if item.since else ""
    lines = [f"{item.severity.icon} **{plain(item.subject)}** {plain(item.sentence)}{since}"]
    if item.numbers and not item.phone_number_id:
        rest = item.held - len(item.numbers)
        listed = plain(list_separator().join(item.numbers))
        if rest > 0:
            lines.append(_("Numbers: {numbers} and {count} more", numbers=listed, count=number_text(rest)))
        else:
            lines.append(_("Numbers: {numbers}", numbers=listed))
    if item.meta_says:
        lines.append(_("Meta says: “{words}”", words=plain(item.meta_says)))
    if item.advice:
        lines.append(_("What to do: {advice}", advice=plain(item.advice)))
    if item.also:
        lines.append(plain(_("Also, it {findings}.", findings=_("; it ").join(item.also))))
    with st.container(border=True):
        st.markdown("  \n".join(lines))
        if item.phone_number_id:
            link_to(NUMBER_PAGE, label=_("Open its page"), icon="📞", query_params={"number": item.phone_number_id})
