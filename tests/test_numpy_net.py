"""The NumPy copy of the playground's networks: same layers as Keras builds, same answers as Keras gives."""

from __future__ import annotations

import numpy as np
import pytest

from playground.answers.inference import DEFAULT_MODEL_PATH, Classifier
from playground.network.numpy_net import NumpyNet, count_parameters, planned_layers, planned_summary_rows
from playground.settings.config import LECTURE
from playground.settings.presets import PRESETS

CONFIGS = {name: preset.config for name, preset in PRESETS.items()} | {
    "augmented dense": LECTURE.replace(augment=True, dropout=0.2, hidden_units=(64, 32)),
    "cnn tanh raw": PRESETS["cnn"].config.replace(activation="tanh", normalize=False, hidden_units=(32,)),
    "elu": LECTURE.replace(activation="elu"),
    "sigmoid": LECTURE.replace(activation="sigmoid"),
    "linear": LECTURE.replace(activation="linear"),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_the_plan_matches_what_keras_builds(name):
    from playground.network.model import build_model, model_summary_rows

    config = CONFIGS[name]
    model = build_model(config)
    assert planned_summary_rows(config) == model_summary_rows(model)
    assert count_parameters(config) == model.count_params()
    assert [tuple(w.shape) for w in model.get_weights()] == [
        s for layer in planned_layers(config) for s in layer.weight_shapes
    ]


def random_weights(model, rng: np.random.Generator) -> list[np.ndarray]:
    """Random weights of a realistic size, so every layer's arithmetic matters (variances kept positive)."""
    weights = []
    for variable in model.weights:
        value = rng.normal(0, 0.1, variable.shape).astype(np.float32)
        weights.append(np.abs(value) + 0.5 if "variance" in variable.path else value)
    return weights


@pytest.mark.parametrize("name", ["lecture", "cnn", "augmented dense", "cnn tanh raw", "elu", "sigmoid"])
def test_numpy_answers_match_keras(name, fashion):
    from playground.network.model import build_model

    config = CONFIGS[name]
    model = build_model(config)
    rng = np.random.default_rng(0)
    model.set_weights(random_weights(model, rng))
    images = fashion.test_images[:64]
    expected = np.asarray(model(images, training=False))
    got = NumpyNet.from_config(config, model.get_weights())(images)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_the_shipped_model_reads_without_keras_and_answers_the_same(fashion):
    """Every network of the ready-made ensemble, read into NumPy, gives Keras' answers; together they answer the
    test images as well as the record says (tests/test_inference.py checks that figure against the page)."""
    import keras

    numpy_classifier = Classifier.pretrained()
    paths = [DEFAULT_MODEL_PATH] + [DEFAULT_MODEL_PATH.parent / n for n in numpy_classifier.calibration.averaged_with]
    assert len(paths) == len(numpy_classifier.networks)
    images = fashion.test_images[:500]
    for path, net in zip(paths, numpy_classifier.networks, strict=True):
        keras_model = keras.models.load_model(path, compile=False)
        np.testing.assert_allclose(net(images), np.asarray(keras_model(images, training=False)), atol=1e-5)
        accuracy = float(np.mean(net(fashion.test_images).argmax(1) == fashion.test_labels))
        assert accuracy >= 0.89  # each alone; their averaged answer reaches 0.90 (pretrained/README.md)


def test_wrong_weights_are_refused_with_the_shapes():
    with pytest.raises(ValueError, match="expected shapes"):
        NumpyNet.from_config(LECTURE, [np.zeros((784, 64)), np.zeros(64), np.zeros((64, 10)), np.zeros(10)])
    with pytest.raises(ValueError, match="only answers"):
        NumpyNet.from_config(LECTURE, [np.zeros(s) for s in [(784, 128), (128,), (128, 10), (10,)]])(
            np.zeros((1, 28, 28)), training=True
        )


def test_logits_are_what_the_softmax_is_taken_of(fashion):
    """Calibration divides the logits and measures their log-sum-exp: they must be Keras' pre-softmax scores."""
    import keras

    from playground.network.model import build_model

    config = CONFIGS["cnn"]
    model = build_model(config)
    rng = np.random.default_rng(1)
    model.set_weights(random_weights(model, rng))
    before_softmax = keras.Model(model.inputs[0], model.get_layer("output").output)  # the output layer still softmaxes
    kernel, bias = model.get_layer("output").get_weights()
    hidden = keras.Model(model.inputs[0], model.get_layer("hidden1").output)
    images = fashion.test_images[:32]
    expected = np.asarray(hidden(images, training=False)) @ kernel + bias
    net = NumpyNet.from_config(config, model.get_weights())
    np.testing.assert_allclose(net.logits(images), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(net(images), np.asarray(before_softmax(images, training=False)), atol=1e-5)
