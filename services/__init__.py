"""Rules of the WhatsApp Channel Console. Nothing here imports Streamlit."""
