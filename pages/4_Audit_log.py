import pandas as pd
import streamlit as st
from sqlmodel import Session

from services.access import audit
from ui.layout import page_setup

page = page_setup("Audit log", icon="📜")
st.title("Audit log")
st.caption("Every change to credentials and channel configurations: who, what, when, and which fields changed.")

if not page.actor.is_admin:
    st.info("Only admins can read the audit log.")
    st.stop()

with Session(page.console.engine) as session:
    choices = audit.filter_choices(session=session)
    left, right = st.columns(2)
    object_type = left.selectbox("Object", ["All objects", *choices.object_types], key="audit_object")
    person = right.selectbox("Person", ["Everyone", *choices.actors], key="audit_person")
    events = audit.list_events(
        session=session,
        object_type=None if object_type == "All objects" else object_type,
        actor=None if person == "Everyone" else person,
    )

if not events:
    st.info("Nothing has been recorded yet for this selection.")
    st.stop()

st.dataframe(
    pd.DataFrame(
        {
            "When (UTC)": [e.at for e in events],
            "Who": [e.actor for e in events],
            "Action": [e.action.replace("_", " ") for e in events],
            "Object": [f"{e.object_type} {e.object_name or e.object_id}" for e in events],
            "Changes": [audit.describe_changes(e.changes) for e in events],
            "Detail": [e.detail for e in events],
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={"When (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm:ss")},
)
