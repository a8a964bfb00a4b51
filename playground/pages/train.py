"""Train: pick a lesson experiment, change any setting, train, and watch the network learn live.

The page is drawn top to bottom as this script runs, and a visitor waits for the Train button most: it is drawn
first, the summary above it fills in afterwards, and the dataset is checked last (loading it takes ~0.7 s).
Its parts (Train and Stop, the live view, the results) are in pages/parts/training_panel.py; the sidebar's in
pages/parts/settings.py.
"""

from __future__ import annotations

import time

import streamlit as st

from playground.network.numpy_net import planned_summary_rows
from playground.pages.parts.common import dataset, session_lab, trainer_pool
from playground.pages.parts.settings import first_look, first_look_sidebar, settings_delay, settings_sidebar
from playground.pages.parts.training_panel import results, summary_markdown, training_panel, whole_live_chart_again

st.set_page_config(page_title="Train · Fashion-MNIST playground", layout="wide")
st.title("Train a network")
st.write(
    "Pick one of the lesson's experiments in the sidebar, change anything you like, and press **Train**. "
    "The charts show the network learning, batch by batch. Training keeps going if you visit another page."
)
notes_slot, summary_slot = st.container(), st.container()
lab = session_lab()
run = lab.current
st.session_state.results_shown_for = run.uid if run is not None else None  # what the page below is about
whole_live_chart_again(run)
st.fragment(training_panel, key="training_panel")()

quick = first_look()
# A link's or a setting's problem is said at the top.
config = first_look_sidebar(notes=notes_slot) if quick else settings_sidebar(notes=notes_slot)
rows = planned_summary_rows(config)
parameters = sum(row["parameters"] for row in rows)
with summary_slot.expander(f"Model summary: {parameters:,} weights to learn", expanded=run is None):
    st.markdown(summary_markdown(rows))
    st.caption("Each weight is a number the optimizer adjusts. The lecture model has 101,770.")

if quick:
    # The browser draws this first view meanwhile; then the whole page again, with its settings. (A fragment's
    # timer asking for them instead was measured to uncheck the sidebar's toggles in 6 of 10 busy tabs.)
    time.sleep(settings_delay())
    st.rerun()
data = dataset()  # a missing or corrupt copy is said here, before anyone presses Train
if run is None:
    trainer_pool().warm_up()  # after the page is drawn: the first Train press then finds TensorFlow loaded
    st.stop()

results(run, data, lab.runs)
