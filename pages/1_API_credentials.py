"""API credentials: the stored credentials and their actions, and the three-step "Create new API credentials"."""

import streamlit as st
from sqlmodel import Session

from services.credentials import lifecycle as credentials
from services.language.translate import _
from ui import credential_form as form
from ui.credential_card import credential_card, delete_dialog, rotation_dialog
from ui.layout import page_setup
from ui.moments import viewer_zone

page = page_setup("API credentials", icon="🔑")
console, actor = page.console, page.actor
zone = viewer_zone()
st.title(_("API credentials"))
form.show_flash()
form.resume(actor)

step = st.session_state.get("cred_step") if actor.is_admin else None
if step == 2 and st.session_state.get("cred_business_id"):
    form.step_two(console, actor)
elif step:
    form.step_one(console)
else:
    with Session(console.engine) as session:
        views = credentials.list_credentials(session=session, at=console.clock(), tz=zone)
    if not views:
        st.info(
            _(
                "An API credential is a Meta access token together with a business account ID, through which the "
                "console picks one WhatsApp Business Account and one of its phone numbers. Channel configurations "
                "send through it, and the console watches that number's quality rating and throughput."
            )
        )
    if actor.is_admin:
        st.button(_("Create new API credentials"), type="primary", on_click=form.start_flow, key="cred_create")
    else:
        st.caption(_("Only admins can create, replace or delete API credentials."))
    if console.settings.demo:
        with st.expander(_("Demo tokens and business account IDs"), expanded=not views):
            form.demo_hint()
    for view in views:
        credential_card(page, view, zone)
    chosen = {view.id: view for view in views}
    if st.session_state.get("cred_rotate_id") in chosen:
        rotation_dialog(page, chosen[st.session_state["cred_rotate_id"]])
    elif st.session_state.get("cred_delete_id") in chosen:
        delete_dialog(page, chosen[st.session_state["cred_delete_id"]])
form.keep_in_address()
