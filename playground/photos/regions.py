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
    """4-connected component labels: regions numbered from 0 in reading order, the background mask.size."""
    # scipy.ndimage.label, not the hand-written run-merging pass it replaced: the same regions on all 1,306 masks
    # the 341 real photos make (so not one 28x28 result changed), and 5.5 -> 0.8 ms a mask (median of 5 rounds
    # on those masks, old and new interleaved, a loaded 2-core machine). What it costs: see requirements.txt.
    # Imported on the first photo, not with the module: scipy adds about 29 MB to the web process, which a server
    # whose visitors only draw or train never needs to pay.
    from scipy import ndimage

    labels, _ = ndimage.label(mask)  # 0 is the background, regions 1..n
    return np.where(mask, labels - 1, mask.size)
