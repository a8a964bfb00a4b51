"""The Keras callback of a live run: turns Keras' calls into snapshots, checks the stop rules and obeys Stop.

It runs in the training thread and talks to its TrainingRun only through the run's small public side for it
(begin, publish, fail, end_early, keep; the read-only config, epoch, elapsed, stop_requested, failed and sizes).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import keras

from playground.snapshots import BatchPoint, BoundedHistory, EpochRecord
from playground.stop_rules import collapse_message, threshold_reason, time_limit_reason

if TYPE_CHECKING:
    from playground.training import TrainingRun


class LiveMetrics(keras.callbacks.Callback):
    """Turns Keras' callback calls into snapshots, checks the lesson's thresholds, and obeys Stop."""

    def __init__(self, run: TrainingRun):
        super().__init__()
        self.run = run
        self.history = BoundedHistory()
        self._previous = (0.0, 0.0, 0)  # running loss mean, accuracy mean, examples at the last point

    def on_train_begin(self, logs=None):
        self.run.begin()

    def on_epoch_begin(self, epoch, logs=None):
        self._previous = (0.0, 0.0, 0)  # running loss mean, accuracy mean, examples at the last point
        self.run.publish(epoch=epoch + 1, batch=0)

    def on_train_batch_end(self, batch, logs=None):
        run, config = self.run, self.run.config
        logs = logs or {}
        batches = min(batch + 1, run.batches_per_epoch)
        seen = min(batches * config.batch_size, run.train_examples)
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
        epoch = run.epoch
        step = (epoch - 1) * run.batches_per_epoch + batches
        self.history.add(
            BatchPoint(step, (epoch - 1) + batches / run.batches_per_epoch, chunk_loss, min(1.0, max(0.0, chunk_acc)))
        )
        elapsed = run.elapsed
        total_steps = config.epochs * run.batches_per_epoch
        eta = elapsed / step * (total_steps - step) if step else None
        if not math.isfinite(loss):
            run.fail(
                f"Training broke down in epoch {epoch}: the loss became {loss} (not a number). "
                f"The learning rate {config.learning_rate:g} is probably too large for "
                f"{config.optimizer}; try one ten times smaller."
            )
            self.model.stop_training = True
        if run.stop_requested:
            self.model.stop_training = True
        elif run.max_seconds is not None and elapsed > run.max_seconds:
            run.end_early(time_limit_reason(run.max_seconds, epoch))
            self.model.stop_training = True
        run.publish(
            batch=batches,
            examples_seen=(epoch - 1) * run.train_examples + seen,
            batch_points=tuple(self.history.points),
            elapsed=elapsed,
            eta=eta,
        )

    def on_epoch_end(self, epoch, logs=None):
        run = self.run
        logs = logs or {}
        if run.snapshot.batch < run.batches_per_epoch:
            return  # Keras ends a stopped epoch here too; its partial numbers are no epoch result
        record = EpochRecord(
            epoch + 1,
            float(logs.get("loss", math.nan)),
            float(logs.get("accuracy", math.nan)),
            _maybe(logs.get("val_loss")),
            _maybe(logs.get("val_accuracy")),
        )
        run.publish(epoch_history=run.snapshot.epoch_history + (record,))
        if run.failed:
            return
        collapse = collapse_message(run.config, record)
        if collapse:
            run.fail(collapse)
            self.model.stop_training = True
            return
        run.keep(epoch + 1, self.model.get_weights())
        reason = threshold_reason(run.config, record)
        if reason and not run.stop_requested:
            run.end_early(reason)
            self.model.stop_training = True


def _maybe(value) -> float | None:
    return None if value is None else float(value)
