"""A run as the web process holds it: snapshots arrive from a worker, the model comes back as NumPy weights.

It reads like playground.training.TrainingRun (snapshot, stop, checkpoint, evaluation) without TensorFlow; the
pool (playground.workers) feeds it.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from playground.config import ExperimentConfig
from playground.evaluation import Evaluation
from playground.snapshots import RunState, Snapshot

if TYPE_CHECKING:
    from playground.workers import WorkerPool


class TrainerBusy(Exception):
    """A run can't be accepted now or at all; the message says why and what to do, in plain words."""


# -- The visitor's handle -----------------------------------------------------------------------

_run_numbers = itertools.count(1)


class RemoteRun:
    """One run as the web process sees it: snapshots arrive from a worker; the model comes back as weights."""

    def __init__(self, config: ExperimentConfig, pool: WorkerPool):
        self.config = config
        self.pool = pool
        self.uid = next(_run_numbers)  # unique for the server's life (id() is reused after garbage collection)
        self.checkpoint: tuple[int, list[np.ndarray]] | None = None  # (epoch, weights) of the last full epoch
        self.weights: list[np.ndarray] | None = None  # the final weights once the run has ended
        self.evaluation: Evaluation | None = None
        self.model_released = False  # True once memory ran short and this older run gave its model back
        self.superseded = False  # the session has started a newer run
        self.finished_at: float | None = None
        self.dispatched_at: float | None = None  # when a worker was given it (time.monotonic)
        self._done = threading.Event()
        self._snapshot = Snapshot(epochs=config.epochs)

    def __repr__(self) -> str:
        s = self._snapshot
        return f"RemoteRun#{self.uid}({s.state.value}, epoch {s.epoch}/{s.epochs})"

    @property
    def snapshot(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot.state is RunState.QUEUED:
            position, wait = self.pool.place(self)
            return replace(snapshot, queue_position=position, estimated_wait=wait)
        return snapshot

    @property
    def kept_weights(self) -> list[np.ndarray] | None:
        """The best weights there are: the final ones, else the last full epoch's."""
        if self.weights is not None:
            return self.weights
        return self.checkpoint[1] if self.checkpoint else None

    def stop(self) -> None:
        """End the run after the current batch (or leave the queue); what it learned is kept."""
        self.pool.stop(self)

    def wait(self, timeout: float | None = None) -> Snapshot:
        self._done.wait(timeout)
        return self.snapshot

    def release_model(self) -> None:
        """Give the weights back to free memory; the history and numbers stay for comparison."""
        self.weights = self.checkpoint = None
        self.model_released = True

    # -- called by the pool
    def _update(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    def _end(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self.finished_at = time.monotonic()
        self._done.set()


def minutes_in_words(seconds: float) -> str:
    if seconds < 90:
        return f"{max(5, round(seconds / 5) * 5):.0f} seconds"
    return f"{seconds / 60:.0f} minutes"


def wait_in_words(seconds: float | None) -> str:
    """'about 40 seconds' / 'about 3 minutes', for the queue message."""
    return "a moment" if seconds is None else f"about {minutes_in_words(seconds)}"
