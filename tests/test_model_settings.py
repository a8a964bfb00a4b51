"""The declared settings reach the Keras model: every optimizer entry, every architecture, label smoothing."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from playground.network.model import SmoothedSparseCrossentropy, build_compiled_model, build_model, make_optimizer
from playground.settings.config import ARCHITECTURES, LECTURE, OPTIMIZERS
from playground.training.engine import train


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_entry_builds_what_it_says(name):
    entry = OPTIMIZERS[name]
    optimizer = make_optimizer(name, entry.learning_rate)
    assert type(optimizer).__name__ == entry.keras_class
    assert float(optimizer.learning_rate) == pytest.approx(entry.learning_rate)
    for option, value in entry.options.items():
        assert getattr(optimizer, option) == value


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_every_architecture_builds_its_convolutions(name):
    model = build_model(LECTURE.replace(architecture=name))
    filters = [layer.filters for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert tuple(filters) == ARCHITECTURES[name].conv_filters


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3, 0.5])
def test_smoothed_loss_matches_keras_categorical_label_smoothing(smoothing):
    """Keras' own reference: one-hot labels through CategoricalCrossentropy(label_smoothing=...)."""
    rng = np.random.default_rng(3)
    probabilities = rng.random((16, 10)).astype("float32")
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    labels = rng.integers(0, 10, size=16)
    reference = keras.losses.CategoricalCrossentropy(label_smoothing=smoothing)(np.eye(10)[labels], probabilities)
    ours = SmoothedSparseCrossentropy(smoothing)(labels, probabilities)
    assert float(ours) == pytest.approx(float(reference), rel=1e-5)


def test_the_lecture_keeps_its_loss_and_smoothing_swaps_it_in():
    assert build_compiled_model(LECTURE).loss == "sparse_categorical_crossentropy"
    smoothed = build_compiled_model(LECTURE.replace(label_smoothing=0.2)).loss
    assert isinstance(smoothed, SmoothedSparseCrossentropy) and smoothed.label_smoothing == 0.2


def test_a_smoothed_model_is_less_sure_and_still_right(fashion, tmp_path):
    """What the setting teaches, through the real engine: the same run, smoothed, gives lower top probabilities."""
    config = LECTURE.replace(epochs=1, train_limit=3000)
    plain = train(config, fashion)
    smoothed = train(config.replace(label_smoothing=0.3), fashion)
    plain_sureness = plain.evaluation.probabilities.max(axis=1).mean()
    smoothed_sureness = smoothed.evaluation.probabilities.max(axis=1).mean()
    assert smoothed_sureness < plain_sureness - 0.05
    assert smoothed.evaluation.accuracy > 0.65
    # A smoothed model saves and loads with its loss (the CLI's --save).
    smoothed.model.save(tmp_path / "smoothed.keras")
    reloaded = keras.models.load_model(tmp_path / "smoothed.keras")
    assert reloaded.loss.label_smoothing == pytest.approx(0.3)
