"""Outlier exposure: shapes that are none of the ten kinds, each taught as "every kind equally likely"."""

from __future__ import annotations

import numpy as np
import pytest

from playground.data import composites
from playground.data.composites import with_photo_composites
from playground.data.fashion_mnist import train_validation_split
from playground.data.outliers import KINDS, outlier_images, shape_item, with_outliers
from playground.settings.config import LECTURE


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


@pytest.mark.parametrize("validation_split", [0.0, 0.1])
def test_each_shape_fills_one_slot_of_each_kind_that_training_will_use(fashion, validation_split):
    config = LECTURE.replace(train_limit=1000, validation_split=validation_split)
    mixed = with_outliers(fashion, 0.1, config)
    assert np.array_equal(mixed.train_labels, fashion.train_labels)  # no label changes, so neither does any split
    trained, _ = train_validation_split(mixed.train_labels, 1000, validation_split, config.seed)  # as TrainingRun
    slots = np.flatnonzero((mixed.train_images != fashion.train_images).any(axis=(1, 2)))
    count = round(0.1 * len(trained)) // KINDS  # 10 shapes, or 9 when a tenth is held out for validation
    assert len(slots) == count * KINDS and np.isin(slots, trained).all()
    shapes = {}
    for slot in slots:
        shapes.setdefault(mixed.train_images[slot].tobytes(), []).append(int(mixed.train_labels[slot]))
    assert len(shapes) == count and all(sorted(labels) == list(range(KINDS)) for labels in shapes.values())
    assert mixed.test_images is fashion.test_images and f"{count} shapes in {count * KINDS} slots" in mixed.source
    with pytest.raises(ValueError, match="share"):
        with_outliers(fashion, 0.6, config)
    assert with_outliers(fashion, 0.001, config) is fashion  # too few slots for one shape: nothing changes


def test_shapes_and_photo_composites_take_different_slots(fashion):
    config = LECTURE.replace(train_limit=1000, validation_split=0.1)
    with_composites = with_photo_composites(fashion, 0.5, config)
    both = with_outliers(with_composites, 0.2, config)
    composited = (with_composites.train_images != fashion.train_images).any(axis=(1, 2))
    shaped = (both.train_images != with_composites.train_images).any(axis=(1, 2))
    assert composited.sum() >= 430 and shaped.sum() == 180 and not (composited & shaped).any()
