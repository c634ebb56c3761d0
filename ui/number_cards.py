"""The state of a few phone numbers now, a card each (Monitoring)."""

from __future__ import annotations

from datetime import tzinfo

import streamlit as st

from services.health.model import assess_stored
from services.health.vocabulary import can_send_words, limit_words, status_words, throughput_words
from services.language.translate import _
from services.moments import moment_words
from services.store.models import PhoneNumber
from ui.badges import quality_badge
from ui.text import plain


def state_cards(current: list[PhoneNumber], tz: tzinfo) -> None:
    """A card a number, four a row: its verdict, whether it can send, its quality, first finding and state."""
    if not current:
        return
    columns = st.columns(min(len(current), 4))
    for i, number in enumerate(current):
        with columns[i % len(columns)].container(border=True):
            assessment = assess_stored(number)
            st.markdown(f"**{plain(number.verified_name)}**  \n{plain(number.display_phone_number)}")
            st.markdown(
                f"{assessment.severity.icon} **{assessment.severity.label}** · {plain(can_send_words(number.can_send))}"
                f" · {quality_badge(number.quality_rating)}"
            )
            if assessment.findings:
                sentence = str(assessment.findings[0].sentence)
                # Translators: the number's first finding, which completes "<the number> …" ("has low quality
                # (red)"); English only capitalises its first letter ({first}), a language may put a subject first.
                st.caption(plain(_("{first}{rest}", first=sentence[:1].upper(), rest=sentence[1:])))
            st.caption(
                plain(
                    f"{status_words(number.status)} · {throughput_words(number.throughput_level)}\n"
                    + _("Limit {limit}", limit=limit_words(number.messaging_limit))
                ).replace("\n", "  \n")
            )
            polled = number.last_polled_at
            st.caption(_("Last polled {moment}", moment=moment_words(polled, tz)) if polled else _("Not polled yet"))
