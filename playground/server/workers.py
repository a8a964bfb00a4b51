"""Training for a whole class on one small server: one first-come queue in front of a few worker processes.

The web process serves pages and answers in NumPy; TensorFlow lives only in the workers. Each worker is a spawned
process (its own TensorFlow, its own GIL, a lower CPU priority than the pages: playground.server.worker_process) that
trains one run at a time and reports back over a pipe about ten times a second, in the messages of
playground.server.messages. The web process sees each worker through a Worker (playground.server.worker_handle), and
a visitor holds a RemoteRun (playground.server.remote_run), which reads like a TrainingRun (snapshot, stop, checkpoint,
evaluation) while its model comes back as plain NumPy weights. Processes, not threads of the web process: with
two trainings in threads beside the pages, ten visitors' runs took 1.76 times ten solo runs, clicks waited up to
16.5 s and the server kept 320 MB more after everyone left (bench/crowd.py, server on one core).

The WorkerPool below ties them together: it queues runs, hands them to idle workers, feeds each RemoteRun what
its worker sends, learns how long runs take here (for the waits it tells), and retires workers that sit idle, have
grown too big or died. Its limits (playground.server.limits, from PLAYGROUND_* environment variables; the README lists
them with their defaults) say why whenever they refuse:
- how many workers run at once (each costs about 0.6-1 GB: TensorFlow and the data);
- how many visitors may wait; beyond that a Train press is refused with the expected wait, nothing is queued;
- how long one run may take; it then ends as stopped, its model kept;
- the memory of the whole server: a model that can never fit is refused with what to shrink, and older runs give
  their models back before a new one starts.
"""

from __future__ import annotations

import itertools
import threading
import time
import weakref
from collections import deque
from dataclasses import replace

from playground.once import once
from playground.server.limits import Limits, kept_megabytes, process_rss_mb, training_megabytes
from playground.server.messages import Checkpoint, Done, Fatal, FromWorker, Progress, Ready, Stop, Train
from playground.server.remote_run import RemoteRun, TrainerBusy, minutes_in_words, wait_in_words
from playground.server.worker_handle import Worker
from playground.settings.choices import ARCHITECTURES
from playground.settings.config import ExperimentConfig
from playground.training.snapshots import RunState, Snapshot

START_SECONDS = 2.0  # a first guess at what a run costs beyond its batches: building, compiling, evaluating


# -- The pool ---------------------------------------------------------------------------------------


class WorkerPool:
    """Every training of the server goes through here: a first-come queue in front of a few worker processes."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits.from_environment()
        self._lock = threading.RLock()
        self._queue: deque[RemoteRun] = deque()
        self._workers: list[Worker] = []
        self._worker_numbers = itertools.count(1)
        self._holders: weakref.WeakSet[RemoteRun] = weakref.WeakSet()  # runs whose weights the web process keeps
        self._seconds_per_image = {name: a.seconds_per_image for name, a in ARCHITECTURES.items()}
        self._start_seconds = dict.fromkeys(ARCHITECTURES, START_SECONDS)
        self._fatal = ""

    # -- for pages
    def submit(self, config: ExperimentConfig) -> RemoteRun:
        """Queue a run, or raise TrainerBusy with the reason (queue full, or a model too big for this server)."""
        self._check_fits(config)
        with self._lock:
            if self._fatal:
                raise TrainerBusy(self._fatal)
            if len(self._queue) >= self.limits.max_queue and not self._free_trainer():
                wait = self._wait_before(len(self._queue))
                raise TrainerBusy(
                    f"The trainers are busy: {len(self._queue)} people are already waiting, which is as many as "
                    f"this server takes. Please try again in about {minutes_in_words(wait)}; the other pages work "
                    "meanwhile."
                )
            run = RemoteRun(config, self)
            self._queue.append(run)
            self._dispatch()
            return run

    def warm_up(self) -> None:
        """Start a worker ahead of the first Train press (TensorFlow takes a few seconds to load)."""
        with self._lock:
            if not any(worker.alive for worker in self._workers):
                self._workers.append(Worker(self, next(self._worker_numbers)))

    def place(self, run: RemoteRun) -> tuple[int, float | None]:
        """(position in the queue counted from 1, estimated seconds until it starts); (0, None) if not queued."""
        with self._lock:
            if run not in self._queue:
                return 0, None
            index = self._queue.index(run)
            return index + 1, self._wait_before(index)

    def stop(self, run: RemoteRun) -> None:
        with self._lock:
            if run in self._queue:
                self._queue.remove(run)
                run.finish(replace(run.latest, state=RunState.STOPPED, stop_reason="stopped before it started"))
                return
            worker = next((w for w in self._workers if w.run is run), None)
        state = run.latest.state
        if worker is not None and not state.done:
            if state is RunState.RUNNING:
                run.update(replace(run.latest, state=RunState.STOPPING))
            worker.send(Stop())

    def shutdown(self) -> None:
        with self._lock:
            for run in list(self._queue):
                self.stop(run)
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.retire()

    @property
    def queued(self) -> int:
        return len(self._queue)

    def estimate_seconds(self, config: ExperimentConfig) -> float:
        """How long a run should take here, from the runs this server has finished (one run at a time)."""
        images = config.train_limit * (1 - config.validation_split) * config.epochs
        return self._start_seconds[config.architecture] + images * self._seconds_per_image[config.architecture]

    # -- the budget
    def _check_fits(self, config: ExperimentConfig) -> None:
        room = self.limits.room_for_models_mb
        need = training_megabytes(config) + kept_megabytes(config)
        if need > room:
            raise TrainerBusy(
                f"This model is too big for this server: training it needs about {need:,.0f} MB and the server has "
                f"room for {max(room, 0):,.0f} MB. Use fewer neurons or hidden layers, or a smaller batch size."
            )

    def _make_room(self, config: ExperimentConfig) -> None:
        """Before a run starts: if memory is short, older runs (superseded in their session) give back models."""
        need = training_megabytes(config) + kept_megabytes(config)
        workers = sum(w.rss_mb for w in self._workers if w.process.is_alive())
        used = process_rss_mb() + workers
        older = sorted(
            (r for r in self._holders if r.superseded and r.kept_weights is not None),
            key=lambda r: r.finished_at or 0,
        )
        for run in older:
            if used + need <= self.limits.memory_budget_mb:
                break
            used -= kept_megabytes(run.config)
            run.release_model()

    # -- the queue
    def _counted_workers(self) -> list[Worker]:
        """The workers that count against the limit: a retiring one holds its memory until its process has
        exited, so a replacement starts only then (two TensorFlows at once would double the peak)."""
        return [w for w in self._workers if w.process.is_alive() or not w.retiring]

    def _free_trainer(self) -> bool:
        counted = self._counted_workers()
        return any(w.alive and w.run is None for w in counted) or len(counted) < self.limits.workers

    def _wait_before(self, index: int) -> float:
        """Seconds until queue[index] should start: what the running runs have left, then those ahead of it."""
        running = [w.run for w in self._workers if w.run is not None]
        left = [(r.latest.eta if r.latest.eta is not None else self.estimate_seconds(r.config)) for r in running]
        ahead = sum(self.estimate_seconds(r.config) for r in list(self._queue)[:index])
        return (sum(left) + ahead) / self.limits.workers

    def _dispatch(self) -> None:
        with self._lock:
            counted = self._counted_workers()
            idle = [w for w in counted if w.alive and w.run is None]
            while self._queue and (idle or len(counted) < self.limits.workers):
                if not idle:
                    worker = Worker(self, next(self._worker_numbers))
                    self._workers.append(worker)
                    counted.append(worker)
                    idle.append(worker)
                worker, run = idle.pop(0), self._queue.popleft()
                self._make_room(run.config)
                worker.run, run.dispatched_at = run, time.monotonic()
                if not worker.send(Train(run.config.to_flat_dict(), self.limits.max_run_seconds)):
                    worker.run = None
                    self._queue.appendleft(run)
                    break

    # -- called from the workers' reader threads
    def on_message(self, worker: Worker, message: FromWorker) -> None:
        run = worker.run
        if isinstance(message, Ready):
            worker.rss_mb = message.rss_mb
        elif isinstance(message, Fatal):
            self._fatal = message.message
        elif run is None:
            return  # news of a run, but this worker holds none: nothing to feed
        elif isinstance(message, Progress):
            run.update(message.snapshot)
        elif isinstance(message, Checkpoint):
            run.keep_checkpoint(message.epoch, message.weights)
            self._holders.add(run)
        elif isinstance(message, Done):
            worker.rss_mb = message.rss_mb
            self._learn_speed(run, message.snapshot)  # before the end is seen: whoever waits on it sees the new pace
            run.finish(message.snapshot, message.weights, message.evaluation)
            if message.weights is not None:
                self._holders.add(run)
            with self._lock:
                worker.run = None
                worker.idle_since = time.monotonic()
                if worker.rss_mb > self.limits.worker_recycle_mb:
                    worker.ask_to_exit()  # grown too big: the next run gets a fresh one
                self._dispatch()

    def retire_if_idle(self, worker: Worker) -> bool:
        with self._lock:
            idle = worker.run is None and not self._queue
            if idle and time.monotonic() - worker.idle_since > self.limits.worker_idle_seconds:
                worker.ask_to_exit()
                return True
        return False

    def on_worker_gone(self, worker: Worker) -> None:
        """A worker ended: on purpose when idle or grown, or it crashed (then its run fails with a plain reason)."""
        worker.process.join(5)
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
            run, worker.run = worker.run, None
        if run is not None and not run.latest.state.done:
            reason = self._fatal or (
                "The trainer stopped unexpectedly (the server may have run out of memory). Try a smaller model, "
                "or fewer training images, and press Train again."
            )
            run.finish(replace(run.latest, state=RunState.FAILED, error=reason, eta=None))
        with self._lock:
            if self._fatal:
                for queued in list(self._queue):
                    self._queue.remove(queued)
                    queued.finish(replace(queued.latest, state=RunState.FAILED, error=self._fatal))
            else:
                self._dispatch()

    def _learn_speed(self, run: RemoteRun, snapshot: Snapshot) -> None:
        """Learn from a run's whole time here, from being given to a worker to its model coming back: its
        batches, and what it cost besides (a fresh worker loading TensorFlow, building, evaluating), which a
        fixed START_SECONDS only guessed."""
        images = snapshot.examples_seen
        if snapshot.state is RunState.FAILED or images < 1000 or snapshot.elapsed <= 0 or run.dispatched_at is None:
            return
        name, span = run.config.architecture, time.monotonic() - run.dispatched_at
        self._seconds_per_image[name] = 0.5 * self._seconds_per_image[name] + 0.5 * snapshot.elapsed / images
        self._start_seconds[name] = 0.5 * self._start_seconds[name] + 0.5 * max(0.0, span - snapshot.elapsed)


@once
def default_pool() -> WorkerPool:
    """The server's one pool, with limits from the environment."""
    return WorkerPool()


# The pages take a run's handle and the queue's words from here, with the pool they belong to.
__all__ = ["RemoteRun", "TrainerBusy", "WorkerPool", "default_pool", "wait_in_words"]
