"""What runs inside a training worker process: TensorFlow and the data loaded once, then one run after another.

Spawned by playground.server.worker_handle.Worker; it talks over a pipe in the messages of playground.server.messages:
Train, Stop and Exit come in; Ready, Progress, Checkpoint, Done and Fatal go out.
"""

from __future__ import annotations

import os

from playground.server.limits import process_rss_mb, return_freed_heap
from playground.server.messages import Checkpoint, Done, Exit, Fatal, Progress, Ready, Stop, Train
from playground.settings.config import ExperimentConfig
from playground.training.snapshots import RunState

RELAY_SECONDS = 0.1  # a worker sends at most ~10 snapshots a second; the live view redraws slower than that
# Workers run at a lower CPU priority than the web process: a click must be answered at once, and training takes
# whatever the pages leave. Measured (bench/crowd.py, one core): ten clicks needed 1.4 s of the web process's CPU
# but took 7-10 s to answer while an equal-priority worker trained alongside.
WORKER_NICENESS = 10


def worker_main(connection) -> None:
    """Runs in the worker process: load TensorFlow and the data once, then train one run after another."""
    os.nice(WORKER_NICENESS)
    from playground.data.fashion_mnist import DataError, load_fashion_mnist
    from playground.training.engine import TrainingRun

    try:
        data = load_fashion_mnist()
    except DataError as error:
        connection.send(Fatal(f"The Fashion-MNIST images could not be loaded. {error}"))
        return
    connection.send(Ready(process_rss_mb()))
    while True:
        message = connection.recv()
        if isinstance(message, Exit):
            return
        if not isinstance(message, Train):
            continue
        config = ExperimentConfig.from_flat_dict(message.settings)
        run = TrainingRun(config, data, max_seconds=message.max_seconds).start()
        sent_version, sent_epoch = -1, 0
        while True:
            finished = not run.is_alive()
            if connection.poll(0 if finished else RELAY_SECONDS):  # during a run only Stop counts
                if isinstance(connection.recv(), Stop):
                    run.stop()
            snapshot = run.snapshot
            # The end travels only with "done", together with the weights and the test results: a page that saw
            # "finished" first would look for results that are not there yet.
            if snapshot.version != sent_version and not snapshot.state.done:
                connection.send(Progress(snapshot))
                sent_version = snapshot.version
            checkpoint = run.checkpoint
            if checkpoint is not None and checkpoint[0] != sent_epoch:
                connection.send(Checkpoint(*checkpoint))
                sent_epoch = checkpoint[0]
            if finished:
                break
        final, evaluation = run.snapshot, run.evaluation
        weights = run.model.get_weights() if run.model is not None and final.state is not RunState.FAILED else None
        # Memory is given back before Done is sent. Sent first, Done shows "finished" ~0.8 s sooner, but the release
        # then runs beside the web process drawing the results on a crowd's one server core (bench/crowd.py, ten
        # visitors, one sitting: 1.32 of ten solo runs that way, 1.12 this way).
        run = None  # the model, its optimizer and its data pipeline go before memory is measured
        release_memory()
        connection.send(Done(final, weights, evaluation, process_rss_mb()))


def release_memory() -> None:
    """Hand a finished run's memory back to the system (in a worker, between runs): Keras' global state goes,
    and glibc, which keeps freed heap for later, is asked to return it."""
    import gc

    import keras

    keras.backend.clear_session()
    gc.collect()
    return_freed_heap()
