"""Tasks that misbehave on purpose, for tests/test_sandbox.py: each is run in playground.network.sandbox's child."""

from __future__ import annotations

import ctypes
import os
import time

import numpy as np


def echo(data: bytes):
    """A well-behaved task: the bytes back as an array, and what the child could see of its environment."""
    return {"environment": sorted(os.environ), "cwd_entries": os.listdir(".")}, {"data": np.frombuffer(data, np.uint8)}


def crash(data: bytes):
    ctypes.string_at(0)  # reads address 0: a segmentation fault, as a broken C decoder would


def hang(data: bytes):
    time.sleep(3600)


def spin(data: bytes):
    while True:
        pass


def allocate(data: bytes):
    chunks = []
    while True:
        chunks.append(bytearray(64 * 1024 * 1024))  # 64 MB at a time, until the address-space limit stops it


def flood(data: bytes):
    with open("result.npz", "wb") as out:  # far past the file-size limit
        while True:
            out.write(bytes(1024 * 1024))


def forged(data: bytes):
    """An answer a subverted child might send: a pickle where arrays belong."""
    with open("result.npz", "wb") as out:
        np.savez(out, answer=np.array([{"x": 1}], dtype=object))
    os._exit(0)
