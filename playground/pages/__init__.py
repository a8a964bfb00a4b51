"""The Streamlit pages: thin scripts wiring widgets to the core. Run through streamlit_app.py."""
