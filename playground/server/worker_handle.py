"""One training worker process seen from the web process: the spawned process, its pipe, and a reader thread.

The reader hands every message to the worker's owner (the pool, playground.server.workers.WorkerPool), asks it now and
then whether an idle worker should exit, and tells it when the process is gone. What runs inside the process is
playground.server.worker_process; what they say to each other, playground.server.messages.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from typing import Protocol

from playground.server.limits import WORKER_BASE_MB
from playground.server.messages import Exit, FromWorker, ToWorker
from playground.server.remote_run import RemoteRun
from playground.server.worker_process import worker_main


class WorkerOwner(Protocol):
    """What a worker's reader thread calls on the one who started it."""

    def on_message(self, worker: Worker, message: FromWorker) -> None: ...

    def retire_if_idle(self, worker: Worker) -> bool:
        """True if the worker was asked to exit (it has been idle too long)."""
        ...

    def on_worker_gone(self, worker: Worker) -> None: ...


class Worker:
    """One worker process seen from the web process, with a thread that reads what it sends."""

    def __init__(self, owner: WorkerOwner, number: int):
        self.owner, self.number = owner, number
        context = multiprocessing.get_context("spawn")  # never fork a process that runs TensorFlow or servers
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(child,), name=f"trainer-{number}", daemon=True)
        self.process.start()
        child.close()
        self.run: RemoteRun | None = None
        self.rss_mb = WORKER_BASE_MB
        self.idle_since = time.monotonic()
        self.retiring = False
        self._send_lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, name=f"trainer-{number}-reader", daemon=True)
        self.reader.start()

    @property
    def alive(self) -> bool:
        return self.process.is_alive() and not self.retiring

    def send(self, message: ToWorker) -> bool:
        """False if the pipe is closed (the process has gone)."""
        try:
            with self._send_lock:
                self.connection.send(message)
            return True
        except (OSError, ValueError):
            return False

    def _read(self) -> None:
        while True:
            try:
                if not self.connection.poll(1.0):
                    if self.owner.retire_if_idle(self):
                        break
                    continue
                message = self.connection.recv()
            except (EOFError, OSError):
                break
            self.owner.on_message(self, message)
        self.owner.on_worker_gone(self)

    def ask_to_exit(self) -> None:
        """It finishes nothing new; its process ends once it has read this."""
        self.retiring = True
        self.send(Exit())

    def retire(self) -> None:
        self.ask_to_exit()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
        self.connection.close()
