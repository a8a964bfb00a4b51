"""The sandbox for untrusted files: whatever the child does, the web process gets an answer or a plain failure,
within the wall-clock limit, and stays up."""

from __future__ import annotations

import os
import time

import pytest

from playground.network import sandbox

NAMES = ("echo", "crash", "hang", "spin", "allocate", "flood", "forged")
TASKS = {name: ("tests.sandbox_tasks", name) for name in NAMES}
QUICK = sandbox.Limits(memory_mb=256, cpu_seconds=2, wall_seconds=3.0)


@pytest.fixture(autouse=True)
def test_tasks(monkeypatch):
    monkeypatch.setattr(sandbox, "TASKS", {**sandbox.TASKS, **TASKS})


def test_a_child_answers_with_plain_arrays_and_sees_no_secrets(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_SECRET_TOKEN", "do-not-leak")
    report = sandbox.run_task("echo", b"hello", QUICK)
    assert bytes(report.arrays["data"]) == b"hello"
    assert "PLAYGROUND_SECRET_TOKEN" not in report.answer["environment"]
    given = {*sandbox.KEPT_ENVIRONMENT, "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "HDF5_USE_FILE_LOCKING", "LC_CTYPE"}
    set_by_playground = {"TF_CPP_MIN_LOG_LEVEL", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"}  # its __init__
    assert set(report.answer["environment"]) <= given | set_by_playground
    assert report.answer["cwd_entries"] == []  # an empty folder of its own
    assert 0 < report.peak_mb < QUICK.memory_mb


@pytest.mark.parametrize(
    "task, words",
    [
        ("crash", "crashed the reader"),
        ("hang", "longer than 3 seconds"),
        ("spin", "more than this server allows|longer than 3 seconds"),  # its CPU limit, or the clock on a busy machine
        ("allocate", "gave up on it"),  # MemoryError at the address-space limit: an error exit, no answer
        ("flood", "gave up on it"),  # the file-size limit: Python ignores SIGXFSZ, so the write fails (EFBIG)
        ("forged", "ended without an answer"),
    ],
)
def test_a_misbehaving_child_is_a_plain_failure_and_the_parent_lives_on(task, words):
    started = time.monotonic()
    with pytest.raises(sandbox.ChildFailed, match=words):
        sandbox.run_task(task, b"x" * 100_000, QUICK)
    assert time.monotonic() - started < QUICK.wall_seconds + 2  # never waits past its limit (plus the kill)
    assert sandbox.run_task("echo", b"still here", QUICK).arrays["data"].tobytes() == b"still here"


def test_a_hanging_child_is_killed_with_its_process_group():
    with pytest.raises(sandbox.ChildFailed):
        sandbox.run_task("hang", b"", QUICK)
    leftovers = [pid for pid in os.listdir("/proc") if pid.isdigit() and _is_sandbox_child(pid)]
    assert leftovers == []


def _is_sandbox_child(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"tests.sandbox_tasks" in cmdline.read()
    except OSError:
        return False
