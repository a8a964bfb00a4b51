"""Feeding the model: the training images as tf.data pipelines that keep one core busy, not waiting.

tf.data's autotuning thread sleeps in timed waits that every iterator's teardown then waits for. Keras makes a
new iterator per epoch for NumPy arrays, so on one core a 5-epoch lecture run spent 2-4 s of its ~11 s idle
(measured with wall and CPU clocks per phase). One repeating pipeline per run with autotuning off: no idle.
TensorFlow is imported inside the functions: only a worker process ever calls them.
"""

from __future__ import annotations

import numpy as np


def _plain_options():
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return options


def shuffled_batches(images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int):
    """Endless batches, every epoch a new order (seeded). The shuffle buffer holds the whole training set once
    (up to 47 MB in the worker): shuffling indices and gathering per batch cost 30% more CPU, measured."""
    import tensorflow as tf

    pairs = tf.data.Dataset.from_tensor_slices((images, labels))
    pairs = pairs.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True).batch(batch_size)
    return pairs.repeat().prefetch(2).with_options(_plain_options())


def equal_batch_size(count: int, largest: int) -> int:
    """The batch size that splits `count` rows into the fewest batches of at most `largest`, as equal as can be.

    XLA compiles the model once per batch shape: a short last batch (6000 validation images in batches of 1024
    end in one of 880) is a second compilation, which stalled the live chart at the end of the first epoch. The
    lecture's 6000 split into batches of 1000: one shape. Counts that don't divide keep one shorter batch.
    """
    batches = -(-count // largest)
    return -(-count // batches) if count else largest


def validation_batches(images: np.ndarray, labels: np.ndarray, largest: int):
    """The validation images in order, for one pass per epoch, in equal batches of at most `largest`."""
    import tensorflow as tf

    pairs = tf.data.Dataset.from_tensor_slices((images, labels))
    return pairs.batch(equal_batch_size(len(labels), largest)).with_options(_plain_options())


def selected_rows(array: np.ndarray, index: np.ndarray) -> np.ndarray:
    """array[index], without a copy when the index is every row (fit shuffles anyway)."""
    if len(index) == len(array):
        return array
    return array[index]
