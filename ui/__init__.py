"""Shared Streamlit pieces: page set-up, cached resources, badges."""
