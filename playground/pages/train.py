"""Train: pick a lesson experiment, change any setting, train, and watch the network learn live."""

from __future__ import annotations

import time

import streamlit as st

from playground.config import ConfigError
from playground.numpy_net import summary_rows
from playground.pages.parts.common import (
    current_config,
    dataset,
    dataset_problem,
    keep_pace,
    refresh_seconds,
    session_lab,
    trainer_pool,
)
from playground.pages.parts.settings import (
    chosen_config,
    first_look,
    first_look_sidebar,
    forget_link_notes,
    settings_delay,
    settings_sidebar,
)
from playground.snapshots import RunState
from playground.workers import RemoteRun, TrainerBusy, wait_in_words

LONG_WAIT_SECONDS = 300  # past this, a waiting visitor is told plainly that it will take a while


def summary_markdown(rows: list[dict]) -> str:
    lines = ["| layer | kind | output shape | weights |", "| --- | --- | --- | ---: |"]
    lines += [f"| {r['layer']} | {r['kind']} | {r['output shape']} | {r['parameters']:,} |" for r in rows]
    return "\n".join(lines)


# -- The page ---------------------------------------------------------------------------

st.set_page_config(page_title="Train · Fashion-MNIST playground", layout="wide")
st.title("Train a network")
st.write(
    "Pick one of the lesson's experiments in the sidebar, change anything you like, and press **Train**. "
    "The charts show the network learning, batch by batch. Training keeps going if you visit another page."
)
# The page is drawn top to bottom as its script runs, and a visitor waits for the Train button most: it is drawn
# first, the summary above it fills in afterwards, and the dataset is checked last (loading it takes ~0.7 s).
notes_slot, summary_slot = st.container(), st.container()
lab = session_lab()


def press_train() -> None:
    """Runs before the page is drawn again, so the page already shows the new run and a disabled Train."""
    forget_link_notes()
    problem = dataset_problem()
    if problem is not None:  # nothing to train on: the page says so and nothing starts
        st.session_state.trainer_busy = problem
        return
    try:
        config = chosen_config()  # this very click may also have committed a typed-in value
    except ConfigError:
        config = current_config()  # the page says what is wrong; the last good settings train
    try:
        session_lab().start(config)
    except TrainerBusy as busy:
        st.session_state.trainer_busy = str(busy)


# -- Live view ----------------------------------------------------------------------------


def describe(snap) -> str:
    if snap.state is RunState.QUEUED and snap.queue_position == 0:
        return "Getting a trainer ready (it loads TensorFlow the first time, a few seconds)…"
    if snap.state is RunState.QUEUED:
        wait = wait_in_words(snap.estimated_wait)
        text = (
            f"Waiting for a free trainer: you are number {snap.queue_position} in the queue, {wait} to go. "
            "Your run starts by itself; the other pages work meanwhile."
        )
        if snap.estimated_wait and snap.estimated_wait > LONG_WAIT_SECONDS:
            text += " Many people are training at once, so this is a long wait: fewer epochs or images go faster."
        return text
    if snap.state is RunState.STOPPING:
        return "Stopping after this batch…"
    eta = f", about {snap.eta:.0f} s left" if snap.eta else ""
    return f"Epoch {snap.epoch} of {snap.epochs} · {snap.examples_seen:,} images seen · {snap.elapsed:.0f} s{eta}"


def live_view(run: RemoteRun, refresh: float | None) -> None:
    snap = run.snapshot
    keep_pace(snap, refresh)
    if not snap.state.done:
        st.progress(snap.progress, text=describe(snap))
    elif snap.state is RunState.FAILED:
        st.error(snap.error, icon=":material/error:")
    else:
        st.success(f"Training {snap.state.value}: {snap.stop_reason}. ({snap.elapsed:.0f} s)", icon=":material/check:")
    if snap.batch_points or snap.epoch_history:
        from playground.pages.parts.live_chart import live_chart  # with Plotly, once a run exists

        live_chart(run, snap, "live_chart", "fashion-training-live")
    elif not snap.state.done:
        # Nothing to plot yet. Plotly is the heaviest script a browser loads here (a class pressing Train
        # together on slow machines would each load it at the moment of their click): it comes with the first
        # numbers, and the click is answered by the bar above alone.
        st.caption("The chart appears with the first batches.")
    if snap.state.done and st.session_state.get("finished_run") != run.uid:
        st.session_state.finished_run = run.uid
        st.rerun()  # once, to stop the timer and draw the results below


def training_panel() -> None:
    """Train, Stop and the live view. A click here reruns only this part: the sidebar and the summary stay as
    they are, which spares a busy browser most of the work (a class of 30 may share one slow machine)."""
    run = session_lab().current
    shown = st.session_state.get("results_shown_for")
    if run is not None and shown is not None and shown != run.uid:
        st.rerun()  # a new run replaces the last one's results below: redraw the whole page, once
    active = run is not None and not run.snapshot.state.done
    train_column, stop_column, _ = st.columns([1, 1, 4])
    train_column.button(
        "Train",
        type="primary",
        icon=":material/play_arrow:",
        disabled=active,
        key="train_button",
        on_click=press_train,
        help="Start training with these settings." if not active else "Stop the current run first.",
    )
    stop_column.button(
        "Stop",
        icon=":material/stop:",
        disabled=not active,
        key="stop_button",
        on_click=(run.stop if run is not None else None),
        help="End training after the current batch. The model trained so far is kept.",
    )
    if "trainer_busy" in st.session_state:  # nothing was started, nothing changed: say why
        st.warning(st.session_state.pop("trainer_busy"), icon=":material/hourglass_top:")
    if run is None:
        st.info("Press **Train** to start. The lecture model takes about 10 seconds here.", icon=":material/school:")
        return
    st.subheader("Watch it learn")
    refresh = refresh_seconds(run.snapshot)
    st.fragment(run_every=refresh, key="live_view")(live_view)(run, refresh)


run = lab.current
st.session_state.results_shown_for = run.uid if run is not None else None  # what the page below is about
if run is not None:  # the whole page is drawn: the live chart's whole figure too (a visitor may be back from elsewhere)
    from playground.pages.parts.live_chart import send_everything_again

    send_everything_again("live_chart")
st.fragment(training_panel, key="training_panel")()

quick = first_look()
# A link's or a setting's problem is said at the top.
config = first_look_sidebar(notes=notes_slot) if quick else settings_sidebar(notes=notes_slot)
rows = summary_rows(config)
parameters = sum(row["parameters"] for row in rows)
with summary_slot.expander(f"Model summary: {parameters:,} weights to learn", expanded=run is None):
    # A few rows as a Markdown table: a data grid, or even st.table (which needs the Arrow library in the
    # browser), cost each browser far more when a whole class loads this page at once on slow machines.
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


# -- Results ------------------------------------------------------------------------------

from playground.pages.parts.results import show_results  # noqa: E402  (pandas and Plotly, needed only from here on)

show_results(run, data, lab.runs)
