"""Train: pick a lesson experiment, change any setting, train, and watch the network learn live."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from playground import charts
from playground.config import ExperimentConfig
from playground.model import build_model, summary_rows
from playground.pages.common import dataset, session_lab
from playground.pages.results import show_results
from playground.pages.settings import settings_sidebar
from playground.training import RunState, TrainingRun

LIVE_REFRESH_SECONDS = 0.4  # the live view redraws ~2.5 times per second


@st.cache_data(max_entries=64, show_spinner=False)
def model_summary(flat_config: dict) -> tuple[list[dict], int]:
    model = build_model(ExperimentConfig.from_flat_dict(flat_config))
    return summary_rows(model), model.count_params()


# -- The page ---------------------------------------------------------------------------

st.set_page_config(page_title="Train · Fashion-MNIST playground", layout="wide")
st.title("Train a network")
st.write(
    "Pick one of the lesson's experiments in the sidebar, change anything you like, and press **Train**. "
    "The charts show the network learning, batch by batch. Training keeps going if you visit another page."
)
data = dataset()
lab = session_lab()

config = settings_sidebar()

rows, parameters = model_summary(config.to_flat_dict())
with st.expander(f"Model summary: {parameters:,} weights to learn", expanded=lab.current is None):
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("Each weight is a number the optimizer adjusts. The lecture model has 101,770.")

run = lab.current
active = run is not None and not run.snapshot.state.done
train_column, stop_column, _ = st.columns([1, 1, 4])
if train_column.button(
    "Train",
    type="primary",
    icon=":material/play_arrow:",
    disabled=active,
    key="train_button",
    help="Start training with these settings." if not active else "Stop the current run first.",
):
    run = lab.start(config, data)
    active = True
stop_column.button(
    "Stop",
    icon=":material/stop:",
    disabled=not active,
    key="stop_button",
    on_click=(run.stop if run is not None else None),
    help="End training after the current batch. The model trained so far is kept.",
)


# -- Live view ----------------------------------------------------------------------------


def describe(snap) -> str:
    if snap.state is RunState.QUEUED:
        return f"Waiting for a free trainer: you are number {snap.queue_position} in the queue."
    if snap.state is RunState.STOPPING:
        return "Stopping after this batch…"
    eta = f", about {snap.eta:.0f} s left" if snap.eta else ""
    return f"Epoch {snap.epoch} of {snap.epochs} · {snap.examples_seen:,} images seen · {snap.elapsed:.0f} s{eta}"


def live_view(run: TrainingRun) -> None:
    snap = run.snapshot
    if not snap.state.done:
        st.progress(snap.progress, text=describe(snap))
    elif snap.state is RunState.FAILED:
        st.error(snap.error, icon=":material/error:")
    else:
        st.success(f"Training {snap.state.value}: {snap.stop_reason}. ({snap.elapsed:.0f} s)", icon=":material/check:")
    st.plotly_chart(charts.live_training_figure(snap), key="live_chart", config={"displayModeBar": False})
    if snap.state.done and st.session_state.get("finished_run") != id(run):
        st.session_state.finished_run = id(run)
        st.rerun()  # once, to stop the timer and draw the results below


if run is None:
    st.info("Press **Train** to start. The lecture model takes about 10 seconds here.", icon=":material/school:")
    st.stop()

st.subheader("Watch it learn")
st.fragment(run_every=LIVE_REFRESH_SECONDS if active else None, key="live_view")(live_view)(run)


# -- Results ------------------------------------------------------------------------------

show_results(run, data, lab.runs)
