"""This console's own address: as the browser sees it, and as the demo's simulator posts to it."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from services.runtime import Console
from services.webhooks import demo_feed

_ANY_ADDRESS = ("", "0.0.0.0", "::")


def browser_origin() -> str | None:
    """scheme://host[:port] and Streamlit's base path, from the page's URL or its headers; None when neither tells."""
    base_path = str(st.get_option("server.baseUrlPath") or "").strip("/")
    suffix = f"/{base_path}" if base_path else ""
    if st.context.url:
        parts = urlsplit(st.context.url)
        return f"{parts.scheme}://{parts.netloc}{suffix}"
    headers = st.context.headers
    host = headers.get("X-Forwarded-Host") or headers.get("Host")
    if not host:
        return None
    scheme = (headers.get("X-Forwarded-Proto") or "http").split(",")[0].strip()
    return f"{scheme}://{host.split(',')[0].strip()}{suffix}"


def own_url(console: Console) -> str:
    """CONSOLE_BASE_URL if set, else this server on Streamlit's `server.address` and `server.port`."""
    if console.settings.console_base_url:
        return console.settings.console_base_url
    address = str(st.get_option("server.address") or "")
    host = "127.0.0.1" if address in _ANY_ADDRESS else address
    base_path = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"http://{host}:{st.get_option('server.port')}" + (f"/{base_path}" if base_path else "")


def start_demo_webhooks(console: Console) -> None:
    """In demo mode, once a browser has reached this server (so it serves HTTP), the simulator posts to it."""
    if console.settings.demo and st.context.url:
        demo_feed.start(console, base_url=own_url(console))
