"""The Keras callback of a live run: turns Keras' calls into snapshots, checks the stop rules and obeys Stop.

It runs in the training thread and keeps the run's bookkeeping itself (epoch, batch, epoch records, clock, the
last full epoch's weights, why the run ends early). Its run hands it two things: `publish`, which swaps in a
snapshot with some fields changed, and the Event that Stop sets; after model.fit the run reads the outcome here
(failure, end_reason, checkpoint, elapsed).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import keras
import numpy as np

from playground.settings.config import ExperimentConfig
from playground.training.snapshots import BatchPoint, BoundedHistory, EpochRecord, RunState
from playground.training.stop_rules import collapse_message, threshold_reason, time_limit_reason


class LiveMetrics(keras.callbacks.Callback):
    """Turns Keras' callback calls into snapshots, checks the lesson's thresholds, and obeys Stop."""

    def __init__(
        self,
        config: ExperimentConfig,
        train_examples: int,
        batches_per_epoch: int,
        publish: Callable[..., None],
        stop_requested: threading.Event,
        max_seconds: float | None = None,
    ):
        super().__init__()
        self.config = config
        self.train_examples = train_examples
        self.batches_per_epoch = batches_per_epoch
        self.max_seconds = max_seconds  # a server's limit per run: ends it as stopped, model kept
        self.history = BoundedHistory()
        self.failure = ""  # why the run failed, in words
        self.end_reason = ""  # a threshold's or the time limit's reason to end early; the first one given is shown
        self.checkpoint: tuple[int, list[np.ndarray]] | None = None  # (epoch, weights) of the last full epoch
        self._publish = publish
        self._stop_requested = stop_requested
        self._started_at = time.perf_counter()
        self._epoch = 0  # 1-based, as shown
        self._batches = 0  # done in the current epoch
        self._epoch_history: tuple[EpochRecord, ...] = ()
        self._previous = (0.0, 0.0, 0)  # running loss mean, accuracy mean, examples at the last point

    @property
    def elapsed(self) -> float:
        """Seconds since training began (model building and compiling not counted)."""
        return time.perf_counter() - self._started_at

    def on_train_begin(self, logs=None):
        self._started_at = time.perf_counter()
        self._publish(state=RunState.RUNNING)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch, self._batches = epoch + 1, 0
        self._previous = (0.0, 0.0, 0)
        self._publish(epoch=self._epoch, batch=0)

    def on_train_batch_end(self, batch, logs=None):
        config, epoch = self.config, self._epoch
        logs = logs or {}
        batches = self._batches = min(batch + 1, self.batches_per_epoch)
        seen = min(batches * config.batch_size, self.train_examples)
        loss, accuracy = float(logs.get("loss", math.nan)), float(logs.get("accuracy", math.nan))
        # Keras reports the epoch's running mean; take back out the part before the last point.
        mean_loss, mean_acc, prev_seen = self._previous
        new = seen - prev_seen
        if new > 0:
            chunk_loss = (loss * seen - mean_loss * prev_seen) / new
            chunk_acc = (accuracy * seen - mean_acc * prev_seen) / new
        else:
            chunk_loss, chunk_acc = loss, accuracy
        self._previous = (loss, accuracy, seen)
        step = (epoch - 1) * self.batches_per_epoch + batches
        self.history.add(
            BatchPoint(step, (epoch - 1) + batches / self.batches_per_epoch, chunk_loss, min(1.0, max(0.0, chunk_acc)))
        )
        elapsed = self.elapsed
        total_steps = config.epochs * self.batches_per_epoch
        eta = elapsed / step * (total_steps - step) if step else None
        if not math.isfinite(loss):
            self.failure = (
                f"Training broke down in epoch {epoch}: the loss became {loss} (not a number). "
                f"The learning rate {config.learning_rate:g} is probably too large for "
                f"{config.optimizer}; try one ten times smaller."
            )
            self.model.stop_training = True
        if self._stop_requested.is_set():
            self.model.stop_training = True
        elif self.max_seconds is not None and elapsed > self.max_seconds:
            self._end_early(time_limit_reason(self.max_seconds, epoch))
        self._publish(
            batch=batches,
            examples_seen=(epoch - 1) * self.train_examples + seen,
            batch_points=tuple(self.history.points),
            elapsed=elapsed,
            eta=eta,
        )

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._batches < self.batches_per_epoch:
            return  # Keras ends a stopped epoch here too; its partial numbers are no epoch result
        record = EpochRecord(
            epoch + 1,
            float(logs.get("loss", math.nan)),
            float(logs.get("accuracy", math.nan)),
            _maybe(logs.get("val_loss")),
            _maybe(logs.get("val_accuracy")),
        )
        self._epoch_history += (record,)
        self._publish(epoch_history=self._epoch_history)
        if self.failure:
            return
        collapse = collapse_message(self.config, record)
        if collapse:
            self.failure = collapse
            self.model.stop_training = True
            return
        # What Stop, a failure later on or Try it mid-training fall back on; one assignment, so readers see a pair.
        self.checkpoint = (epoch + 1, [w.copy() for w in self.model.get_weights()])
        reason = threshold_reason(self.config, record)
        if reason and not self._stop_requested.is_set():
            self._end_early(reason)

    def _end_early(self, reason: str) -> None:
        self.end_reason = self.end_reason or reason
        self.model.stop_training = True


def _maybe(value) -> float | None:
    return None if value is None else float(value)
