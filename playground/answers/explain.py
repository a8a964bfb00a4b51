"""Why the network answered what it did, for one picture: a pixel heat map and what its hidden layer did.

The heat map is gradient × input of the top class's log-probability: for each pixel, how much its brightness
moved the answer towards that class (positive) or towards the others (negative). It needs one forward and one
backward pass through the NumpyNet, about a millisecond, where occlusion would need hundreds of forward passes.
Pixels that are black (no ink) have nothing to multiply and so count for nothing, which is also how a
non-programmer reads it: "the parts I drew that made it say Sneaker".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.data.fashion_mnist import CLASS_NAMES
from playground.network.layer_maths import activate
from playground.network.numpy_net import NumpyNet

TOP_NEURONS = 8  # the most active hidden neurons whose weights are drawn
TOP_MAPS = 32  # the most active feature maps drawn (the playground's CNN has 32; an uploaded model may have more)
SWITCHES_OFF = ("relu",)  # activations that output exactly 0 for every negative input


@dataclass(frozen=True)
class HiddenLayer:
    """What the first hidden layer did with the picture.

    dense: `values` are the neurons' outputs (units,), `pictures` the incoming weights of the `top` ones as
    28×28 (when the layer sees the pixels directly). conv: `values` are the feature maps (filters, h, w) after
    the activation, `pictures` the TOP_MAPS most active of them, the most active first.
    """

    name: str
    kind: str  # "dense" or "conv"
    activation: str
    values: np.ndarray
    top: np.ndarray  # indices, most active first
    pictures: np.ndarray | None
    layers_of_its_kind: int = 1  # hidden Dense layers (or Conv2D layers) in the whole network

    @property
    def switched_off(self) -> int | None:
        """How many outputs the activation set to exactly 0 (None when it never does, e.g. tanh)."""
        return int(np.sum(self.values <= 0)) if self.activation in SWITCHES_OFF else None

    @property
    def total(self) -> int:
        return int(self.values.size)


@dataclass(frozen=True)
class Explanation:
    target: int  # the class explained: the model's answer
    heat: np.ndarray  # (28, 28), signed: > 0 pushed towards `target`, < 0 against it
    hidden: HiddenLayer | None  # None when the pixels go straight to the ten outputs

    @property
    def target_name(self) -> str:
        return CLASS_NAMES[self.target]


def explain_answer(net: NumpyNet, image: np.ndarray, target: int | None = None) -> Explanation:
    """The heat map and hidden layer for one (28, 28) uint8 picture; target defaults to the top class."""
    if image.shape != (28, 28):
        raise ValueError(f"expected a 28×28 image, got {image.shape}")
    pixels = np.asarray(image, dtype=np.float32)[None]
    logits, tape = _forward(net, pixels)
    target = int(np.argmax(logits[0])) if target is None else int(target)
    # d log softmax(z)[target] / dz = one-hot(target) - softmax(z): towards this class and away from the rest
    grad = -activate(logits.astype(np.float64), "softmax").astype(np.float32)
    grad[0, target] += 1
    heat = (_backward(tape, grad) * pixels)[0]
    return Explanation(target, heat.astype(np.float32), _hidden_layer(net, tape))


def _forward(net: NumpyNet, x: np.ndarray) -> tuple[np.ndarray, list[tuple]]:
    """NumpyNet.logits, keeping what the backward pass needs: (layer, its weights, its input, its output)."""
    tape = []
    for layer, params in net.layers_with_weights():
        x_in = x
        x = layer.does.forward(layer, params, x, last=layer is net.plan[-1])
        tape.append((layer, params, x_in, x))
    return x, tape


def _backward(tape: list[tuple], grad: np.ndarray) -> np.ndarray:
    """The gradient of the explained score with respect to the raw pixels, layer by layer backwards."""
    last = tape[-1][0]
    for layer, params, x_in, x_out in reversed(tape):
        grad = layer.does.backward(layer, params, x_in, x_out, grad, last=layer is last)
    return grad


def _hidden_layer(net: NumpyNet, tape: list[tuple]) -> HiddenLayer | None:
    """The first Conv2D (a CNN) or the first Dense before the output (a dense network), as the picture left it."""
    roles = [layer.does.hidden for layer, *_ in tape[:-1]]
    sees_pixels = True  # until a layer changes the pixels one by one, a 784-row Dense kernel is one row per pixel
    for layer, params, _, x_out in tape[:-1]:
        role = layer.does.hidden
        if role == "conv":
            maps = np.moveaxis(x_out[0], -1, 0)  # (filters, h, w)
            top = np.argsort(-maps.reshape(len(maps), -1).mean(axis=1), kind="stable")[:TOP_MAPS]
            return HiddenLayer(layer.name, role, layer.activation, maps, top, maps[top], roles.count(role))
        if role == "dense":
            values = x_out[0]
            top = np.argsort(-values, kind="stable")[:TOP_NEURONS]
            kernel = params[0]
            pictures = kernel[:, top].T.reshape(-1, 28, 28) if sees_pixels and kernel.shape[0] == 784 else None
            return HiddenLayer(layer.name, role, layer.activation, values, top, pictures, roles.count(role))
        sees_pixels = sees_pixels and not layer.does.per_pixel
    return None


def describe_heat(explanation: Explanation) -> str:
    """The heat map in words, for screen readers: where the pushes towards and against are strongest."""
    heat = explanation.heat
    towards, against = float(heat[heat > 0].sum()), float(-heat[heat < 0].sum())
    name = explanation.target_name
    if towards == 0 and against == 0:
        return f"Heat map of the 28 × 28 picture: no pixel pushed the answer ({name}) either way."
    parts = [f"Heat map of the 28 × 28 picture, explaining the answer {name}."]
    if towards > 0:
        parts.append(f"Orange, towards {name}, is strongest {_where(np.maximum(heat, 0))}.")
    if against > 0:
        parts.append(f"Blue, against it, is strongest {_where(np.maximum(-heat, 0))}.")
    if towards and against:
        ratio = towards / against
        parts.append(
            f"Overall the push towards is {ratio:.1f} times the push against."
            if ratio >= 1
            else f"Overall the push against is {1 / ratio:.1f} times the push towards."
        )
    return " ".join(parts)


def _where(strength: np.ndarray) -> str:
    """'in the top left', 'in the middle', … : the ninth of the picture holding most of `strength`."""
    cuts = (0, 9, 19, 28)
    sums = [[strength[cuts[r] : cuts[r + 1], cuts[c] : cuts[c + 1]].sum() for c in range(3)] for r in range(3)]
    row, column = np.unravel_index(int(np.argmax(sums)), (3, 3))
    vertical, horizontal = ("top", "middle", "bottom")[row], ("left", "centre", "right")[column]
    if row == 1 and column == 1:
        return "in the middle"
    if row == 1:
        return f"on the {horizontal}"
    if column == 1:
        return f"at the {vertical}"
    return f"in the {vertical} {horizontal}"


def describe_hidden(hidden: HiddenLayer | None) -> str:
    """What the hidden layer did, in one or two plain sentences (also the activation chart's caption)."""
    if hidden is None:
        return "This model has no hidden layer: the pixels go straight to the ten outputs."
    off = hidden.switched_off
    if hidden.kind == "dense":
        many = hidden.layers_of_its_kind
        which = "The hidden layer" if many == 1 else f"The first of its {many} hidden layers"
        words = f"{which} has {hidden.total} neurons."
        if off is None:
            return f"{words} Its activation ({hidden.activation}) never switches a neuron fully off."
        active = hidden.total - off
        return (
            f"{words} For this picture ReLU switched {off} of them off (it throws away negative values, so they "
            f"output 0); the other {active} passed something on."
        )
    filters = len(hidden.values)
    words = f"The first layer has {filters} filters, each making a {hidden.values.shape[1]} × "
    words += f"{hidden.values.shape[2]} map of where it found its pattern (bright: found it strongly)."
    if off is None:
        return words
    silent = int(np.sum(hidden.values.reshape(filters, -1).max(axis=1) <= 0))
    return f"{words} ReLU switched off {off / hidden.total:.0%} of all map values; {silent} filters found nothing."
