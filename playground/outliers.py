"""Things that are none of the ten kinds, for teaching the network to say so (outlier exposure).

A network trained only on the ten kinds answers every picture with one of them, often very sure: a cap, a cup or a
ball becomes "very sure: Bag". Outlier exposure (Hendrycks et al. 2019) adds pictures of other things whose target
is "each kind equally likely". Here they are plain shapes (ellipses, boxes, triangles, polygons, random blobs),
shaded, put into the same photo composites as the garments (cloth colours and prints, backgrounds, light, camera)
and through the same preprocessing. Each one fills ten training slots, labelled 0 to 9: the loss over the ten is
the cross-entropy to the uniform answer, and no kind gets more examples than another. Nothing is downloaded or
photographed.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PIL import Image, ImageDraw

from playground.composites import _smooth_noise, draw_in_chunks, photo_composite
from playground.config import ExperimentConfig
from playground.data import FashionMNIST, train_validation_split
from playground.images import ImageError, preprocess_photo

SHAPES = ("ellipse", "box", "triangle", "polygon", "blob")
SIDE = 112  # drawn at 4x, then shrunk to a 28x28 item like Fashion-MNIST's
KINDS = 10  # slots per outlier: one per label, so its targets average to the uniform answer


def shape_item(rng: np.random.Generator) -> np.ndarray:
    """A 28x28 uint8 item (bright on black, like Fashion-MNIST's): one plain shape with a shading across it."""
    picture = Image.new("L", (SIDE, SIDE), 0)
    draw = ImageDraw.Draw(picture)
    kind = str(rng.choice(SHAPES))
    cx, cy = rng.uniform(0.35, 0.65, 2) * SIDE
    w, h = rng.uniform(0.18, 0.45, 2) * SIDE
    if kind == "ellipse":
        draw.ellipse([cx - w, cy - h, cx + w, cy + h], fill=255)
    elif kind == "box":
        draw.rectangle([cx - w, cy - h, cx + w, cy + h], fill=255)
    elif kind == "triangle":
        draw.polygon([tuple(rng.uniform(0.05, 0.95, 2) * SIDE) for _ in range(3)], fill=255)
    elif kind == "polygon":  # a lumpy round outline: stones, cushions, toys
        angles = np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(5, 10))))
        radius = rng.uniform(0.5, 1.0, len(angles))
        draw.polygon(
            [(cx + w * r * np.cos(a), cy + h * r * np.sin(a)) for a, r in zip(angles, radius, strict=True)], fill=255
        )
    else:  # "blob": smooth noise cut off towards the edges
        ys, xs = np.mgrid[0:SIDE, 0:SIDE]
        fall = ((xs - cx) ** 2 + (ys - cy) ** 2) / (0.45 * SIDE) ** 2
        noise = _smooth_noise(SIDE, SIDE, float(rng.uniform(15, 35)), rng)
        picture = Image.fromarray(((noise - fall + 0.3) > 0).astype(np.uint8) * 255)
    item = np.asarray(picture.resize((28, 28), Image.Resampling.BILINEAR), np.float32)
    shading = rng.uniform(0.5, 1.0) + rng.uniform(-0.3, 0.3) * np.linspace(-1, 1, 28)[None, :]
    return np.clip(item * shading, 0, 255).astype(np.uint8)


def outlier_images(count: int, seed: int, workers: int = 1) -> np.ndarray:
    """`count` shapes as preprocessed photo composites (uint8 count x 28 x 28), the same for any number of workers."""
    return draw_in_chunks(_outlier_chunk, count, (seed, KINDS), workers)


def _outlier_chunk(count: int, seed: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.zeros((count, 28, 28), np.uint8)
    drawn = 0
    while drawn < count:
        item = shape_item(rng)
        try:
            out[drawn] = preprocess_photo(photo_composite(item, None, rng))
            drawn += 1
        except ImageError:
            pass  # lost in its background: draw another
    return out


def with_outliers(data: FashionMNIST, share: float, config: ExperimentConfig, workers: int = 1) -> FashionMNIST:
    """The dataset with `share` of the training slots this config will train on given to shapes, ten slots each
    (labels 0-9). The slots come from the end of the shuffled order; photo composites take theirs from the start."""
    if not 0.0 <= share <= 0.5:
        raise ValueError(f"the share of outlier slots must be from 0 to 0.5, not {share}")
    used, _ = train_validation_split(data.train_labels, config.train_limit, config.validation_split, config.seed)
    count = round(share * len(used)) // KINDS
    if count == 0:
        return data
    slots = np.sort(used[len(used) - count * KINDS :])
    images, labels = np.array(data.train_images, copy=True), np.array(data.train_labels, copy=True)
    images[slots] = np.repeat(outlier_images(count, config.seed, workers), KINDS, axis=0)
    labels[slots] = np.tile(np.arange(KINDS, dtype=labels.dtype), count)
    images.setflags(write=False)
    labels.setflags(write=False)
    source = f"{data.source} + {count} shapes in {count * KINDS} slots answered uniformly"
    return dataclasses.replace(data, train_images=images, train_labels=labels, source=source)
