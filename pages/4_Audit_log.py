import pandas as pd
import streamlit as st
from sqlmodel import Session

from services.access import audit, audit_words
from services.moments import COLUMN_FORMAT, zone_name
from ui.layout import page_setup
from ui.moments import viewer_zone

page = page_setup("Audit log", icon="📜")
st.title("Audit log")
st.caption("Every change to credentials and channel configurations: who did what to which, and what changed.")

if not page.actor.is_admin:
    st.info("Only admins can read the audit log.")
    st.stop()

tz = viewer_zone()
with Session(page.console.engine) as session:
    choices = audit.filter_choices(session=session)
    left, right = st.columns(2)
    object_type = left.selectbox(
        "Object",
        [None, *choices.object_types],
        format_func=lambda kind: "All objects" if kind is None else audit_words.object_words(kind),
        key="audit_object",
    )
    person = right.selectbox("Person", ["Everyone", *choices.actors], key="audit_person")
    events = audit.list_events(session=session, object_type=object_type, actor=None if person == "Everyone" else person)
    known = audit_words.names(session=session, events=events)

if not events:
    st.info("Nothing has been recorded yet for this selection.")
    st.stop()

st.dataframe(
    pd.DataFrame(
        {
            "When": pd.to_datetime([e.at for e in events], utc=True).tz_convert(tz),
            "Who": [e.actor for e in events],
            "What": [audit_words.what(e) for e in events],
            "Changes": [audit_words.changes_words(e.changes, known) for e in events],
            "Detail": [e.detail for e in events],
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "When": st.column_config.DatetimeColumn(format=COLUMN_FORMAT, width=140),
        "Who": st.column_config.TextColumn(width=170),
        "What": st.column_config.TextColumn(width=330),
    },
)
st.caption(f"Times in {zone_name(tz)}. The newest 500 entries of the selection.")
