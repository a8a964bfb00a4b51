"""How many trainings run at once in one process: a first-come queue with places, no Keras in sight."""

from __future__ import annotations

import os
import threading

from playground.once import once


class TrainingPool:
    """At most `max_running` trainings at once; the rest wait in order and can ask their place."""

    def __init__(self, max_running: int):
        self.max_running = max_running
        self._condition = threading.Condition()
        self._running = 0
        self._waiting: list[object] = []

    def position(self, ticket: object) -> int:
        with self._condition:
            return self._waiting.index(ticket) + 1 if ticket in self._waiting else 0

    def acquire(self, ticket: object, cancelled: threading.Event) -> bool:
        """Wait for a free slot; False if cancelled while waiting."""
        with self._condition:
            self._waiting.append(ticket)
            try:
                while self._running >= self.max_running or self._waiting[0] is not ticket:
                    if cancelled.is_set():
                        return False
                    self._condition.wait(0.2)
                if cancelled.is_set():
                    return False
                self._running += 1
                return True
            finally:
                self._waiting.remove(ticket)
                self._condition.notify_all()

    def release(self) -> None:
        with self._condition:
            self._running -= 1
            self._condition.notify_all()


@once
def default_pool() -> TrainingPool:
    """The process-wide pool; its size comes from PLAYGROUND_MAX_TRAININGS (default 2)."""
    return TrainingPool(max(1, int(os.environ.get("PLAYGROUND_MAX_TRAININGS", "2"))))
