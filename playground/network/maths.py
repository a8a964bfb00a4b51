"""The lesson's two functions, in NumPy: softmax (scores into chances) and ReLU (negatives to zero).

The playground's one NumPy softmax: the lesson's pages, the answers and the NumPy net's output layer use it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def softmax(values: Sequence[float], temperature: float = 1.0, dtype=float) -> np.ndarray:
    """Numerically stable softmax of values / temperature along the last axis: non-negative, sums to 1. Computed
    in dtype: float64 unless told (the NumPy net's output layer keeps its float32)."""
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    z = np.asarray(values, dtype=dtype) / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def relu(x):
    """max(x, 0): a float for a number, an array for an array."""
    result = np.maximum(np.asarray(x, dtype=float), 0.0)
    return float(result) if result.ndim == 0 else result
