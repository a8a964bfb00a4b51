"""What a training run looks like from outside: its state, per-epoch records, batch points and snapshots.

Keras-free on purpose: the web process, the charts and the worker protocol use these without TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class RunState(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    STOPPING = "stopping"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"

    @property
    def done(self) -> bool:
        return self in (RunState.FINISHED, RunState.STOPPED, RunState.FAILED)


@dataclass(frozen=True)
class EpochRecord:
    """Training and validation results at the end of one epoch."""

    epoch: int
    loss: float
    accuracy: float
    val_loss: float | None = None
    val_accuracy: float | None = None


@dataclass(frozen=True)
class BatchPoint:
    """Loss and accuracy over the batches since the previous point (not Keras' running epoch mean)."""

    step: int  # batches done since the start of training
    epoch: float  # fractional epoch, for the chart's x axis
    loss: float
    accuracy: float


@dataclass(frozen=True)
class Snapshot:
    """Everything a reader needs to draw the live view, frozen at one moment."""

    state: RunState = RunState.QUEUED
    version: int = 0  # grows with every publish: a reader can tell a fresh snapshot from a stale one
    epoch: int = 0  # current epoch, 1-based
    epochs: int = 0
    batch: int = 0  # batches done in the current epoch
    batches_per_epoch: int = 0
    examples_seen: int = 0
    train_examples: int = 0
    batch_points: tuple[BatchPoint, ...] = ()
    epoch_history: tuple[EpochRecord, ...] = ()
    elapsed: float = 0.0
    eta: float | None = None
    queue_position: int = 0  # 1 = next to start; 0 = not waiting
    estimated_wait: float | None = None  # seconds until a queued run should start, when it can be guessed
    test_loss: float | None = None
    test_accuracy: float | None = None
    stop_reason: str = ""
    error: str = ""

    @property
    def progress(self) -> float:
        total = self.epochs * self.batches_per_epoch
        done = max(0, self.epoch - 1) * self.batches_per_epoch + self.batch
        return 0.0 if total == 0 else min(1.0, done / total)

    # The last full epoch's figures: what "the run's" training and validation numbers mean everywhere.
    @property
    def train_accuracy(self) -> float | None:
        return self.epoch_history[-1].accuracy if self.epoch_history else None

    @property
    def train_loss(self) -> float | None:
        return self.epoch_history[-1].loss if self.epoch_history else None

    @property
    def val_accuracy(self) -> float | None:
        return self.epoch_history[-1].val_accuracy if self.epoch_history else None

    def summary(self) -> dict:
        """The run's figures in one flat dict, as the CLI prints them and records keep them."""
        return {
            "test_accuracy": self.test_accuracy,
            "test_loss": self.test_loss,
            "train_accuracy": self.train_accuracy,
            "train_loss": self.train_loss,
            "val_accuracy": self.val_accuracy,
            "epochs_run": len(self.epoch_history),
            "stop_reason": self.stop_reason,
        }


class BoundedHistory:
    """Keeps at most max_points points however long the run: when full, drops every other point."""

    def __init__(self, max_points: int = 600):
        self.max_points = max_points
        self.stride = 1  # keep one point in `stride`
        self.points: list[BatchPoint] = []
        self._offered = 0

    def add(self, point: BatchPoint) -> None:
        self._offered += 1
        if (self._offered - 1) % self.stride:
            return
        self.points.append(point)
        if len(self.points) > self.max_points:
            self.points = self.points[::2]
            self.stride *= 2
