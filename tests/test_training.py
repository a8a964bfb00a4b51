"""The live engine: trains in the background, publishes snapshots, stops cleanly, keeps its results."""

from __future__ import annotations

import time

import numpy as np
import pytest

from playground.settings.config import LECTURE
from playground.training.engine import TrainingRun, train
from playground.training.snapshots import BatchPoint, BoundedHistory, RunState

SMALL = LECTURE.replace(epochs=1, train_limit=2000)


def wait_until(condition, timeout=120.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    raise AssertionError("condition not reached in time")


def test_one_epoch_on_2000_images_beats_60_percent(fashion):
    run = train(SMALL, fashion)
    snap = run.snapshot
    assert snap.state is RunState.FINISHED, snap.error
    assert snap.test_accuracy > 0.60
    assert snap.train_examples == 1800  # 10% held out for validation
    assert len(snap.epoch_history) == 1 and snap.epoch_history[0].val_accuracy is not None
    assert snap.stop_reason == "finished all 1 epochs"
    assert snap.progress == pytest.approx(1.0)
    assert run.evaluation.accuracy == snap.test_accuracy


def test_snapshots_match_keras_own_numbers(fashion):
    """The engine's test numbers equal model.evaluate; its per-batch points average to the epoch loss."""
    config = LECTURE.replace(epochs=2, train_limit=4000, batch_size=50)
    run = train(config, fashion, steps_per_execution=4)
    snap = run.snapshot
    keras_loss, keras_accuracy = run.model.evaluate(fashion.test_images, fashion.test_labels, verbose=0)
    assert snap.test_accuracy == pytest.approx(keras_accuracy, abs=1e-4)
    assert snap.test_loss == pytest.approx(keras_loss, rel=1e-3)
    # 3600 images / 50 = 72 batches, a point every 4 batches: 18 points per epoch, weights 200 images each.
    epoch_two = [p for p in snap.batch_points if 1 < p.epoch <= 2]
    assert len(epoch_two) == 18
    assert np.mean([p.loss for p in epoch_two]) == pytest.approx(snap.epoch_history[1].loss, rel=1e-3)
    assert np.mean([p.accuracy for p in epoch_two]) == pytest.approx(snap.epoch_history[1].accuracy, abs=1e-3)
    assert snap.examples_seen == 2 * 3600


def test_reader_sees_fresh_snapshots_while_it_trains(fashion):
    run = TrainingRun(LECTURE.replace(epochs=2, train_limit=20000), fashion).start()
    versions, states = set(), set()
    while not run.snapshot.state.done:
        snap = run.snapshot
        versions.add(snap.version)
        states.add(snap.state)
        time.sleep(0.01)
    assert RunState.RUNNING in states
    assert len(versions) >= 5
    assert run.snapshot.eta == 0.0 and run.snapshot.elapsed > 0


def test_stop_mid_epoch_keeps_weights_and_history(fashion):
    config = LECTURE.replace(epochs=20)
    run = TrainingRun(config, fashion, steps_per_execution=8).start()
    wait_until(lambda: run.snapshot.epoch == 2 and run.snapshot.batch > 100)
    run.stop()
    snap = run.wait(60)
    assert snap.state is RunState.STOPPED
    assert snap.stop_reason == "stopped by you in epoch 2"
    assert snap.epoch == 2 and 100 < snap.batch < snap.batches_per_epoch  # ended inside epoch 2
    assert len(snap.epoch_history) == 1  # the finished epoch is kept
    assert snap.batch_points and snap.batch_points[-1].epoch > 1.0  # so is every batch of epoch 2 so far
    assert snap.test_accuracy > 0.80  # the weights trained so far are kept, not reset
    assert run.checkpoint is not None and run.checkpoint[0] == 1


@pytest.mark.parametrize(
    "thresholds, expected",
    [
        ({"stop_loss": 1.5}, "fell below 1.50 in epoch 1"),
        ({"stop_accuracy": 0.5}, "reached the 50.0% target in epoch 1"),
    ],
)
def test_lesson_callbacks_stop_training_and_say_why(fashion, thresholds, expected):
    config = LECTURE.replace(epochs=5, train_limit=3000, **thresholds)
    snap = train(config, fashion).snapshot
    assert snap.state is RunState.STOPPED
    assert len(snap.epoch_history) == 1 < config.epochs
    assert expected in snap.stop_reason
    assert snap.test_accuracy is not None


def test_threshold_not_reached_runs_every_epoch(fashion):
    config = LECTURE.replace(epochs=2, train_limit=1000, stop_loss=0.01)
    snap = train(config, fashion).snapshot
    assert snap.state is RunState.FINISHED and len(snap.epoch_history) == 2


def test_exploding_run_fails_with_a_plain_message(fashion):
    config = LECTURE.replace(optimizer="sgd", learning_rate=10.0, activation="linear", epochs=3, train_limit=2000)
    snap = train(config, fashion).snapshot
    assert snap.state is RunState.FAILED
    assert "not a number" in snap.error and "learning rate 10" in snap.error
    assert len(snap.epoch_history) <= 1


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"optimizer": "sgd", "learning_rate": 1.0}, "learning rate 1 is too large for sgd"),
        ({"optimizer": "sgd", "learning_rate": 0.01, "normalize": False}, "Turn normalization back on"),
    ],
    ids=["sgd-learning-rate-1", "sgd-raw-pixels"],
)
def test_a_run_stuck_near_chance_fails_instead_of_guessing_forever(fashion, changes, expected):
    """Here SGD at 1.0 kills the ReLUs (loss stuck near ln 10) rather than reaching NaN: also a failure."""
    config = LECTURE.replace(epochs=5, train_limit=5000, **changes)
    snap = train(config, fashion).snapshot
    assert snap.state is RunState.FAILED, snap
    assert "guessing at random" in snap.error and expected in snap.error
    assert len(snap.epoch_history) == 1 < config.epochs


@pytest.mark.parametrize(
    "changes",
    [
        {"optimizer": "sgd", "learning_rate": 0.1},  # large, but it learns
        {"optimizer": "sgd", "learning_rate": 0.0001},  # near chance after an epoch, but only slow
        {"optimizer": "rmsprop", "learning_rate": 0.1},  # a bumpy start, then it learns
        {"normalize": False},  # the lesson's no-normalization exercise
    ],
    ids=["sgd-0.1", "sgd-tiny-rate", "rmsprop-0.1", "raw-pixels-adam"],
)
def test_slow_or_bumpy_but_healthy_learning_is_not_called_a_failure(fashion, changes):
    config = LECTURE.replace(epochs=1, train_limit=5000, **changes)
    snap = train(config, fashion).snapshot
    assert snap.state is RunState.FINISHED, snap.error


def test_unexpected_error_fails_the_run_instead_of_killing_it_silently(fashion, monkeypatch):
    import playground.training.engine as training

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(training, "build_compiled_model", broken)
    snap = train(SMALL, fashion).snapshot
    assert snap.state is RunState.FAILED and "out of memory" in snap.error


def test_a_run_stopped_before_it_starts_never_trains(fashion):
    run = TrainingRun(SMALL, fashion)
    run.stop()
    snap = run.start().wait(30)
    assert snap.state is RunState.STOPPED and snap.stop_reason == "stopped before it started"
    assert run.model is None and snap.epoch_history == ()


def test_bounded_history_stays_small_and_spans_the_run():
    history = BoundedHistory(max_points=100)
    for step in range(1, 100_001):
        history.add(BatchPoint(step, step / 1000, 1.0, 0.5))
    assert 50 <= len(history.points) <= 100
    assert history.points[0].step == 1 and history.points[-1].step > 99_000


def test_the_validation_pass_is_compiled_before_the_first_batch_and_counts_only_its_epochs(fashion, monkeypatch):
    """Compiled before training starts, so the first epoch's end doesn't stall the live chart while XLA compiles;
    the warm-up's own figures are not mixed into the epochs' (Keras resets them at every epoch's start)."""
    from playground.training.live_metrics import LiveMetrics

    compiled_at_start = []
    begin = LiveMetrics.on_train_begin

    def on_train_begin(self, logs=None):
        compiled_at_start.append(self.model.test_function is not None)
        return begin(self, logs)

    monkeypatch.setattr(LiveMetrics, "on_train_begin", on_train_begin)
    config = LECTURE.replace(epochs=2, train_limit=4000, batch_size=50)
    run = train(config, fashion, steps_per_execution=4)
    snap = run.snapshot
    assert snap.state is RunState.FINISHED, snap.error
    assert compiled_at_start == [True]
    epoch_one = [p for p in snap.batch_points if p.epoch <= 1]
    assert np.mean([p.loss for p in epoch_one]) == pytest.approx(snap.epoch_history[0].loss, rel=1e-3)
    images, labels = fashion.train_images[run.val_index], fashion.train_labels[run.val_index]
    val_loss, val_accuracy = run.model.evaluate(images, labels, verbose=0)
    assert snap.epoch_history[-1].val_accuracy == pytest.approx(val_accuracy, abs=1e-6)
    assert snap.epoch_history[-1].val_loss == pytest.approx(val_loss, rel=1e-4)


@pytest.mark.parametrize(
    ("count", "largest", "expected"),
    [(6000, 1024, 1000), (1000, 1024, 1000), (1024, 1024, 1024), (1025, 1024, 513), (5999, 1024, 1000), (7, 1024, 7)],
)
def test_validation_batches_are_as_equal_as_the_count_allows(count, largest, expected):
    from playground.training.input_pipeline import equal_batch_size

    size = equal_batch_size(count, largest)
    assert size == expected
    assert size <= largest and -(-count // size) == -(-count // largest)  # no more batches than before
