"""A run as the web process holds it: snapshots arrive from a worker, the model comes back as NumPy weights.

It reads like playground.training.engine.TrainingRun (snapshot, stop, checkpoint, evaluation) without TensorFlow. Its
queue (the pool, playground.server.workers.WorkerPool) feeds it through the methods marked "for the queue" and answers
the two questions it asks (RunQueue).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import replace
from typing import Protocol

import numpy as np

from playground.network.evaluation import Evaluation
from playground.settings.config import ExperimentConfig
from playground.training.snapshots import RunState, Snapshot


class TrainerBusy(Exception):
    """A run can't be accepted now or at all; the message says why and what to do, in plain words."""


class RunQueue(Protocol):
    """What a run asks of the queue that holds it."""

    def place(self, run: RemoteRun) -> tuple[int, float | None]:
        """(position counted from 1, estimated seconds until it starts); (0, None) if it is not waiting."""
        ...

    def stop(self, run: RemoteRun) -> None: ...


# -- The visitor's handle -----------------------------------------------------------------------

_run_numbers = itertools.count(1)


class RemoteRun:
    """One run as the web process sees it: snapshots arrive from a worker; the model comes back as weights."""

    def __init__(self, config: ExperimentConfig, pool: RunQueue):
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

    # -- for the queue, which feeds it what the worker sends
    @property
    def latest(self) -> Snapshot:
        """The last snapshot as it came, without the queue's place and wait."""
        return self._snapshot

    def update(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    def keep_checkpoint(self, epoch: int, weights: list[np.ndarray]) -> None:
        self.checkpoint = (epoch, weights)  # one assignment: readers see a pair

    def finish(
        self, snapshot: Snapshot, weights: list[np.ndarray] | None = None, evaluation: Evaluation | None = None
    ) -> None:
        """The end: the final snapshot with what the run leaves (nothing if it never trained or its worker died).
        The weights and test results are in place before the snapshot says the run has ended."""
        self.weights, self.evaluation = weights, evaluation
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
