"""Outlier exposure: shapes that are none of the ten kinds, each taught as "every kind equally likely"."""

from __future__ import annotations

import numpy as np
import pytest

from playground import composites
from playground.composites import with_photo_composites
from playground.config import LECTURE
from playground.data import train_validation_split
from playground.outliers import KINDS, outlier_images, shape_item, with_outliers


def test_a_shape_is_a_28x28_item_bright_on_black_like_fashion_mnist():
    rng = np.random.default_rng(0)
    items = np.array([shape_item(rng) for _ in range(50)])
    assert items.shape == (50, 28, 28) and items.dtype == np.uint8
    assert (items.reshape(50, -1).max(axis=1) > 20).all()  # something drawn in each
    assert items[:, 0, :].mean() < items[:, 10:18, 10:18].mean()  # on black, the shape towards the middle
    assert len({item.tobytes() for item in items}) == 50


def test_outlier_images_are_preprocessed_composites_the_same_for_any_number_of_workers():
    small_chunks = composites.CHUNK
    try:
        composites.CHUNK = 4
        one = outlier_images(10, seed=3)
        assert np.array_equal(one, outlier_images(10, seed=3, workers=2))
    finally:
        composites.CHUNK = small_chunks
    assert one.shape == (10, 28, 28) and (one.reshape(10, -1).max(axis=1) == 255).all()  # stretched as photos are
    assert not np.array_equal(one, outlier_images(10, seed=4))


def test_each_shape_fills_ten_slots_labelled_0_to_9_and_nothing_else_changes(fashion):
    config = LECTURE.replace(train_limit=1000, validation_split=0.0)
    mixed = with_outliers(fashion, 0.1, config)
    changed = np.flatnonzero(mixed.train_labels != fashion.train_labels)
    slots = np.flatnonzero((mixed.train_images != fashion.train_images).any(axis=(1, 2)))
    assert len(slots) == 100 and set(changed) <= set(slots)  # 10 shapes x 10 slots
    shapes = {}
    for slot in slots:
        shapes.setdefault(mixed.train_images[slot].tobytes(), []).append(int(mixed.train_labels[slot]))
    assert len(shapes) == 10 and all(sorted(labels) == list(range(KINDS)) for labels in shapes.values())
    used, _ = train_validation_split(fashion.train_labels, 1000, 0.0, config.seed)
    assert set(slots) <= set(used)  # slots this config trains on
    assert mixed.test_images is fashion.test_images and "10 shapes in 100 slots" in mixed.source
    with pytest.raises(ValueError, match="share"):
        with_outliers(fashion, 0.6, config)


def test_shapes_and_photo_composites_take_different_slots(fashion):
    config = LECTURE.replace(train_limit=1000, validation_split=0.0)
    with_composites = with_photo_composites(fashion, 0.5, config)
    both = with_outliers(with_composites, 0.2, config)
    composited = (with_composites.train_images != fashion.train_images).any(axis=(1, 2))
    shaped = (both.train_images != with_composites.train_images).any(axis=(1, 2))
    assert composited.sum() >= 480 and shaped.sum() == 200 and not (composited & shaped).any()
