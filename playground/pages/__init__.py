"""The Streamlit pages: thin scripts wiring widgets to the core, run through streamlit_app.py; each reads top to
bottom as what the visitor sees. Their helpers (widgets and Streamlit state) are in pages/parts/.

May import: every part.
"""
