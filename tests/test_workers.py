"""Training in worker processes: runs finish, stop, queue with a place and a wait, and every limit says why."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import replace

import numpy as np
import pytest

from playground.answers.inference import Classifier
from playground.server.limits import Limits, kept_megabytes, training_megabytes
from playground.server.messages import Done
from playground.server.workers import RemoteRun, TrainerBusy, WorkerPool
from playground.settings.config import LECTURE
from playground.training.snapshots import RunState, Snapshot

SMALL = LECTURE.replace(epochs=2, train_limit=3000)
LONG = LECTURE.replace(epochs=60, train_limit=20000)


def wait_for(predicate, timeout: float = 90, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def pool():
    pool = WorkerPool(Limits(workers=1, max_queue=10, worker_idle_seconds=600))
    yield pool
    pool.shutdown()


def test_a_run_trains_in_a_worker_and_brings_back_its_model(pool, fashion):
    run = pool.submit(SMALL)
    versions = set()
    while not run.snapshot.state.done:
        versions.add(run.snapshot.version)
        time.sleep(0.01)
    assert run.evaluation is not None and run.weights is not None, "the end arrives with the model and its results"
    snap = run.wait(5)
    assert snap.state is RunState.FINISHED, snap.error
    assert snap.stop_reason == "finished all 2 epochs"
    assert len(snap.epoch_history) == 2 and snap.batch_points
    assert len(versions) >= 3, "the live view saw the run move, not only its end"
    assert os.getpid() not in {w.process.pid for w in pool._workers}
    # The test evaluation, the final weights and the last epoch's checkpoint all came back.
    assert run.evaluation is not None and run.evaluation.accuracy == snap.test_accuracy > 0.6
    assert run.checkpoint is not None and run.checkpoint[0] == 2
    classifier = Classifier.from_weights(run.config, run.weights)
    answers = classifier.model(fashion.test_images[:1000]).argmax(1)
    assert np.mean(answers == fashion.test_labels[:1000]) == pytest.approx(run.evaluation.accuracy, abs=0.05)


def test_stop_ends_the_run_and_keeps_the_model(pool):
    run = pool.submit(LONG)
    wait_for(lambda: run.snapshot.epoch >= 2, what="the second epoch")
    run.stop()
    snap = run.wait(60)
    assert snap.state is RunState.STOPPED and snap.stop_reason.startswith("stopped by you")
    assert run.weights is not None and run.checkpoint is not None


def test_the_queue_gives_places_and_waits_and_a_queued_run_can_leave(pool):
    first = pool.submit(LONG)
    second, third = pool.submit(SMALL), pool.submit(SMALL)
    wait_for(lambda: first.snapshot.state is RunState.RUNNING, what="the first run to start")
    assert (second.snapshot.queue_position, third.snapshot.queue_position) == (1, 2)
    assert 0 < second.snapshot.estimated_wait < third.snapshot.estimated_wait
    third.stop()
    assert third.snapshot.state is RunState.STOPPED and third.snapshot.stop_reason == "stopped before it started"
    assert second.snapshot.queue_position == 1
    first.stop()
    assert second.wait(90).state is RunState.FINISHED
    assert third.snapshot.epoch_history == () and third.weights is None, "a run that left the queue never trained"


def test_a_full_queue_refuses_with_a_plain_reason_and_changes_nothing(pool):
    pool.limits = replace(pool.limits, max_queue=1)
    try:
        first = pool.submit(LONG)
        # The trainer must be busy with it first (a worker replaced for its size makes the first run wait too).
        wait_for(lambda: first.snapshot.state is RunState.RUNNING, what="the first run to start")
        waiting = pool.submit(SMALL)
        with pytest.raises(TrainerBusy, match="people are already waiting"):
            pool.submit(SMALL)
        assert pool.queued == 1
        waiting.stop()
        first.stop()
        first.wait(60)
    finally:
        pool.limits = replace(pool.limits, max_queue=10)


def test_the_time_limit_ends_a_run_as_stopped_with_its_model(pool):
    pool.limits = replace(pool.limits, max_run_seconds=2.0)
    try:
        run = pool.submit(LONG)
        snap = run.wait(60)
    finally:
        pool.limits = replace(pool.limits, max_run_seconds=600.0)
    assert snap.state is RunState.STOPPED
    assert "time limit of 2 seconds" in snap.stop_reason and "model trained so far is kept" in snap.stop_reason
    # ended by the limit, not by running out of epochs (no wall-clock assert: the machine may be busy or paused)
    assert snap.epoch < LONG.epochs and run.weights is not None


def test_a_worker_that_dies_fails_its_run_plainly_and_the_next_run_gets_a_new_one(pool):
    run = pool.submit(LONG)
    wait_for(lambda: run.snapshot.state is RunState.RUNNING, what="the run to start")
    worker = next(w for w in pool._workers if w.run is run)
    os.kill(worker.process.pid, signal.SIGKILL)  # as the kernel would when memory runs out
    snap = run.wait(30)
    assert snap.state is RunState.FAILED and "stopped unexpectedly" in snap.error
    after = pool.submit(SMALL)
    assert after.wait(90).state is RunState.FINISHED


def test_an_idle_worker_exits_and_gives_its_memory_back(pool):
    pool.limits = replace(pool.limits, worker_idle_seconds=1.0)
    try:
        pool.submit(SMALL).wait(90)
        wait_for(lambda: not pool._workers, timeout=30, what="the idle worker to exit")
    finally:
        pool.limits = replace(pool.limits, worker_idle_seconds=600)
    assert pool.submit(SMALL).wait(90).state is RunState.FINISHED, "a new worker starts for the next run"


def test_a_model_too_big_for_the_server_is_refused_with_what_to_shrink():
    pool = WorkerPool(Limits(memory_budget_mb=1500))
    huge = LECTURE.replace(hidden_units=(2048, 2048, 2048, 2048), batch_size=1024)
    assert training_megabytes(huge) + kept_megabytes(huge) > 550
    with pytest.raises(TrainerBusy, match="too big for this server.*fewer neurons"):
        pool.submit(huge)
    assert pool.queued == 0 and not pool._workers


def test_older_runs_give_their_models_back_when_memory_is_short():
    pool = WorkerPool(Limits(memory_budget_mb=1.0))  # everything is "short"
    runs = []
    for superseded in (True, True, False):
        run = RemoteRun(LECTURE, pool)
        run.weights = [np.zeros((784, 128), np.float32)]
        run.superseded = superseded
        pool._holders.add(run)
        runs.append(run)
    pool._make_room(LECTURE)
    assert [r.model_released for r in runs] == [True, True, False], "the session's current run keeps its model"
    assert runs[0].kept_weights is None and runs[0].snapshot is not None


def test_the_queue_learns_the_whole_time_a_run_takes_here_not_only_its_batches():
    """A run's batches took 10 s, but 16 s passed from a worker taking it to its model coming back (a worker
    loading TensorFlow, building, evaluating): those waiting behind it are told about the 16."""
    from types import SimpleNamespace

    pool = WorkerPool(Limits(workers=1))
    images = LECTURE.train_limit * (1 - LECTURE.validation_split) * LECTURE.epochs
    for _ in range(5):
        run = RemoteRun(LECTURE, pool)
        run.dispatched_at = time.monotonic() - 16.0
        worker = SimpleNamespace(run=run, rss_mb=100.0, idle_since=0.0)
        done = Snapshot(state=RunState.FINISHED, epochs=LECTURE.epochs, examples_seen=int(images), elapsed=10.0)
        pool.on_message(worker, Done(done, None, None, 100.0))
        assert run.snapshot.state is RunState.FINISHED and worker.run is None
    assert 15.0 < pool.estimate_seconds(LECTURE) < 17.0
    assert pool.estimate_seconds(LECTURE.replace(epochs=2 * LECTURE.epochs)) > 25.0, "the batches still scale"


def test_limits_come_from_the_environment_and_ignore_nonsense():
    limits = Limits.from_environment(
        {"PLAYGROUND_MAX_QUEUE": "5", "PLAYGROUND_MAX_RUN_SECONDS": "30", "PLAYGROUND_MEMORY_BUDGET_MB": "lots"}
    )
    assert (limits.max_queue, limits.max_run_seconds, limits.memory_budget_mb) == (5, 30.0, 1500.0)


def test_a_worker_is_replaced_before_its_next_run_would_overrun_the_budget():
    """A worker keeps ~20 MB per run; a lecture run's peak (+155 MB measured) must still fit beside the web process."""
    from playground.server.limits import WEB_BASE_MB

    small, large = Limits(memory_budget_mb=1500), Limits(memory_budget_mb=2500)
    assert WEB_BASE_MB + small.worker_recycle_mb + training_megabytes(LECTURE) == pytest.approx(1500)
    assert large.worker_recycle_mb - small.worker_recycle_mb == pytest.approx(1000)
    # The input pipeline counts: the training images are held twice while a run trains.
    fewer = LECTURE.replace(train_limit=6000)
    assert training_megabytes(LECTURE) - training_megabytes(fewer) == pytest.approx(2 * 54000 * 785 / 2**20)
