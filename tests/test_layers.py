"""Every layer kind in playground.network.layers' table against Keras itself: built from its settings, it answers in
NumPy as Keras does, its gradient is TensorFlow's, and a .keras file holding it reads back through the upload checks.
A new kind needs one example here."""

from __future__ import annotations

import numpy as np
import pytest

from playground.answers.explain import explain_answer
from playground.network.layers import KINDS, PlannedLayer, keras_layer
from playground.network.numpy_net import NumpyNet
from playground.settings.config import LECTURE
from tests.test_explain import keras_gradient_times_input
from tests.test_numpy_net import random_weights

CONFIG = LECTURE.replace(dropout=0.2)  # what the kinds' settings read: the seed, the dropout rate
SCALE = PlannedLayer("scale", "Rescaling", (28, 28), scale=1 / 255)
CHANNEL = PlannedLayer("channel", "Reshape", (28, 28, 1))
FLAT = PlannedLayer("flatten", "Flatten", (784,))


def dense(name: str, inputs: int, units: int, activation: str) -> PlannedLayer:
    return PlannedLayer(name, "Dense", (units,), ((inputs, units), (units,)), activation)


def conv(side: int, channels: int, filters: int, activation: str = "tanh") -> PlannedLayer:
    weights = ((3, 3, channels, filters), (filters,))
    return PlannedLayer("conv", "Conv2D", (side - 2, side - 2, filters), weights, activation)


def passes(kind: str) -> list[PlannedLayer]:
    return [SCALE, CHANNEL, PlannedLayer("kind", kind, (28, 28, 1)), FLAT, dense("output", 784, 10, "softmax")]


EXAMPLES = {  # the kind -> a small network holding it
    "Rescaling": [SCALE, FLAT, dense("output", 784, 10, "softmax")],
    "Reshape": [SCALE, CHANNEL, FLAT, dense("output", 784, 10, "softmax")],
    "Flatten": [SCALE, FLAT, dense("output", 784, 10, "linear")],
    "Dense": [SCALE, FLAT, dense("hidden", 784, 16, "elu"), dense("output", 16, 10, "softmax")],
    "Conv2D": [SCALE, CHANNEL, conv(28, 1, 4), PlannedLayer("flatten", "Flatten", (2704,)),
               dense("output", 2704, 10, "softmax")],
    "BatchNormalization": [SCALE, CHANNEL, conv(28, 1, 4, "relu"),
                           PlannedLayer("norm", "BatchNormalization", (26, 26, 4), ((4,),) * 4),
                           PlannedLayer("flatten", "Flatten", (2704,)), dense("output", 2704, 10, "softmax")],
    "MaxPooling2D": [SCALE, CHANNEL, conv(28, 1, 4, "sigmoid"), PlannedLayer("pool", "MaxPooling2D", (13, 13, 4)),
                     PlannedLayer("flatten", "Flatten", (676,)), dense("output", 676, 10, "softmax")],
    "Dropout": [SCALE, FLAT, dense("hidden", 784, 16, "relu"), PlannedLayer("drop", "Dropout", (16,)),
                dense("output", 16, 10, "softmax")],
} | {kind: passes(kind) for kind in ("RandomTranslation", "RandomZoom", "RandomContrast", "RandomRotation",
                                     "GaussianNoise")}  # fmt: skip


def test_every_kind_has_an_example():
    assert set(EXAMPLES) == set(KINDS)


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_a_kind_runs_in_numpy_as_in_keras_and_reads_back_from_its_file(kind, fashion, tmp_path):
    import keras

    from playground.network.uploaded_model import _read

    plan = EXAMPLES[kind]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28)), *(keras_layer(layer, CONFIG) for layer in plan)])
    model.set_weights(random_weights(model, np.random.default_rng(1)))
    net = NumpyNet(plan, model.get_weights())
    images = fashion.test_images[:8]
    expected = model(images.astype("float32"), training=False).numpy()
    answers = net(images) if plan[-1].activation == "softmax" else net.logits(images)
    np.testing.assert_allclose(answers, expected, atol=2e-5, rtol=1e-4)
    if plan[-1].activation == "softmax":
        why = explain_answer(net, images[0])
        gradient = keras_gradient_times_input(model, images[0], why.target)
        np.testing.assert_allclose(why.heat, gradient, atol=1e-4 * np.abs(gradient).max())
    model.save(tmp_path / "model.keras")
    read_plan, _, weights = _read((tmp_path / "model.keras").read_bytes())
    assert [layer.kind for layer in read_plan] == [layer.kind for layer in plan]
    np.testing.assert_allclose(NumpyNet(read_plan, weights).logits(images), net.logits(images), atol=1e-5)
