"""A value made once per process and shared by every caller: the dataset, the server's pools.

functools.cache is not enough here: two threads (two visitors) asking at the same moment could both make the
value, loading the dataset or starting a pool twice. A failure is not kept, so the next call tries again.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def once(make: Callable[[], T]) -> Callable[[], T]:
    """make() called at most once successfully per process, even by several threads at once; then its result."""
    lock = threading.Lock()
    made: list[T] = []

    @functools.wraps(make)
    def get() -> T:
        with lock:
            if not made:
                made.append(make())
            return made[0]

    return get
