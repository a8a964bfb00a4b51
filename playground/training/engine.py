"""The live training engine: model.fit in a background thread, publishing snapshots a UI can poll.

The worker thread never touches a UI. Its Keras callback (playground.training.live_metrics) builds an immutable Snapshot
after every execution (a few dozen batches) and swaps it in with one assignment, so readers take it without locks.
The batches come from playground.training.input_pipeline. One run trains at a time in a process: the server gives each
run its own worker process (playground.server.workers), the CLI trains one.
"""

from __future__ import annotations

import math
import threading
from dataclasses import replace

import keras
import numpy as np

from playground.data.fashion_mnist import FashionMNIST, train_validation_split
from playground.network.evaluation import Evaluation, evaluate
from playground.network.model import build_compiled_model
from playground.settings.choices import ARCHITECTURES
from playground.settings.config import ExperimentConfig
from playground.training.input_pipeline import selected_rows, shuffled_batches, validation_batches
from playground.training.live_metrics import LiveMetrics
from playground.training.snapshots import RunState, Snapshot


def default_steps_per_execution(config: ExperimentConfig) -> int:
    """Batches run per call into TensorFlow: fewer Python round trips, a chart point every ~2k images."""
    examples_per_execution = ARCHITECTURES[config.architecture].examples_per_execution
    return int(min(64, max(1, examples_per_execution // config.batch_size)))


# -- One training run -------------------------------------------------------------------


class TrainingRun:
    """One configuration trained in a background thread; poll .snapshot, call .stop()."""

    def __init__(
        self,
        config: ExperimentConfig,
        data: FashionMNIST,
        steps_per_execution: int | None = None,
        jit_compile: bool = True,
        evaluate_at_end: bool = True,
        max_seconds: float | None = None,
    ):
        self.config = config
        self.data = data
        self.steps_per_execution = steps_per_execution or default_steps_per_execution(config)
        self.jit_compile = jit_compile
        self.evaluate_at_end = evaluate_at_end
        self.train_index, self.val_index = train_validation_split(
            data.train_labels, config.train_limit, config.validation_split, config.seed
        )
        self.train_examples = len(self.train_index)
        self.batches_per_epoch = math.ceil(self.train_examples / config.batch_size)
        self.model: keras.Model | None = None
        self.evaluation: Evaluation | None = None
        self._stop_requested = threading.Event()
        self._publish_lock = threading.Lock()
        self._snapshot = Snapshot(
            epochs=config.epochs, batches_per_epoch=self.batches_per_epoch, train_examples=self.train_examples
        )
        self._live = LiveMetrics(
            config, self.train_examples, self.batches_per_epoch, self._publish, self._stop_requested, max_seconds
        )
        self._thread = threading.Thread(target=self._work, name="training", daemon=True)

    def __repr__(self) -> str:
        s = self._snapshot
        return f"TrainingRun({s.state.value}, epoch {s.epoch}/{s.epochs}, batch {s.batch}/{s.batches_per_epoch})"

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def checkpoint(self) -> tuple[int, list[np.ndarray]] | None:
        """(epoch, weights) of the last full epoch: what Stop, a later failure or Try it mid-training fall back on."""
        return self._live.checkpoint

    def start(self) -> TrainingRun:
        self._thread.start()
        return self

    def is_alive(self) -> bool:
        """True until its thread has ended: the final snapshot is out, the model and evaluation are in place."""
        return self._thread.is_alive()

    def stop(self) -> None:
        """Ask training to end after the current batch; weights and history are kept."""
        self._stop_requested.set()
        if not self._snapshot.state.done and self._snapshot.state is not RunState.QUEUED:
            self._publish(state=RunState.STOPPING)

    def wait(self, timeout: float | None = None) -> Snapshot:
        self._thread.join(timeout)
        return self.snapshot

    def _publish(self, **changes) -> None:
        """Swap in a new snapshot with these changes: one assignment, so readers never see half of it."""
        with self._publish_lock:
            self._snapshot = replace(self._snapshot, version=self._snapshot.version + 1, **changes)

    def _work(self) -> None:
        if self._stop_requested.is_set():  # Stop came before the thread got going
            self._publish(state=RunState.STOPPED, stop_reason="stopped before it started")
            return
        try:
            self._train()
        except Exception as error:  # a worker must never die silently: the UI shows the message
            self._publish(state=RunState.FAILED, error=f"Training failed: {type(error).__name__}: {error}")

    def _train(self) -> None:
        config, data = self.config, self.data
        self.model = build_compiled_model(
            config, steps_per_execution=self.steps_per_execution, jit_compile=self.jit_compile
        )
        x_train = selected_rows(data.train_images, self.train_index)
        y_train = selected_rows(data.train_labels, self.train_index)
        validation = None
        if len(self.val_index):
            validation = validation_batches(data.train_images[self.val_index], data.train_labels[self.val_index], 1024)
            # Compile the validation pass now, before the first batch, not at the first epoch's end, where it held
            # the live chart still for about half a second (at every epoch's start fit resets what this counts).
            self.model.evaluate(validation.take(1), verbose=0)
        self.model.fit(
            shuffled_batches(x_train, y_train, config.batch_size, config.seed),
            steps_per_epoch=self.batches_per_epoch,
            epochs=config.epochs,
            shuffle=False,  # the pipeline reshuffles every epoch itself
            validation_data=validation,
            verbose=0,
            callbacks=[self._live],
        )
        live = self._live
        elapsed = live.elapsed
        if live.failure:
            self._publish(state=RunState.FAILED, error=live.failure, elapsed=elapsed, eta=None)
            return
        final = {}
        if self.evaluate_at_end:
            self.evaluation = evaluate(self.model, data.test_images, data.test_labels)
            final = {"test_loss": self.evaluation.loss, "test_accuracy": self.evaluation.accuracy}
        if self._stop_requested.is_set():
            state, reason = RunState.STOPPED, f"stopped by you in epoch {self._snapshot.epoch}"
        elif live.end_reason:
            state, reason = RunState.STOPPED, live.end_reason
        else:
            state, reason = RunState.FINISHED, f"finished all {config.epochs} epochs"
        self._publish(state=state, stop_reason=reason, elapsed=elapsed, eta=0.0, **final)


def train(config: ExperimentConfig, data: FashionMNIST, **options) -> TrainingRun:
    """Train in the background and wait for the end: the simple way for scripts and the CLI."""
    run = TrainingRun(config, data, **options).start()
    run.wait()
    return run


__all__ = ["LiveMetrics", "TrainingRun", "default_steps_per_execution", "train"]
