"""The Train page's "Take it home" buttons: the model as .keras (also mid-training), its history, the comparison
of runs and a record of the run. Every file is built when clicked (playground/network/exports.py), never kept in
memory."""

from __future__ import annotations

import streamlit as st

from playground.network import exports
from playground.server.workers import RemoteRun
from playground.training.snapshots import RunState

# While a run trains (or waits), its "model so far" download is refreshed this often: new weights come once an
# epoch, and a queue of 30 visitors should cost the server little.
RUNNING_DOWNLOAD_SECONDS = 3.0


def _model_file(run: RemoteRun):
    """The model's bytes, built when the visitor clicks (a .keras file is never kept in memory)."""

    def build() -> bytes:
        weights = run.kept_weights
        if weights is None:
            raise ValueError("this run gave its model back to free memory")
        return exports.keras_archive(run.config, weights)

    return build


def _download(label: str, data, file_name: str, mime: str, key: str, help: str, disabled: bool = False) -> None:
    # on_click="ignore": a download reruns nothing (a class of 30 shares one server).
    st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        icon=":material/download:",
        on_click="ignore",
        disabled=disabled,
        key=key,
        help=help,
    )


def show_downloads(run: RemoteRun, runs: list[RemoteRun], name: str) -> None:
    """Four buttons: the model, its history, the comparison of runs and a record of this run."""
    st.subheader("Take it home")
    model, history, comparison, record = st.columns(4)
    released = run.kept_weights is None
    with model:
        _download(
            "Model (.keras)",
            _model_file(run),
            f"{name}.keras",
            "application/octet-stream",
            "download_model",
            "This run gave its model back to free memory; the other files are still here."
            if released
            else "Open it in Keras with keras.saving.load_model, or bring it back on the Try it page.",
            disabled=released,
        )
    with history:
        _download(
            "History (CSV)",
            lambda: exports.history_csv(run.snapshot),
            f"{name}-history.csv",
            "text/csv",
            "download_history",
            "Loss and accuracy after every epoch, then every point of the batch-by-batch curve.",
        )
    with comparison:
        _download(
            "All runs compared (CSV)",
            lambda: exports.comparison_csv(runs),
            "fashion-runs-compared.csv",
            "text/csv",
            "download_comparison",
            "The Compare runs table, with every setting of each run.",
        )
    with record:
        _download(
            "Record of this run (JSON)",
            lambda: exports.run_record_json(run),
            f"{name}.json",
            "application/json",
            "download_record",
            "Settings, the numbers after every epoch, the test results and the software versions, in one file.",
        )
    st.caption("Every chart also has a camera button (top right, when the mouse is over it) to save it as a picture.")


def show_running_download(run: RemoteRun) -> None:
    """While training: the model as it is after its last full epoch, refreshed as new epochs arrive."""

    def panel() -> None:
        checkpoint = run.checkpoint  # (epoch, weights), replaced whole after every epoch
        state = run.snapshot.state
        if state.done or state is RunState.QUEUED:
            return  # nothing yet, or the page draws the results in a moment
        if checkpoint is None:
            st.caption("After the first full epoch you can download the model as it is so far.")
            return
        epoch, weights = checkpoint
        _download(
            f"Model so far, after epoch {epoch} (.keras)",
            lambda: exports.keras_archive(run.config, weights),
            f"{exports.run_name(run.config, epoch)}.keras",
            "application/octet-stream",
            "download_model_so_far",
            "Training goes on; this file holds the weights after the last full epoch.",
        )

    st.fragment(run_every=RUNNING_DOWNLOAD_SECONDS, key="model_so_far")(panel)()
