"""Models built from configurations: the lecture's shape, uint8 input, softmax output."""

from __future__ import annotations

import numpy as np
import pytest

from playground.network.model import build_compiled_model, build_model, model_summary_rows
from playground.settings.config import LECTURE
from playground.settings.presets import PRESETS


def test_lecture_preset_has_101770_parameters():
    model = build_model(PRESETS["lecture"].config)
    assert model.count_params() == 101_770
    dense = [row for row in model_summary_rows(model) if row["kind"] == "Dense"]
    assert [(row["output shape"], row["parameters"]) for row in dense] == [("128", 100_480), ("10", 1_290)]


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_builds_compiled_and_answers_with_probabilities(name):
    model = build_compiled_model(PRESETS[name].config)
    assert model.loss == "sparse_categorical_crossentropy"
    images = np.random.default_rng(0).integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    probabilities = np.asarray(model(images, training=False))
    assert probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert model.inputs[0].dtype == "uint8"


def test_normalization_happens_inside_the_model():
    scaled = build_model(LECTURE)
    raw = build_model(LECTURE.replace(normalize=False))
    image = np.full((1, 28, 28), 255, dtype=np.uint8)
    assert float(np.max(np.asarray(scaled.get_layer("scale")(image)))) == pytest.approx(1.0)
    assert float(np.max(np.asarray(raw.get_layer("scale")(image)))) == pytest.approx(255.0)


def test_hidden_layers_activation_and_dropout_follow_the_config():
    config = LECTURE.replace(hidden_units=(64, 32, 16), activation="tanh", dropout=0.25)
    model = build_model(config)
    hidden = [layer for layer in model.layers if layer.name.startswith("hidden")]
    assert [layer.units for layer in hidden] == [64, 32, 16]
    assert all(layer.activation.__name__ == "tanh" for layer in hidden)
    assert sum(layer.name.startswith("dropout") for layer in model.layers) == 3


def test_same_seed_same_weights():
    first, second = build_model(LECTURE), build_model(LECTURE)
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    other = build_model(LECTURE.replace(seed=7))
    assert not np.array_equal(first.get_weights()[0], other.get_weights()[0])
