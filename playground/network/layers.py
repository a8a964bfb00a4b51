"""One table of the layer kinds the playground knows, keyed by Keras' class name: all the rest asks of a kind.

An entry says how a layer of its kind is planned from a .keras file's config.json, refusing what NumPy would not
run the same way (`from_file`), and what one picture costs in it (`costs`); built in Keras and written to a .keras
file, both from `settings` (its Keras class's keyword arguments); run forwards and backwards in NumPy (`forward`,
`backward`) on the arrays it holds (`weights`); named among Keras' weight groups (`weight_groups`, for all alike).
Adding a kind is one entry here and one example in tests/test_layers.py.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from playground.network import layer_maths as maths
from playground.network.untrusted import listed, number, sides


@dataclass(frozen=True)
class PlannedLayer:
    """One layer as the model summary shows it, plus what NumPy needs to run it."""

    name: str
    kind: str  # the Keras class name, a key of KINDS
    output_shape: tuple[int, ...]
    weight_shapes: tuple[tuple[int, ...], ...] = ()
    activation: str = "linear"
    scale: float = 1.0  # Rescaling only

    @property
    def parameters(self) -> int:
        return sum(math.prod(shape) for shape in self.weight_shapes)  # Python ints: no wrap-around

    does = property(lambda self: KINDS[self.kind], doc="its kind's entry in the table")


class LayerKind:
    """A kind that leaves the picture as it is outside training, holds nothing and costs nothing: the base."""

    weights = 0  # arrays a layer of this kind holds
    widest: int | None = None  # the most `units` an uploaded model's layer of this kind may have
    units = ""  # what its width counts: neurons, filters
    rescales = False  # it scales the pixels (a model without one gets 0..255)
    per_pixel = False  # it changes pixels one by one, so a later Dense kernel's rows are no longer pixels
    hidden: str | None = None  # "dense" or "conv": it can be the hidden layer "why this answer" looks at

    def from_file(self, planner, name: str, settings: dict) -> PlannedLayer:
        return PlannedLayer(name, type(self).__name__, planner.shape)

    def settings(self, layer: PlannedLayer, config) -> dict:
        """The keyword arguments of its Keras class (also its config in a .keras file), besides the name."""
        return {}

    def forward(self, layer: PlannedLayer, params: list[np.ndarray], x: np.ndarray, last: bool) -> np.ndarray:
        return x

    def backward(self, layer: PlannedLayer, params, x_in, x_out, grad: np.ndarray, last: bool) -> np.ndarray:
        return grad

    def costs(self, layer: PlannedLayer, input_shape: tuple[int, ...]) -> tuple[int, int]:
        """(numbers held for one picture, multiply-adds for one picture)."""
        return math.prod(layer.output_shape), 0


# -- The kinds that only act while training -------------------------------------------------------------


class Dropout(LayerKind):
    def settings(self, layer, config):
        return {"rate": config.dropout, "seed": config.seed}


class RandomTranslation(LayerKind):
    def settings(self, layer, config):
        return {"height_factor": 0.12, "width_factor": 0.12, "fill_mode": "constant", "seed": config.seed}


class RandomZoom(LayerKind):
    def settings(self, layer, config):
        return {"height_factor": [-0.2, 0.15], "fill_mode": "constant", "seed": config.seed}


class RandomContrast(LayerKind):
    def settings(self, layer, config):
        return {"factor": 0.4, "seed": config.seed}


class RandomRotation(LayerKind):  # accepted in an uploaded model; the playground's own models never use it
    def settings(self, layer, config):
        return {"factor": 0.1, "seed": config.seed}


class GaussianNoise(LayerKind):  # likewise
    def settings(self, layer, config):
        return {"stddev": 0.1, "seed": config.seed}


# -- The kinds that compute -----------------------------------------------------------------------------


class Rescaling(LayerKind):
    rescales = True

    def from_file(self, planner, name, settings):
        scale = settings.get("scale", 1.0)
        if settings.get("offset", 0) != 0 or not number(scale):
            planner.refuse("a Rescaling layer with an offset or an odd scale")
        return PlannedLayer(name, "Rescaling", planner.shape, scale=float(scale))

    def settings(self, layer, config):
        return {"scale": layer.scale, "offset": 0.0}  # Rescaling.from_config reads both

    def forward(self, layer, params, x, last):
        return x * np.float32(layer.scale)

    def backward(self, layer, params, x_in, x_out, grad, last):
        return grad * np.float32(layer.scale)


class Reshape(LayerKind):
    def from_file(self, planner, name, settings):
        target = self.target(planner.shape, settings)
        if not sides(target) or len(target) > 3 or math.prod(target) != math.prod(planner.shape):
            planner.refuse(f"a {type(self).__name__} to {planner.text(target)} that does not fit its input")
        return PlannedLayer(name, type(self).__name__, tuple(target))

    def target(self, shape: tuple[int, ...], settings: dict):
        return settings.get("target_shape")

    def settings(self, layer, config):
        return {"target_shape": list(layer.output_shape)}

    def forward(self, layer, params, x, last):
        return x.reshape(len(x), *layer.output_shape)

    def backward(self, layer, params, x_in, x_out, grad, last):
        return grad.reshape(x_in.shape)


class Flatten(Reshape):
    def target(self, shape, settings):
        return (math.prod(shape),)

    settings = LayerKind.settings  # nothing: a Flatten has no target shape to write


class Dense(LayerKind):
    weights = 2  # kernel, bias
    widest, units = 4096, "neurons"
    hidden = "dense"

    def from_file(self, planner, name, settings):
        if len(planner.shape) != 1:
            planner.refuse("a Dense layer on a picture that was not flattened first")
        if not settings.get("use_bias", True):
            planner.refuse("a Dense layer without biases")
        units = settings.get("units")
        if not sides([units]):
            planner.refuse("a Dense layer without a number of neurons")
        weights = ((planner.shape[0], units), (units,))
        return PlannedLayer(name, "Dense", (units,), weights, planner.activation(settings))

    def settings(self, layer, config):
        return {"units": layer.output_shape[0], "activation": layer.activation}

    def forward(self, layer, params, x, last):
        x = x @ params[0] + params[1]
        return x if last else maths.activate(x, layer.activation)  # the last layer's scores are the logits

    def backward(self, layer, params, x_in, x_out, grad, last):
        if not last:
            grad = maths.activation_backward(grad, x_out, layer.activation)
        return grad @ params[0].T

    def costs(self, layer, input_shape):
        return math.prod(layer.output_shape), math.prod(layer.weight_shapes[0])


class Conv2D(LayerKind):
    weights = 2  # kernel, bias
    widest, units = 256, "filters"
    hidden = "conv"
    USUAL = {"kernel_size": [3, 3], "strides": [1, 1], "dilation_rate": [1, 1], "padding": "valid", "groups": 1}

    def from_file(self, planner, name, settings):
        for key, value in self.USUAL.items():
            if listed(settings.get(key, value)) != value:
                shown = planner.text(settings.get(key))
                planner.refuse(f"a Conv2D with {key} {shown} (only 3 × 3, stride 1, 'valid' runs here)")
        if settings.get("data_format", "channels_last") != "channels_last" or not settings.get("use_bias", True):
            planner.refuse("a Conv2D with channels first or without biases")
        if len(planner.shape) != 3:
            planner.refuse("a Conv2D on something that is not a picture")
        filters = settings.get("filters")
        if not sides([filters]):
            planner.refuse("a Conv2D without a number of filters")
        height, width, channels = planner.shape
        if min(height, width) < 3:
            planner.refuse("a Conv2D on a picture smaller than 3 × 3")
        weights = ((3, 3, channels, filters), (filters,))
        return PlannedLayer(name, "Conv2D", (height - 2, width - 2, filters), weights, planner.activation(settings))

    def settings(self, layer, config):
        return {"filters": layer.output_shape[-1], "kernel_size": [3, 3], "activation": layer.activation}

    def forward(self, layer, params, x, last):
        return maths.activate(maths.conv3x3(x, params[0], params[1]), layer.activation)

    def backward(self, layer, params, x_in, x_out, grad, last):
        return maths.conv3x3_backward(maths.activation_backward(grad, x_out, layer.activation), params[0], x_in.shape)

    def costs(self, layer, input_shape):
        positions = math.prod(layer.output_shape[:2])
        patches = positions * 9 * input_shape[-1]  # the 3×3 patches of its input, one row per output position
        return max(math.prod(layer.output_shape), patches), positions * math.prod(layer.weight_shapes[0])


class BatchNormalization(LayerKind):
    weights = 4  # gamma, beta, moving mean, moving variance
    per_pixel = True

    def from_file(self, planner, name, settings):
        shape = planner.shape
        if settings.get("axis", -1) not in (-1, [-1], len(shape), [len(shape)]):
            planner.refuse("a BatchNormalization over an unusual axis")
        if not (settings.get("center", True) and settings.get("scale", True)) or settings.get("renorm"):
            planner.refuse("a BatchNormalization without its usual scale and shift")
        epsilon = settings.get("epsilon", maths.NORM_EPSILON)
        if not number(epsilon) or not math.isclose(epsilon, maths.NORM_EPSILON, rel_tol=1e-5):
            planner.refuse(f"a BatchNormalization with epsilon {planner.text(epsilon)} (not Keras' 0.001)")
        return PlannedLayer(name, "BatchNormalization", shape, ((shape[-1],),) * 4)

    def forward(self, layer, params, x, last):
        gamma, beta, mean, variance = params
        return (x - mean) * (gamma / np.sqrt(variance + maths.NORM_EPSILON)) + beta

    def backward(self, layer, params, x_in, x_out, grad, last):
        gamma, _, _, variance = params
        return grad * (gamma / np.sqrt(variance + maths.NORM_EPSILON))


class MaxPooling2D(LayerKind):
    def from_file(self, planner, name, settings):
        size, strides = listed(settings.get("pool_size")), listed(settings.get("strides") or settings.get("pool_size"))
        if size != [2, 2] or strides != [2, 2] or settings.get("padding", "valid") != "valid":
            planner.refuse("a MaxPooling2D other than 2 × 2 ('valid')")
        if len(planner.shape) != 3:
            planner.refuse("a MaxPooling2D on something that is not a picture")
        height, width, channels = planner.shape
        return PlannedLayer(name, "MaxPooling2D", (height // 2, width // 2, channels))

    def settings(self, layer, config):
        return {"pool_size": [2, 2]}

    def forward(self, layer, params, x, last):
        return maths.max_pool2(x)

    def backward(self, layer, params, x_in, x_out, grad, last):
        return maths.max_pool2_backward(grad, x_in)


KINDS: dict[str, LayerKind] = {
    kind.__name__: kind()
    for kind in (
        Rescaling, Reshape, Flatten, Dense, Conv2D, BatchNormalization, MaxPooling2D,
        Dropout, RandomTranslation, RandomZoom, RandomContrast, RandomRotation, GaussianNoise,
    )
}  # fmt: skip


# -- Asked of every kind alike ---------------------------------------------------------------------------


def weight_groups(plan: list[PlannedLayer]) -> list[tuple[str, PlannedLayer]]:
    """Each layer's group in a .keras weights file: Keras names it after its class in snake case, numbered from the
    second of a kind on ('dense', 'dense_1', …), whether or not it holds weights."""
    groups, seen = [], {}
    for layer in plan:
        snake = snake_case(layer.kind)
        number = seen.get(snake, 0)
        seen[snake] = number + 1
        groups.append((snake if number == 0 else f"{snake}_{number}", layer))
    return groups


def snake_case(name: str) -> str:
    """Keras' own naming of a layer's weights group: 'MaxPooling2D' -> 'max_pooling2d' (keras.src.utils.naming)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def keras_layer(layer: PlannedLayer, config):
    """The Keras layer for a planned one (imports Keras: for the training worker and the CLI only)."""
    from keras import layers

    return getattr(layers, layer.kind)(name=layer.name, **layer.does.settings(layer, config))
