"""The console's HTTP routes beside Streamlit's own, served by `st.App` from the same process.

Owns the Starlette routes list and the lifespan (start-up and shut-down work of the process). Handlers
here are thin: they call the domain packages (access, health, webhooks, ...) and never import streamlit.
"""
