"""What every page shares: the dataset (once per server), this session's runs, the chosen settings.

The web process never imports TensorFlow: training runs in worker processes (playground.server.workers) and answers
come from NumPy (playground.network.numpy_net). That also keeps Streamlit's after-run clean-up, which clears Keras'
state when Keras is loaded, away from any model.
"""

from __future__ import annotations

import streamlit as st

from playground.data.fashion_mnist import DataError, FashionMNIST, load_fashion_mnist
from playground.server import live_feed
from playground.server.run_words import progress_line
from playground.server.workers import RemoteRun, WorkerPool, default_pool
from playground.settings.config import LECTURE, ExperimentConfig
from playground.training.snapshots import Snapshot

# How often a live view without the live feed reruns to look for news (with it, live_feed.HEARTBEAT_SECONDS): as
# often as the feed's page would look (live_feed.look_seconds), but half as often for a browser that said it is slow
# to draw (live_chart.js): every look is a rerun, for the tab and for the one web process that serves everybody.
SLOW_DEVICE_REFRESH_SECONDS = 0.5


@st.cache_resource(show_spinner="Loading the 70,000 Fashion-MNIST images…")
def _dataset() -> FashionMNIST:
    return load_fashion_mnist()


def dataset_problem() -> str | None:
    """What is wrong with the dataset, in words for the page, or None once it has loaded."""
    try:
        _dataset()
    except DataError as error:
        return f"The Fashion-MNIST images could not be loaded. {error}"
    return None


def dataset() -> FashionMNIST:
    """The real dataset, loaded once per server process; a missing or corrupt copy stops the page politely."""
    problem = dataset_problem()
    if problem is not None:
        st.error(problem, icon=":material/error:")
        st.stop()
    return _dataset()


MAX_RUNS_KEPT = 8  # per session, for the comparison table; older ones are let go with their models


def trainer_pool() -> WorkerPool:
    """The server's one queue of trainings (worker processes); see playground.server.workers for its limits."""
    return default_pool()


class SessionLab:
    """The runs one browser session has trained, newest last; closing the tab stops them."""

    def __init__(self) -> None:
        self.runs: list[RemoteRun] = []

    @property
    def current(self) -> RemoteRun | None:
        return self.runs[-1] if self.runs else None

    def start(self, config: ExperimentConfig) -> RemoteRun:
        """Queue a run on the server's trainers; TrainerBusy (with a plain reason) if it can't be taken."""
        run = trainer_pool().submit(config)
        for older in self.runs:
            older.superseded = True  # may give its model back when memory runs short
        self.runs.append(run)
        del self.runs[:-MAX_RUNS_KEPT]
        return run

    def release(self) -> None:
        for run in self.runs:
            run.stop()


@st.cache_resource(scope="session", on_release=SessionLab.release, show_spinner=False)
def session_lab() -> SessionLab:
    """One SessionLab per browser session: survives reruns and page changes, released with the tab."""
    return SessionLab()


def live_feed_token(run: RemoteRun, line=progress_line) -> str | None:
    """The token the browser fetches `run`'s news with (playground.server.live_feed), its bar worded by `line`; None
    when there is no such route (AppTest, streamlit_app.py run alone) or this browser could not reach it."""
    if st.session_state.get("no_live_feed"):
        return None
    return live_feed.token_for(run, line)


def refresh_seconds(snapshot: Snapshot, fed: bool = False) -> float | None:
    """A live view's timer for this snapshot, `fed` if its browser fetches the news itself: None once the run has
    ended (see keep_pace)."""
    if snapshot.state.done:
        return None
    if fed:
        return live_feed.HEARTBEAT_SECONDS
    look = live_feed.look_seconds(snapshot)
    if look == live_feed.TRAINING_LOOK_SECONDS and st.session_state.get("slow_device"):
        return SLOW_DEVICE_REFRESH_SECONDS
    return look


def keep_pace(snapshot: Snapshot, refresh: float | None, fed: bool = False) -> None:
    """In a live view whose timer was set to `refresh`: if the snapshot now wants another pace (nearer the front
    of the queue, or its turn has come), rerun the page once to set it. An ended run's view stops its own timer."""
    if not snapshot.state.done and refresh_seconds(snapshot, fed) != refresh:
        st.rerun()


def current_config() -> ExperimentConfig:
    """The settings chosen on the Train page, kept across pages."""
    return st.session_state.get("config", LECTURE)


def training_badge() -> None:
    """A small note on any page while this session's model trains, so nobody forgets it is running."""
    run = session_lab().current
    if run is not None and not run.snapshot.state.done:
        snap = run.snapshot
        st.caption(
            f":material/model_training: Your model is training in the background "
            f"(epoch {snap.epoch} of {snap.epochs}, {snap.progress:.0%}). The Train page shows it live."
        )


@st.cache_resource(show_spinner="Loading the ready-made model…")
def ready_made_classifier():
    """The shipped model, read once for the whole server and shared by Try it and the Lesson."""
    from playground.answers.inference import Classifier  # NumPy only; imported when a page first needs an answer

    return Classifier.pretrained()
