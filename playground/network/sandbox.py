"""Untrusted files are read in a short-lived child process, so that a crash, a hang or a bomb ends only that child.

A visitor's file reaches C parsers (zlib, HDF5) that a crafted file can crash, hang or make allocate gigabytes.
The web process serves every visitor, so it never parses such a file itself: it starts `python -I` on this module
with a clean environment (no secrets to read) in an empty folder, and the child, before it reads one byte of the
file, lowers its own limits: address space (RLIMIT_AS), CPU seconds, the size of any file it writes, and its
priority. The file goes in on stdin; the answer comes back as a NumPy .npz in the child's folder (no pickle),
at most RESULT_BYTES long. The parent waits at most `wall_seconds`, then kills the child's whole process group.
Any way the child ends without an answer is a ChildFailed the page turns into a plain message.

At most CHILDREN children run at once for the whole server, so a class uploading together cannot stack them.
Tasks are named in TASKS (module, function): the function takes the bytes and returns (dict, arrays).
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
TASKS = {"keras-model": ("playground.network.uploaded_model", "read_in_child")}
RESULT_NAME = "result.npz"
PEAK_NAME = "child_peak_kb"  # beside the task's arrays in the result
RESULT_BYTES = 48 * 1024 * 1024  # also the child's RLIMIT_FSIZE: a million weights as float32 are 4 MB
CHILDREN = 2
WAIT_FOR_A_CHILD = 10.0  # seconds a visitor's upload waits for a free child before being asked to try again
# Environment variables the child keeps: what Python and OpenBLAS need to start, nothing a deployment's secrets use.
KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_slots = threading.BoundedSemaphore(CHILDREN)


class ChildFailed(Exception):
    """The child ended without an answer: why, in words for the visitor (crashed, too slow, too big, busy)."""


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 256  # address space: Python, NumPy and h5py take about 110 MB of it before any work
    cpu_seconds: int = 3
    wall_seconds: float = 4.0


@dataclass(frozen=True)
class ChildReport:
    """What the child answered, and what it cost: for the page the answer, for bench/hostile.py the rest."""

    answer: dict
    arrays: dict[str, np.ndarray]
    seconds: float
    peak_mb: float  # the child's own peak resident memory (its VmHWM: rusage would count the parent's before exec)


def run_task(task: str, data: bytes, limits: Limits = Limits()) -> ChildReport:
    """Run TASKS[task] on `data` in a limited child; its answer, or ChildFailed."""
    if task not in TASKS:
        raise ValueError(f"unknown sandbox task {task!r}")
    if not _slots.acquire(timeout=WAIT_FOR_A_CHILD):
        raise ChildFailed("The server is reading other files right now; please try again in a moment.")
    folder = tempfile.mkdtemp(prefix="playground-child-")
    try:
        return _run(task, data, limits, Path(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        _slots.release()


def _run(task: str, data: bytes, limits: Limits, folder: Path) -> ChildReport:
    environment = {name: os.environ[name] for name in KEPT_ENVIRONMENT if name in os.environ}
    environment.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", HDF5_USE_FILE_LOCKING="FALSE")
    command = [
        sys.executable, "-I", "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
        "from playground.network.sandbox import child_main; child_main(sys.argv[2:])",
        str(ROOT), *TASKS[task], str(limits.memory_mb), str(limits.cpu_seconds),
    ]  # fmt: skip
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=folder,
        env=environment,
        start_new_session=True,  # its own process group, killed whole on a timeout
    )
    feeder = threading.Thread(target=_feed, args=(child, data), daemon=True)
    feeder.start()
    status = _wait(child, limits.wall_seconds)
    seconds = time.perf_counter() - started
    feeder.join(1.0)
    if status is None:
        raise ChildFailed(f"Reading it took longer than {limits.wall_seconds:.0f} seconds, so it was stopped.")
    code = os.waitstatus_to_exitcode(status)
    if code in (-signal.SIGKILL, -signal.SIGXCPU):
        raise ChildFailed("Reading it took more than this server allows, so it was stopped.")
    if code < 0:
        raise ChildFailed("Reading it crashed the reader (the file is damaged or made to break readers).")
    if code > 0:  # an error the task did not turn into a refusal: MemoryError, a full file (EFBIG), …
        raise ChildFailed("The reader gave up on it (the file is damaged, far too big, or made to break readers).")
    answer, arrays = _read_result(folder / RESULT_NAME)
    peak_kb = arrays.pop(PEAK_NAME, np.zeros(1))
    return ChildReport(answer, arrays, seconds, float(peak_kb.ravel()[0]) / 1024)


def _feed(child: subprocess.Popen, data: bytes) -> None:
    try:
        child.stdin.write(data)
        child.stdin.close()
    except (BrokenPipeError, OSError, ValueError):
        pass  # the child died or stopped reading: its exit says why


def _wait(child: subprocess.Popen, wall_seconds: float) -> int | None:
    """The child's wait status, or None after killing it when it ran out of time."""
    deadline = time.monotonic() + wall_seconds
    pause = 0.002
    while True:
        pid, status = os.waitpid(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
            return status
        if time.monotonic() >= deadline:
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            child.wait()
            return None
        time.sleep(pause)
        pause = min(pause * 2, 0.02)


def _read_result(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """The child's .npz: a JSON answer and plain arrays, checked for size and read without pickle."""
    failed = ChildFailed("The reader ended without an answer (the file is damaged or made to break readers).")
    try:
        if not path.is_file() or path.stat().st_size > RESULT_BYTES:
            raise failed
        with np.load(path, allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in saved.files}
        answer = json.loads(arrays.pop("answer").tobytes().decode("utf-8"))
    except ChildFailed:
        raise
    except Exception as error:  # a broken archive, odd arrays, bad JSON, too deep JSON
        raise failed from error
    if not isinstance(answer, dict):
        raise failed
    return answer, arrays


# -- Inside the child ------------------------------------------------------------------------


def child_main(arguments: list[str]) -> None:
    """The child: limits first, then the task on stdin's bytes, its answer written as result.npz in the cwd."""
    module, function, memory_mb, cpu_seconds = arguments[0], arguments[1], int(arguments[2]), int(arguments[3])
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (RESULT_BYTES, RESULT_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(10)  # pages and training come first
    data = sys.stdin.buffer.read()
    answer, arrays = getattr(importlib.import_module(module), function)(data)
    encoded = np.frombuffer(json.dumps(answer).encode("utf-8"), dtype=np.uint8)
    with open(RESULT_NAME, "wb") as out:
        np.savez(out, answer=encoded, **{PEAK_NAME: np.array([_peak_kb()])}, **arrays)


def _peak_kb() -> int:
    """This process's peak resident memory since its exec, in kB (VmHWM)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0
