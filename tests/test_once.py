"""A value made once per process: however many threads ask at once, it is made once; a failure is tried again."""

from __future__ import annotations

import threading
import time

import pytest

from playground.once import once


def test_many_threads_asking_together_get_one_value_made_once():
    calls = []

    @once
    def slow_value() -> object:
        calls.append(1)
        time.sleep(0.05)  # long enough for every thread to be waiting on it
        return object()

    got, start = [], threading.Barrier(8)

    def ask() -> None:
        start.wait()
        got.append(slow_value())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(got) == 8 and all(value is got[0] for value in got)


def test_a_failure_is_not_kept_so_the_next_call_tries_again():
    attempts = []

    @once
    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("offline")
        return "loaded"

    with pytest.raises(OSError):
        flaky()
    assert flaky() == "loaded" and flaky() == "loaded"
    assert len(attempts) == 2
