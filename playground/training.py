"""The live training engine: model.fit in a background thread, publishing snapshots a UI can poll.

The worker thread never touches a UI. Its Keras callback builds an immutable Snapshot after every
execution (a few dozen batches) and swaps it in with one assignment, so readers take it without locks.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import replace

import keras
import numpy as np

from playground.choices import ARCHITECTURES
from playground.config import ExperimentConfig
from playground.data import FashionMNIST, train_validation_split
from playground.evaluation import Evaluation, evaluate
from playground.model import build_compiled_model
from playground.snapshots import BatchPoint, BoundedHistory, EpochRecord, RunState, Snapshot
from playground.stop_rules import collapse_message, threshold_reason, time_limit_reason
from playground.training_pool import TrainingPool, default_pool


def default_steps_per_execution(config: ExperimentConfig) -> int:
    """Batches run per call into TensorFlow: fewer Python round trips, a chart point every ~2k images."""
    examples_per_execution = ARCHITECTURES[config.architecture].examples_per_execution
    return int(min(64, max(1, examples_per_execution // config.batch_size)))


# -- The Keras callback that publishes --------------------------------------------------


class LiveMetrics(keras.callbacks.Callback):
    """Turns Keras' callback calls into snapshots, checks the lesson's thresholds, and obeys Stop.

    It talks to its run only through the run's public side for the callback: publish, fail, end_early, keep,
    and the read-only epoch, elapsed and stop_requested."""

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


# -- One training run -------------------------------------------------------------------


class TrainingRun:
    """One configuration trained in a background thread; poll .snapshot, call .stop()."""

    def __init__(
        self,
        config: ExperimentConfig,
        data: FashionMNIST,
        pool: TrainingPool | None = None,
        steps_per_execution: int | None = None,
        jit_compile: bool = True,
        evaluate_at_end: bool = True,
        max_seconds: float | None = None,
    ):
        self.config = config
        self.data = data
        self.pool = pool or default_pool()
        self.steps_per_execution = steps_per_execution or default_steps_per_execution(config)
        self.jit_compile = jit_compile
        self.evaluate_at_end = evaluate_at_end
        self.max_seconds = max_seconds  # a server's limit per run: ends it as stopped, model kept
        self.train_index, self.val_index = train_validation_split(
            data.train_labels, config.train_limit, config.validation_split, config.seed
        )
        self.train_examples = len(self.train_index)
        self.batches_per_epoch = math.ceil(self.train_examples / config.batch_size)
        self.model: keras.Model | None = None
        self.evaluation: Evaluation | None = None
        self.checkpoint: tuple[int, list[np.ndarray]] | None = None  # (epoch, weights) of the last full epoch
        self._stop_requested = threading.Event()
        self._failure = ""
        self._threshold_reason = ""
        self._started_at = time.perf_counter()
        self._publish_lock = threading.Lock()
        self._snapshot = Snapshot(
            epochs=config.epochs, batches_per_epoch=self.batches_per_epoch, train_examples=self.train_examples
        )
        self._thread = threading.Thread(target=self._work, name="training", daemon=True)

    def __repr__(self) -> str:
        s = self._snapshot
        return f"TrainingRun({s.state.value}, epoch {s.epoch}/{s.epochs}, batch {s.batch}/{s.batches_per_epoch})"

    # -- for readers
    @property
    def snapshot(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot.state is RunState.QUEUED:
            return replace(snapshot, queue_position=self.pool.position(self))
        return snapshot

    def start(self) -> TrainingRun:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask training to end after the current batch; weights and history are kept."""
        self._stop_requested.set()
        if not self._snapshot.state.done and self._snapshot.state is not RunState.QUEUED:
            self.publish(state=RunState.STOPPING)

    def wait(self, timeout: float | None = None) -> Snapshot:
        self._thread.join(timeout)
        return self.snapshot

    # -- for its LiveMetrics callback, in the training thread
    @property
    def epoch(self) -> int:
        return self._snapshot.epoch

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self._started_at

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested.is_set()

    @property
    def failed(self) -> bool:
        return bool(self._failure)

    def begin(self) -> None:
        self._started_at = time.perf_counter()
        self.publish(state=RunState.RUNNING)

    def publish(self, **changes) -> None:
        """Swap in a new snapshot with these changes: one assignment, so readers never see half of it."""
        with self._publish_lock:
            self._snapshot = replace(self._snapshot, version=self._snapshot.version + 1, **changes)

    def fail(self, message: str) -> None:
        self._failure = message

    def end_early(self, reason: str) -> None:
        """A callback's or the time limit's reason to end; the first one given is the one shown."""
        self._threshold_reason = self._threshold_reason or reason

    def keep(self, epoch: int, weights: list[np.ndarray]) -> None:
        """The weights after a full epoch: what Stop, a failure later on or Try it mid-training fall back on."""
        self.checkpoint = (epoch, [w.copy() for w in weights])  # one assignment: readers see a pair

    def _work(self) -> None:
        if not self.pool.acquire(self, self._stop_requested):
            self.publish(state=RunState.STOPPED, stop_reason="stopped before it started")
            return
        try:
            self._train()
        except Exception as error:  # a worker must never die silently: the UI shows the message
            self.publish(state=RunState.FAILED, error=f"Training failed: {type(error).__name__}: {error}")
        finally:
            self.pool.release()

    def _train(self) -> None:
        config, data = self.config, self.data
        self.model = build_compiled_model(
            config, steps_per_execution=self.steps_per_execution, jit_compile=self.jit_compile
        )
        x_train, y_train = _take(data.train_images, self.train_index), _take(data.train_labels, self.train_index)
        validation = None
        if len(self.val_index):
            validation = batches(data.train_images[self.val_index], data.train_labels[self.val_index], 1024)
        self.model.fit(
            shuffled_batches(x_train, y_train, config.batch_size, config.seed),
            steps_per_epoch=self.batches_per_epoch,
            epochs=config.epochs,
            shuffle=False,  # the pipeline reshuffles every epoch itself
            validation_data=validation,
            verbose=0,
            callbacks=[LiveMetrics(self)],
        )
        elapsed = time.perf_counter() - self._started_at
        if self._failure:
            self.publish(state=RunState.FAILED, error=self._failure, elapsed=elapsed, eta=None)
            return
        final = {}
        if self.evaluate_at_end:
            self.evaluation = evaluate(self.model, data.test_images, data.test_labels)
            final = {"test_loss": self.evaluation.loss, "test_accuracy": self.evaluation.accuracy}
        if self._stop_requested.is_set():
            state, reason = RunState.STOPPED, f"stopped by you in epoch {self._snapshot.epoch}"
        elif self._threshold_reason:
            state, reason = RunState.STOPPED, self._threshold_reason
        else:
            state, reason = RunState.FINISHED, f"finished all {config.epochs} epochs"
        self.publish(state=state, stop_reason=reason, elapsed=elapsed, eta=0.0, **final)


# -- Feeding the model ---------------------------------------------------------------------------------
# tf.data's autotuning thread sleeps in timed waits that every iterator's teardown then waits for. Keras makes a
# new iterator per epoch for NumPy arrays, so on one core a 5-epoch lecture run spent 2-4 s of its ~11 s idle
# (measured with wall and CPU clocks per phase). One repeating pipeline per run with autotuning off: no idle.


def _plain_options():
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return options


def shuffled_batches(images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int):
    """Endless batches, every epoch a new order (seeded). The shuffle buffer holds the whole training set once
    (up to 47 MB in the worker): shuffling indices and gathering per batch cost 30% more CPU, measured."""
    import tensorflow as tf

    pairs = tf.data.Dataset.from_tensor_slices((images, labels))
    pairs = pairs.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True).batch(batch_size)
    return pairs.repeat().prefetch(2).with_options(_plain_options())


def batches(images: np.ndarray, labels: np.ndarray, batch_size: int):
    """The validation images in order, for one pass per epoch."""
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices((images, labels)).batch(batch_size).with_options(_plain_options())


def _take(array: np.ndarray, index: np.ndarray) -> np.ndarray:
    """array[index], without a copy when the index is every row (fit shuffles anyway)."""
    if len(index) == len(array):
        return array
    return array[index]


def train(config: ExperimentConfig, data: FashionMNIST, **options) -> TrainingRun:
    """Train in the background and wait for the end: the simple way for scripts and the CLI."""
    run = TrainingRun(config, data, **options).start()
    run.wait()
    return run


__all__ = [
    "BatchPoint",
    "EpochRecord",
    "LiveMetrics",
    "RunState",
    "Snapshot",
    "TrainingPool",
    "TrainingRun",
    "default_pool",
    "train",
]
