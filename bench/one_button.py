"""The smallest Streamlit page that answers a Train click: bench/clicks.py's floor.

A title, a sentence, and a Train button in a fragment (as on the Train page) whose click shows a progress bar
with a queue message. Nothing is trained: whatever a click costs here, any Streamlit page pays.

    .venv/bin/python -m streamlit run bench/one_button.py
"""

import streamlit as st

st.title("One button")
st.write("As small as a Streamlit page that answers a click gets.")


@st.fragment
def panel() -> None:
    if st.button("Train", key="train_button", type="primary"):
        st.session_state.pressed = True
    if st.session_state.get("pressed"):
        st.progress(0.0, text="Waiting for a free trainer: you are number 3 in the queue, about 30 s to go.")


panel()
