"""The pages' parts: Streamlit helpers the page scripts in playground/pages/ use (widgets, shared session state,
the live chart, the results). They may import Streamlit and the core (playground/); the core never imports them.
"""
