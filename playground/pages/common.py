"""What every page shares: the dataset (once per server), this session's runs, the chosen settings."""

from __future__ import annotations

import sys

import streamlit as st

from playground.config import LECTURE, ExperimentConfig
from playground.data import DataError, FashionMNIST, load_fashion_mnist
from playground.training import TrainingRun


def _keep_keras_state_between_runs() -> None:
    """Stop Streamlit from calling keras.backend.clear_session() after every script run.

    Streamlit does it to tidy up after scripts that build models on each run. Here models live in background
    threads, and each refresh of the live view would run a gc.collect() and clear TensorFlow's kernel cache
    under a running training: measured, that made a 2-epoch run take 25 s instead of 5 s while watched.
    """
    from streamlit.runtime.scriptrunner import script_runner

    def clean_matplotlib_only() -> None:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close("all")

    if hasattr(script_runner, "_clean_problem_modules"):
        script_runner._clean_problem_modules = clean_matplotlib_only


_keep_keras_state_between_runs()


@st.cache_resource(show_spinner="Loading the 70,000 Fashion-MNIST images…")
def _dataset() -> FashionMNIST:
    return load_fashion_mnist()


def dataset() -> FashionMNIST:
    """The real dataset, loaded once per server process; a missing or corrupt copy stops the page politely."""
    try:
        return _dataset()
    except DataError as error:
        st.error(f"The Fashion-MNIST images could not be loaded. {error}", icon=":material/error:")
        st.stop()


class SessionLab:
    """The runs one browser session has trained, newest last; closing the tab stops them."""

    def __init__(self) -> None:
        self.runs: list[TrainingRun] = []

    @property
    def current(self) -> TrainingRun | None:
        return self.runs[-1] if self.runs else None

    def start(self, config: ExperimentConfig, data: FashionMNIST) -> TrainingRun:
        run = TrainingRun(config, data).start()
        self.runs.append(run)
        del self.runs[:-8]  # keep the last eight for comparison; older models are let go
        return run

    def release(self) -> None:
        for run in self.runs:
            run.stop()


@st.cache_resource(scope="session", on_release=SessionLab.release, show_spinner=False)
def session_lab() -> SessionLab:
    """One SessionLab per browser session: survives reruns and page changes, released with the tab."""
    return SessionLab()


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
