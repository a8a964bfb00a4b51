"""Masks and their regions: bounding box, border strips, connected components, hysteresis and clean-up."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

HOLE_SHARE = 0.03  # holes smaller than this share of the garment are print or glare, not a bag's handle
KEEP_SHARE = 0.3  # besides the largest region, keep regions at least this share of it (a pair of sleeves, legs)


def bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right), exclusive, of the True pixels, or None."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def border(array: np.ndarray, width: int = 2) -> np.ndarray:
    """The pixels of a strip along all four edges, flattened along the first axis."""
    return np.concatenate(sides(array, width))


def sides(array: np.ndarray, width: int) -> list[np.ndarray]:
    """The pixels of the top, bottom, left and right strips (corners counted once), each flattened."""
    w = max(1, min(width, min(array.shape[:2]) // 2))
    tail = array.shape[2:]
    return [
        array[:w].reshape(-1, *tail),
        array[-w:].reshape(-1, *tail),
        array[w:-w, :w].reshape(-1, *tail),
        array[w:-w, -w:].reshape(-1, *tail),
    ]


def hysteresis(weak: np.ndarray, strong: np.ndarray) -> np.ndarray:
    """The connected regions of `weak` that contain at least one `strong` pixel."""
    labels = label(weak)
    wanted = np.zeros(labels.size + 1, bool)
    wanted[labels[strong & weak]] = True
    return wanted[labels] & weak


def clean(mask: np.ndarray) -> np.ndarray:
    """Drop specks and stray blobs, keep the garment's large parts and fill its small holes."""
    image = Image.fromarray(mask.astype(np.uint8) * 255)
    image = image.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.MaxFilter(3))  # opening: specks, threads
    mask = np.asarray(image) > 0
    labels = label(mask)
    areas = np.bincount(labels[mask], minlength=labels.size + 1)
    if areas.max(initial=0) == 0:
        return mask
    mask = (areas >= KEEP_SHARE * areas.max())[labels] & mask
    holes = label(~mask)
    hole_areas = np.bincount(holes[~mask], minlength=holes.size + 1)
    outside = np.unique(border(holes))  # background that reaches the edge is not a hole
    hole_areas[outside] = holes.size
    return mask | ((hole_areas < HOLE_SHARE * mask.sum())[holes] & ~mask)


def label(mask: np.ndarray) -> np.ndarray:
    """4-connected component labels (background gets mask.size), without scipy.

    Each pass spreads the smallest label along every horizontal and vertical run at once, then follows labels
    to the pixel they name (pointer jumping), so long straight or snaking regions converge in a few passes.
    """
    height, width = mask.shape
    none = height * width
    labels = np.arange(none)
    labels[~mask.ravel()] = none
    if not mask.any():
        return labels.reshape(height, width)
    transposed = np.ascontiguousarray(mask.T)
    rows, cols = _runs(mask), _runs(transposed)
    inside, inside_t = mask.ravel(), transposed.ravel()
    while True:
        before = labels
        labels = labels.copy()
        labels[inside] = np.minimum.reduceat(labels[inside], rows[1])[rows[0]]
        flipped = np.ascontiguousarray(labels.reshape(height, width).T).ravel()
        flipped[inside_t] = np.minimum.reduceat(flipped[inside_t], cols[1])[cols[0]]
        labels = np.ascontiguousarray(flipped.reshape(width, height).T).ravel()
        for _ in range(3):
            labels = np.append(labels, none)[labels]
        if np.array_equal(labels, before):
            return labels.reshape(height, width)


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the True pixels in row-major order: the index of the horizontal run each is in, and where runs start."""
    flat = mask.ravel()
    start = flat.copy()
    start[1:] &= ~flat[:-1]
    start[:: mask.shape[1]] = flat[:: mask.shape[1]]  # every row begins a new run
    run = np.cumsum(start)[flat] - 1
    return run, np.flatnonzero(np.diff(run, prepend=-1))
