"""Why this answer: the NumPy heat map is Keras' own gradient × input, the hidden layer is what the network
computed, and both are put into words and charts a non-programmer (and a screen reader) can follow."""

from __future__ import annotations

import numpy as np
import pytest

from playground import charts
from playground.answers.explain import Explanation, describe_heat, describe_hidden, explain_answer
from playground.network.numpy_net import NumpyNet
from playground.settings.config import LECTURE
from playground.settings.presets import PRESETS
from tests.figures import png_pixels
from tests.test_numpy_net import random_weights

CONFIGS = {
    "lecture": LECTURE,
    "cnn": PRESETS["cnn"].config,
    "augmented dense": LECTURE.replace(augment=True, dropout=0.2, hidden_units=(64, 32)),
    "cnn tanh raw": PRESETS["cnn"].config.replace(activation="tanh", normalize=False, hidden_units=(32,)),
    "elu": LECTURE.replace(activation="elu"),
    "sigmoid": LECTURE.replace(activation="sigmoid", hidden_units=(64, 64)),
}


def keras_and_numpy(config, seed: int = 0):
    from playground.network.model import build_model

    model = build_model(config)
    model.set_weights(random_weights(model, np.random.default_rng(seed)))
    return model, NumpyNet.from_config(config, model.get_weights())


def keras_gradient_times_input(model, image: np.ndarray, target: int) -> np.ndarray:
    """What TensorFlow's autodiff says: d log p(target) / d pixels, times the pixels."""
    import tensorflow as tf

    pixels = tf.Variable(image[None].astype("float32"))
    with tf.GradientTape() as tape:
        x = pixels
        for layer in model.layers:
            x = layer(x, training=False)
        log_probability = tf.math.log(x[0, target])
    return (tape.gradient(log_probability, pixels).numpy() * image)[0]


@pytest.mark.parametrize("name", list(CONFIGS))
def test_the_heat_map_is_keras_gradient_times_input(name, fashion):
    model, net = keras_and_numpy(CONFIGS[name])
    for image in fashion.test_images[:3]:
        why = explain_answer(net, image)
        assert why.target == int(np.argmax(net(image[None])[0]))
        expected = keras_gradient_times_input(model, image, why.target)
        scale = np.abs(expected).max()
        assert scale > 0
        np.testing.assert_allclose(why.heat, expected, atol=1e-4 * scale)


def test_pushes_towards_every_class_weighed_by_its_probability_cancel_out(fashion):
    """Σ_k p_k ∇log p_k = ∇Σ p_k = 0: a property of the maths, not of the code, so it checks the backward pass."""
    _, net = keras_and_numpy(CONFIGS["cnn"], seed=3)
    image = fashion.test_images[7]
    probabilities = net(image[None])[0]
    heats = np.array([explain_answer(net, image, target=k).heat for k in range(10)])
    assert {explain_answer(net, image, target=k).target for k in range(10)} == set(range(10))
    total = np.tensordot(probabilities, heats, axes=1)
    assert np.abs(total).max() < 1e-4 * np.abs(heats).max()


def test_black_pixels_count_for_nothing(fashion):
    _, net = keras_and_numpy(LECTURE)
    image = fashion.test_images[0]
    why = explain_answer(net, image)
    assert np.all(why.heat[image == 0] == 0)
    assert np.count_nonzero(why.heat[image > 0]) > 0.9 * np.count_nonzero(image)


def test_the_dense_hidden_layer_is_what_relu_left_of_the_picture(fashion):
    _, net = keras_and_numpy(LECTURE)
    kernel, bias = net.weights[0], net.weights[1]
    image = fashion.test_images[1]
    hidden = explain_answer(net, image).hidden
    expected = np.maximum((image.reshape(-1) / np.float32(255)) @ kernel + bias, 0)
    np.testing.assert_allclose(hidden.values, expected, rtol=1e-5, atol=1e-6)
    assert hidden.kind == "dense" and hidden.total == 128
    assert hidden.switched_off == int(np.sum(expected == 0)) > 0
    np.testing.assert_allclose(hidden.values[hidden.top], np.sort(expected)[::-1][: len(hidden.top)], rtol=1e-5)
    np.testing.assert_array_equal(hidden.pictures[0], kernel[:, hidden.top[0]].reshape(28, 28))
    words = describe_hidden(hidden)
    assert f"ReLU switched {hidden.switched_off} of them off" in words
    assert f"the other {128 - hidden.switched_off} passed something on" in words


def test_tanh_switches_nothing_off_and_says_so(fashion):
    _, net = keras_and_numpy(LECTURE.replace(activation="tanh"))
    hidden = explain_answer(net, fashion.test_images[0]).hidden
    assert hidden.switched_off is None
    assert "never switches a neuron fully off" in describe_hidden(hidden)


def test_a_deeper_network_shows_its_first_hidden_layer_and_says_so(fashion):
    _, net = keras_and_numpy(CONFIGS["sigmoid"])  # two hidden layers of 64
    hidden = explain_answer(net, fashion.test_images[0]).hidden
    assert hidden.name == "hidden1" and hidden.total == 64
    assert describe_hidden(hidden).startswith("The first of its 2 hidden layers has 64 neurons.")


def test_the_cnn_shows_its_first_layers_feature_maps(fashion):
    model, net = keras_and_numpy(CONFIGS["cnn"])
    image = fashion.test_images[2]
    hidden = explain_answer(net, image).hidden
    x = image[None]
    for layer in model.layers[:3]:  # scale, channel, conv1
        x = layer(x, training=False)
    expected = np.moveaxis(np.asarray(x)[0], -1, 0)
    assert hidden.kind == "conv" and hidden.values.shape == (32, 26, 26)
    np.testing.assert_allclose(hidden.values, expected, rtol=1e-4, atol=1e-5)
    means = hidden.values.reshape(32, -1).mean(axis=1)
    assert list(means[hidden.top]) == sorted(means, reverse=True)
    silent = int(np.sum(expected.reshape(32, -1).max(axis=1) <= 0))
    assert f"{silent} filters found nothing" in describe_hidden(hidden)


def test_a_network_without_a_hidden_layer_says_so():
    from playground.network.layers import PlannedLayer

    rng = np.random.default_rng(0)
    plan = [
        PlannedLayer("scale", "Rescaling", (28, 28), scale=1 / 255),
        PlannedLayer("flatten", "Flatten", (784,)),
        PlannedLayer("output", "Dense", (10,), ((784, 10), (10,)), "softmax"),
    ]
    net = NumpyNet(plan, [rng.normal(size=(784, 10)), rng.normal(size=10)])
    why = explain_answer(net, rng.integers(0, 256, (28, 28)).astype(np.uint8))
    assert why.hidden is None
    assert "no hidden layer" in describe_hidden(None)


def test_the_heat_map_in_words_says_where_the_pushes_are():
    heat = np.zeros((28, 28), dtype=np.float32)
    heat[22:26, 2:6] = 1.0  # bottom left pushes towards
    heat[2:5, 22:26] = -0.25  # top right pushes against, a quarter as strongly
    words = describe_heat(Explanation(7, heat, None))
    assert "Orange, towards Sneaker, is strongest in the bottom left" in words
    assert "Blue, against it, is strongest in the top right" in words
    assert "push towards is 5.3 times the push against" in words  # 16 pixels × 1 against 12 × 0.25
    assert "no pixel pushed" in describe_heat(Explanation(7, np.zeros((28, 28)), None))


def test_the_heat_map_chart_lays_blue_and_orange_over_the_picture():
    image = np.zeros((28, 28), dtype=np.uint8)
    image[5:20, 5:20] = 255
    heat = np.zeros((28, 28))
    heat[5:10, 5:20], heat[15:20, 5:20] = 2.0, -1.0
    fig = charts.heat_map_figure(image, heat, "Bag")
    picture, overlay = fig.data
    np.testing.assert_array_equal(picture.z, image)
    assert overlay.zmin == -1 and overlay.zmax == 1
    assert np.max(overlay.z) == 1 and np.min(overlay.z) == -0.5  # signs and proportions kept
    colours = [colour for _, colour in overlay.colorscale]
    assert colours[0].startswith("rgba(43,108,176") and colours[-1].startswith("rgba(221,107,32")  # blue, orange
    assert colours[len(colours) // 2].endswith(",0)")  # no push: see-through, the picture shows
    assert overlay.customdata[6][6] == "towards Bag" and overlay.customdata[16][6] == "against it"
    with pytest.raises(ValueError, match="same 2-D shape"):
        charts.heat_map_figure(image, heat[:20], "Bag")


def test_the_activation_chart_sorts_highlights_and_marks_the_switched_off():
    values = np.array([0.0, 3.0, 0.0, 1.0, 2.0, 0.0])
    fig = charts.hidden_activations_figure(values, np.array([1]), switches_off=True)
    bars = fig.data[0]
    assert list(bars.y) == [3.0, 2.0, 1.0, 0.0, 0.0, 0.0]
    assert list(bars.customdata) == [2, 5, 4, 1, 3, 6]  # neuron numbers, counted from 1
    assert [c == charts.style.ORANGE for c in bars.marker.color] == [True] + [False] * 5
    assert "3 switched off" in fig.layout.annotations[0].text
    assert not charts.hidden_activations_figure(values - 1, np.array([1]), switches_off=False).layout.annotations


def test_neuron_pictures_are_orange_where_a_weight_excites_and_blue_where_it_calms():
    pictures = np.zeros((6, 28, 28))
    pictures[0, 0, 0], pictures[0, 0, 1], pictures[0, 0, 2] = 2.0, -2.0, 1.0  # each tile on its own scale
    pictures[5] = 0.001  # tiny weights still fill their tile's range
    fig = charts.neuron_pictures_figure(pictures, [f"neuron {i}" for i in range(6)], columns=4)
    assert list(fig.data[1].text) == [f"neuron {i}" for i in range(6)]
    pixels = png_pixels(fig.data[0])
    top = 5  # the title space above the first row of tiles
    assert tuple(pixels[top, 0]) == (221, 107, 32)  # orange: charts.style.ORANGE
    assert tuple(pixels[top, 1]) == (43, 108, 176)  # blue: charts.style.BLUE
    assert tuple(pixels[top, 3]) == (255, 255, 255)  # no weight: white
    assert tuple(pixels[top, 2]) == (238, 181, 144)  # half way from white to orange
    assert tuple(pixels[top + 35, 30]) == (221, 107, 32)  # neuron 5: second row (28 + 2 + 5 down), second tile
    with pytest.raises(ValueError):
        charts.neuron_pictures_figure(pictures, ["one title"])


def test_feature_maps_share_one_brightness_scale():
    maps = np.zeros((32, 26, 26))
    maps[0, 0, 0], maps[1, 0, 0] = 4.0, 2.0
    fig = charts.feature_maps_figure(maps, [f"filter {i}" for i in range(32)])
    assert len(fig.data[1].text) == 32
    pixels = png_pixels(fig.data[0])
    top, second = 5, 26 + 2  # title space; the second tile's left edge
    assert tuple(pixels[top, 0]) == (255, 255, 255)  # the strongest value anywhere: white
    assert tuple(pixels[top, second]) == (128, 128, 128)  # half of it: grey
    assert tuple(pixels[top, 1]) == (0, 0, 0)  # nothing found: black
    assert pixels.shape == (4 * (26 + 2 + 5), 8 * 28 - 2, 3)


def test_at_most_32_feature_maps_are_drawn_the_most_active_first():
    from playground.answers.explain import TOP_MAPS
    from playground.network.layers import PlannedLayer

    rng = np.random.default_rng(3)
    plan = [
        PlannedLayer("channel", "Reshape", (28, 28, 1)),
        PlannedLayer("conv", "Conv2D", (26, 26, 100), ((3, 3, 1, 100), (100,)), "relu"),
        PlannedLayer("flatten", "Flatten", (26 * 26 * 100,)),
        PlannedLayer("output", "Dense", (10,), ((26 * 26 * 100, 10), (10,)), "softmax"),
    ]
    weights = [rng.normal(size=(3, 3, 1, 100)), rng.normal(size=100), rng.normal(size=(67600, 10)) * 0.01, np.zeros(10)]
    hidden = explain_answer(NumpyNet(plan, weights), rng.integers(0, 256, (28, 28)).astype(np.uint8)).hidden
    assert TOP_MAPS == 32 and len(hidden.top) == len(hidden.pictures) == 32 and len(hidden.values) == 100
    strength = hidden.values.reshape(100, -1).mean(axis=1)
    assert list(hidden.top) == list(np.argsort(-strength, kind="stable")[:32])
