import streamlit as st
from sqlmodel import Session

from services.language.formatting import number_text
from services.language.translate import _
from services.moments import column_format, zone_name
from services.webhooks import activity
from ui.console_url import browser_origin
from ui.layout import page_setup
from ui.moments import viewer_zone
from ui.text import plain

page = page_setup("Webhooks", icon="🪝")
st.title(_("Webhooks"))
st.caption(
    _(
        "Meta posts what polling misses (bans, restrictions, limit and display name decisions) to the console as it "
        "happens. Each delivery is checked against the app secret, stored, then applied to the numbers' health."
    )
)

if not page.actor.is_admin:
    st.info(_("Only admins can see the webhook settings and what Meta has sent."))
    st.stop()

settings = page.console.settings
setup = activity.setup(settings, browser_origin())
st.subheader(_("Connect Meta's app"))
if not setup.receiving:
    st.warning(
        _(
            "Webhooks are off: the console has no app secret to check Meta's signature with, so it refuses every "
            "delivery. To turn them on, set `META_APP_SECRET` (your Meta app's secret: App settings › Basic) and "
            "`WEBHOOK_VERIFY_TOKEN` (any long random text you choose) in the environment or in "
            "`.streamlit/secrets.toml`, restart the console, then paste the callback URL below and that verify token "
            "into your app's WhatsApp webhook settings and subscribe to the fields you want."
        ),
        icon="🔌",
    )
elif not setup.handshake_ready:
    st.warning(
        _(
            "Meta cannot verify the callback yet: set `WEBHOOK_VERIFY_TOKEN` (any long random text you choose), "
            "restart the console and paste the same text into your app's webhook settings."
        ),
        icon="🔑",
    )
st.markdown("**{label}**".format(label=_("Callback URL")))
if setup.callback_url:
    st.code(setup.callback_url, language=None)
else:
    st.caption(
        _("Set `CONSOLE_BASE_URL` to the address Meta reaches this console at, e.g. `https://console.example.com`.")
    )
if setup.verify_token:
    st.markdown("**{label}**".format(label=_("Verify token")))
    st.code(setup.verify_token, language=None)
    st.caption(
        _(
            "Demo mode: the built-in Graph API simulator posts signed events to this callback, so you can watch them "
            "arrive below. Outside demo mode the verify token is the `WEBHOOK_VERIFY_TOKEN` you set."
        )
    )
elif setup.receiving:
    st.caption(_("The verify token is the `WEBHOOK_VERIFY_TOKEN` you set; it is not shown here."))

tz = viewer_zone()
times = st.column_config.DatetimeColumn(format=column_format(), width=130)
# Wide enough for most of Meta's sentences at 1440 px; the cell's tooltip holds the rest.
sentence = st.column_config.TextColumn(width=560)
account = st.column_config.TextColumn(width=190)
with Session(page.console.engine) as session:
    last = activity.events_table(session=session, events=activity.last_per_account(session=session), tz=tz)
    events = activity.events_table(session=session, events=activity.recent_events(session=session), tz=tz)
    refused = activity.refusals_table(activity.recent_refusals(session=session), tz)

RECEIVED, HAPPENED, ACCOUNT, ABOUT, WHAT = (
    _("Received"),
    _("Happened"),
    _("WhatsApp Business Account"),
    _("About"),
    _("What happened"),
)
if not events.empty:
    st.markdown(_("Newest event: {event}", event=plain(events[WHAT].iloc[0])))
st.subheader(_("Last event of each WhatsApp Business Account"))
if last.empty:
    st.info(_("No webhook event has arrived yet."))
else:
    st.dataframe(
        last[[ACCOUNT, WHAT, RECEIVED]],
        hide_index=True,
        width="stretch",
        column_config={RECEIVED: times, ACCOUNT: account, WHAT: sentence},
    )

st.subheader(_("Refused deliveries"))
if refused.empty:
    st.success(_("No delivery has been refused."))
else:
    st.dataframe(refused, hide_index=True, width="stretch", column_config={_("Refused"): times})
    st.caption(
        _(
            "The newest {count}. Nothing of a refused delivery is stored but these facts.",
            count=number_text(activity.REFUSALS_SHOWN),
        )
    )

st.subheader(_("Events, newest first"))
if events.empty:
    st.info(_("No webhook event has arrived yet."))
else:
    # The sentence first: the table is read for what happened; the rest says when, where and how it was kept.
    order = [RECEIVED, WHAT, ACCOUNT, ABOUT, HAPPENED]
    order += [column for column in events.columns if column not in order]
    st.dataframe(
        events[order],
        hide_index=True,
        width="stretch",
        column_config={RECEIVED: times, HAPPENED: times, ACCOUNT: account, WHAT: sentence},
    )
    st.caption(
        _(
            "Times in {zone}. The newest {count} events.",
            zone=zone_name(tz),
            count=number_text(activity.EVENTS_SHOWN),
        )
    )
