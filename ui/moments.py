"""The viewer's time zone, the one every page shows times in."""

from __future__ import annotations

from datetime import tzinfo

import streamlit as st

from services.moments import display_zone
from ui import resources


def viewer_zone() -> tzinfo:
    """The browser's time zone (UTC when it tells none), unless the setting DISPLAY_TIMEZONE pins one."""
    return display_zone(resources.console().settings.display_timezone, st.context.timezone)
