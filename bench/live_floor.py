"""The control for bench/liveview.py: the least a Streamlit page that refreshes itself can cost a browser tab.

A title, an expander, and a fragment that reruns every PLAYGROUND_FLOOR_SECONDS (default 0.25, the live view's
refresh) and shows a progress bar and one line of text that change each time, as the Train page's live view does
around its chart. No chart, no training: what a slowed tab spends here, every Streamlit page that refreshes this
often spends. bench/live_control.py measures it the way bench/liveview.py measures the playground.

    .venv/bin/python -m streamlit run bench/live_floor.py
"""

import os
import time

import streamlit as st

EVERY = float(os.environ.get("PLAYGROUND_FLOOR_SECONDS", "0.25"))

st.title("Live floor")
with st.expander("Model summary"):
    st.write("Each weight is a number the network learns.")


@st.fragment(run_every=EVERY)
def live() -> None:
    tick = st.session_state.get("tick", 0) + 1
    st.session_state.tick = tick
    st.progress(tick % 100 / 100, text=f"Epoch {tick // 40 + 1} of 15 · batch {tick}")
    st.caption(f"Refreshed {tick} times, {time.strftime('%H:%M:%S')}")


live()
