"""The server: Streamlit's own (st.App, Streamlit's public ASGI app) plus one route, the live chart's feed.

    streamlit run app.py

runs streamlit_app.py (the navigation) with playground.server.live_feed's route beside it, so a live view draws
its new points without rerunning the page. `streamlit run streamlit_app.py` works too: the live views then rerun
a few times a second, as they must without the route (much heavier on a slow device: bench/liveview.py).
"""

import streamlit as st

from playground.server.live_feed import routes

app = st.App("streamlit_app.py", routes=routes(st.get_option("server.baseUrlPath")))
