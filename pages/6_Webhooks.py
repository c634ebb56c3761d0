import streamlit as st
from sqlmodel import Session

from services.moments import COLUMN_FORMAT, zone_name
from services.webhooks import activity
from ui.console_url import browser_origin
from ui.layout import page_setup
from ui.moments import viewer_zone
from ui.text import plain

page = page_setup("Webhooks", icon="🪝")
st.title("Webhooks")
st.caption(
    "Meta posts what polling misses (bans, restrictions, limit and display name decisions) to the console as it "
    "happens. Each delivery is checked against the app secret, stored, then applied to the numbers' health."
)

if not page.actor.is_admin:
    st.info("Only admins can see the webhook settings and what Meta has sent.")
    st.stop()

settings = page.console.settings
setup = activity.setup(settings, browser_origin())
st.subheader("Connect Meta's app")
if not setup.receiving:
    st.warning(
        "Webhooks are off: the console has no app secret to check Meta's signature with, so it refuses every "
        "delivery. To turn them on, set `META_APP_SECRET` (your Meta app's secret: App settings › Basic) and "
        "`WEBHOOK_VERIFY_TOKEN` (any long random text you choose) in the environment or in "
        "`.streamlit/secrets.toml`, restart the console, then paste the callback URL below and that verify token "
        "into your app's WhatsApp webhook settings and subscribe to the fields you want.",
        icon="🔌",
    )
elif not setup.handshake_ready:
    st.warning(
        "Meta cannot verify the callback yet: set `WEBHOOK_VERIFY_TOKEN` (any long random text you choose), "
        "restart the console and paste the same text into your app's webhook settings.",
        icon="🔑",
    )
st.markdown("**Callback URL**")
if setup.callback_url:
    st.code(setup.callback_url, language=None)
else:
    st.caption("Set `CONSOLE_BASE_URL` to the address Meta reaches this console at, e.g. https://console.example.com.")
if setup.verify_token:
    st.markdown("**Verify token**")
    st.code(setup.verify_token, language=None)
    st.caption(
        "Demo mode: the built-in Graph API simulator posts signed events to this callback, so you can watch them "
        "arrive below. Outside demo mode the verify token is the `WEBHOOK_VERIFY_TOKEN` you set."
    )
elif setup.receiving:
    st.caption("The verify token is the `WEBHOOK_VERIFY_TOKEN` you set; it is not shown here.")

tz = viewer_zone()
times = st.column_config.DatetimeColumn(format=COLUMN_FORMAT, width=130)
# Wide enough for most of Meta's sentences at 1440 px; the cell's tooltip holds the rest.
sentence = st.column_config.TextColumn(width=560)
account = st.column_config.TextColumn(width=190)
with Session(page.console.engine) as session:
    last = activity.events_table(session=session, events=activity.last_per_account(session=session), tz=tz)
    events = activity.events_table(session=session, events=activity.recent_events(session=session), tz=tz)
    refused = activity.refusals_table(activity.recent_refusals(session=session), tz)

if not events.empty:
    st.markdown(f"Newest event: {plain(events['What happened'].iloc[0])}")
st.subheader("Last event of each WhatsApp Business Account")
if last.empty:
    st.info("No webhook event has arrived yet.")
else:
    st.dataframe(
        last[["WhatsApp Business Account", "What happened", "Received"]],
        hide_index=True,
        width="stretch",
        column_config={"Received": times, "WhatsApp Business Account": account, "What happened": sentence},
    )

st.subheader("Refused deliveries")
if refused.empty:
    st.success("No delivery has been refused.")
else:
    st.dataframe(refused, hide_index=True, width="stretch", column_config={"Refused": times})
    st.caption(f"The newest {activity.REFUSALS_SHOWN}. Nothing of a refused delivery is stored but these facts.")

st.subheader("Events, newest first")
if events.empty:
    st.info("No webhook event has arrived yet.")
else:
    # The sentence first: the table is read for what happened; the rest says when, where and how it was kept.
    order = ["Received", "What happened", "WhatsApp Business Account", "About", "Happened"]
    order += [column for column in events.columns if column not in order]
    st.dataframe(
        events[order],
        hide_index=True,
        width="stretch",
        column_config={
            "Received": times,
            "Happened": times,
            "WhatsApp Business Account": account,
            "What happened": sentence,
        },
    )
    st.caption(f"Times in {zone_name(tz)}. The newest {activity.EVENTS_SHOWN} events.")
