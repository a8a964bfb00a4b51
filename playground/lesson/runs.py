"""The Lesson's training runs in plain words: recorded (playground.lesson.records) or live (a worker's snapshots).

Both kinds are read the same way, through Outcome and the epoch history, so a recorded answer and a live one
say the same things about the same numbers. No Streamlit here: the page only places what these return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from playground.server.workers import wait_in_words
from playground.settings.config import ExperimentConfig
from playground.settings.presets import PRESETS
from playground.training.snapshots import EpochRecord, RunState, Snapshot


@dataclass(frozen=True)
class Outcome:
    """What one run showed: the numbers the exercises talk about."""

    test_accuracy: float
    train_accuracy: float
    epochs_run: int
    seconds: float
    parameters: int | None = None
    stop_reason: str = ""
    epochs_allowed: int | None = None  # the passes it was given; a callback may stop it sooner

    @classmethod
    def from_summary(cls, summary: dict) -> Outcome:
        """From the CLI's --json object (a recorded run)."""
        return cls(
            summary["test_accuracy"],
            summary["train_accuracy"],
            summary["epochs_run"],
            summary["seconds"],
            summary.get("parameters"),
            summary.get("stop_reason", ""),
            int(summary["config"]["epochs"]),
        )

    @property
    def gap(self) -> float:
        return self.train_accuracy - self.test_accuracy


def describe_config(name_or_config: str | ExperimentConfig) -> str:
    """A run in a few words: '512 neurons, 5 passes', 'no normalization', ..."""
    config = PRESETS[name_or_config].config if isinstance(name_or_config, str) else name_or_config
    layers = " + ".join(str(units) for units in config.hidden_units)
    words = f"{layers} neurons, {config.epochs} passes"
    if not config.normalize:
        words += ", no normalization"
    if config.stop_loss is not None:
        words += f", stop when loss < {config.stop_loss:g}"
    if config.stop_accuracy is not None:
        words += f", stop at {config.stop_accuracy:.0%} accuracy"
    return words


def recorded_snapshot(record) -> Snapshot:
    """A finished Snapshot built from a record's epochs, so the live chart can draw a recorded run too."""
    history = tuple(EpochRecord(e.epoch, e.loss, e.accuracy, None, e.val_accuracy) for e in record.epochs)
    return Snapshot(state=RunState.FINISHED, epochs=record.config.epochs, epoch_history=history)


def history_in_words(history: Sequence) -> str:
    """The training chart said in a sentence, for anyone who cannot see it (or sits at the back)."""
    first, last = history[0], history[-1]
    text = (
        f"Chart: the loss fell from {first.loss:.3f} after pass {first.epoch} to {last.loss:.3f} after pass "
        f"{last.epoch}; training accuracy rose from {first.accuracy:.1%} to {last.accuracy:.1%}"
    )
    if last.val_accuracy is not None:
        text += f", and on the held-back validation pictures it ended at {last.val_accuracy:.1%}"
    return text + "."


def progress_in_words(snapshot: Snapshot) -> str:
    """Where a live run is: getting ready, waiting in the queue, or which pass."""
    if snapshot.state is RunState.QUEUED and snapshot.queue_position == 0:
        return "Getting a trainer ready (a few seconds)…"
    if snapshot.state is RunState.QUEUED:
        wait = wait_in_words(snapshot.estimated_wait)
        return f"Waiting for a free trainer: number {snapshot.queue_position} in the queue, {wait} to go."
    return (
        f"Pass {snapshot.epoch} of {snapshot.epochs} · {snapshot.examples_seen:,} pictures seen · "
        f"{snapshot.elapsed:.0f} s"
    )


def finished_in_words(snapshot: Snapshot) -> str:
    """A finished live run's result, labelled as live."""
    return (
        f"Live, just now: {snapshot.stop_reason}; {snapshot.test_accuracy:.1%} right on the test pictures, "
        f"{snapshot.train_accuracy:.1%} on the training pictures, in {snapshot.elapsed:.0f} s."
    )


def stopped_in_words(outcome: Outcome) -> str:
    """A callback run: how many passes it was allowed, where it stopped and why."""
    return (
        f"It was allowed {outcome.epochs_allowed} passes and stopped after **{outcome.epochs_run}**: "
        f"{outcome.stop_reason}."
    )
