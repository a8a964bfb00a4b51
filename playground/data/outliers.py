"""Things that are none of the ten kinds, for teaching the network to say so (outlier exposure).

A network trained only on the ten kinds answers every picture with one of them, often very surely: a bucket hat
photographed from above became "very sure: 97% Bag". Outlier exposure (Hendrycks et al. 2019) adds pictures of
other things whose target is "each kind equally likely". Here they are plain shapes (ellipses, boxes, triangles,
lumpy outlines, random blobs), shaded, put into the same photo composites as the garments (cloth colours and
prints, backgrounds, light, camera) and through the same preprocessing. Each one fills ten training slots, one of
each kind: the loss over the ten is the cross-entropy to the uniform answer, and no label changes. Nothing is
downloaded or photographed.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PIL import Image, ImageDraw

from playground.data.composites import draw_in_chunks, photo_composite, smooth_noise
from playground.data.fashion_mnist import CLASS_NAMES, FashionMNIST, train_validation_split
from playground.photos.images import ImageError, preprocess_photo
from playground.settings.config import ExperimentConfig

SHAPES = ("ellipse", "box", "triangle", "polygon", "blob")
SIDE = 112  # drawn at 4x, then shrunk to a 28x28 item like Fashion-MNIST's
KINDS = len(CLASS_NAMES)  # slots per shape: one of each kind, so its targets average to the uniform answer
MOST_SHARE = 0.5  # of the training slots given to shapes
# Tags the shapes' random streams apart from the composites' (seed, chunk): never a chunk number. NumPy reads a
# trailing 0 as absent, so a small tag would make (seed, tag, 0) the stream of composites' chunk `tag`.
STREAM = 2**31 - 1


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
        noise = smooth_noise(SIDE, SIDE, float(rng.uniform(15, 35)), rng)
        picture = Image.fromarray(((noise - fall + 0.3) > 0).astype(np.uint8) * 255)
    item = np.asarray(picture.resize((28, 28), Image.Resampling.BILINEAR), np.float32)
    shading = rng.uniform(0.5, 1.0) + rng.uniform(-0.3, 0.3) * np.linspace(-1, 1, 28)[None, :]
    return np.clip(item * shading, 0, 255).astype(np.uint8)


def outlier_images(count: int, seed: int, workers: int = 1) -> np.ndarray:
    """`count` shapes as preprocessed photo composites (uint8 count x 28 x 28), the same for any number of workers."""
    return draw_in_chunks(_outlier_chunk, count, (seed, STREAM), workers)


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
    """The dataset with about `share` of the training slots this config will train on given to shapes.

    Each shape goes into one slot of each kind, and every slot keeps its label, so a shape is seen once as each of
    the ten kinds and every split of the data (TrainingRun makes its own from the labels) stays what it was. The
    slots are the last of each kind in the shuffled order; photo composites take theirs from its start, so shares
    that add up to at most 1 rarely meet, and a shape replaces a composite where they do.
    """
    if not 0.0 <= share <= MOST_SHARE:
        raise ValueError(f"the share of slots given to shapes must be from 0 to {MOST_SHARE}, not {share}")
    used, _ = train_validation_split(data.train_labels, config.train_limit, config.validation_split, config.seed)
    last_first = used[::-1]
    per_kind = [last_first[data.train_labels[last_first] == kind] for kind in range(KINDS)]
    count = min(round(share * len(used)) // KINDS, *(len(slots) for slots in per_kind))
    if count == 0:
        return data
    shapes = outlier_images(count, config.seed, workers)
    images = np.array(data.train_images, copy=True)
    for slots in per_kind:
        images[slots[:count]] = shapes  # shape j in the j-th of each kind's slots
    images.setflags(write=False)
    source = f"{data.source} + {count} shapes in {count * KINDS} slots, one of each kind"
    return dataclasses.replace(data, train_images=images, source=source)
