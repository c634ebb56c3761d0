import pandas as pd
import streamlit as st
from sqlmodel import Session

from services.access import audit, audit_words
from services.language.translate import N_, _
from services.moments import column_format, zone_name
from ui.layout import page_setup
from ui.moments import viewer_zone

EVERYONE = "Everyone"  # the person filter's value for no filter (a key, shown in words)

page = page_setup(N_("Audit log"), icon="📜")
st.title(_("Audit log"))
st.caption(_("Every change to credentials and channel configurations: who did what to which, and what changed."))

if not page.actor.is_admin:
    st.info(_("Only admins can read the audit log."))
    st.stop()

tz = viewer_zone()
with Session(page.console.engine) as session:
    choices = audit.filter_choices(session=session)
    left, right = st.columns(2)
    object_type = left.selectbox(
        _("Object"),
        [None, *choices.object_types],
        format_func=lambda kind: _("All objects") if kind is None else audit_words.object_words(kind),
        key="audit_object",
    )
    person = right.selectbox(
        _("Person"),
        [EVERYONE, *choices.actors],
        format_func=lambda who: _("Everyone") if who == EVERYONE else audit_words.actor_words(who),
        key="audit_person",
    )
    events = audit.list_events(session=session, object_type=object_type, actor=None if person == EVERYONE else person)
    known = audit_words.names(session=session, events=events)

if not events:
    st.info(_("Nothing has been recorded yet for this selection."))
    st.stop()

when, who, what = _("When"), _("Who"), _("What")
st.dataframe(
    pd.DataFrame(
        {
            when: pd.to_datetime([e.at for e in events], utc=True).tz_convert(tz),
            who: [audit_words.actor_words(e.actor) for e in events],
            what: [audit_words.what(e) for e in events],
            _("Changes"): [audit_words.changes_words(e.changes, known) for e in events],
            _("Detail"): [audit_words.detail_words(e) for e in events],
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={
        when: st.column_config.DatetimeColumn(format=column_format(), width=140),
        who: st.column_config.TextColumn(width=170),
        what: st.column_config.TextColumn(width=330),
    },
)
st.caption(_("Times in {zone}. The newest 500 entries of the selection.", zone=zone_name(tz)))
