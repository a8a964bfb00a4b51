"""A training run's state in words: the line under the live progress bar, and what a screen reader is told.

No Streamlit here: the Train page (playground/pages/train.py, through pages/parts/training_panel.py) places the words.
"""

from __future__ import annotations

from playground.server.workers import wait_in_words
from playground.training.snapshots import RunState, Snapshot

LONG_WAIT_SECONDS = 300  # past this, a waiting visitor is told plainly that it will take a while


def progress_line(snap: Snapshot) -> str:
    """The progress bar's caption, new at every look: the queue, or the epoch, images seen and time left."""
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


def announcement(snap: Snapshot) -> str:
    """What a screen reader is told, politely: it changes at most once per epoch (or queue place), never with
    every batch, so a listener hears the run's steps and not a stream of numbers."""
    if snap.state is RunState.FAILED:
        return f"Training failed: {snap.error}"
    if snap.state.done:
        return f"Training {snap.state.value}: {snap.stop_reason}."
    if snap.state is RunState.QUEUED and snap.queue_position > 0:
        return f"Waiting for a free trainer: number {snap.queue_position} in the queue."
    if snap.state is RunState.QUEUED:
        return "Getting a trainer ready."
    if snap.state is RunState.STOPPING:
        return "Stopping after this batch."
    if not snap.epoch_history:
        return f"Training started: {snap.epochs} epoch{'' if snap.epochs == 1 else 's'} to go."
    last = snap.epoch_history[-1]
    said = f"Epoch {last.epoch} of {snap.epochs}: accuracy {last.accuracy:.0%}"
    if last.val_accuracy is not None:
        said += f", {last.val_accuracy:.0%} on images kept aside"
    return said + "."
