"""A saved Keras model's description (the config.json in a .keras file), checked layer by layer as plain JSON.

Only the layer classes playground.numpy_net can run are accepted, with the settings it runs them with: an
allow-list, so a Lambda, a custom class or an unknown option is refused before any weight is read. The result is
the plan NumpyNet runs (each layer's kind, output shape and weight shapes) and notes for the page.
"""

from __future__ import annotations

import numpy as np

from playground.numpy_net import NORM_EPSILON, NUM_CLASSES, PlannedLayer

ACTIVATIONS = ("relu", "sigmoid", "tanh", "elu", "linear", "softmax")
# Layers that only act while training (or not at all): they pass the picture through unchanged.
PASS_THROUGH = ("Dropout", "RandomTranslation", "RandomZoom", "RandomContrast", "RandomRotation", "GaussianNoise")
RUNNABLE = ("InputLayer", "Rescaling", "Reshape", "Flatten", "Dense", "Conv2D", "BatchNormalization", "MaxPooling2D")
CODE_WORDS = "custom Python code, which is never run here"
ADDED_CHANNEL = "(channel added for the model)"  # a Reshape the file does not hold: (28, 28) -> (28, 28, 1)


class ModelFileError(ValueError):
    """Why an uploaded file cannot be used, in words for the page."""


def plan_from_config(saved: dict) -> tuple[list[PlannedLayer], list[str]]:
    """The layers NumpyNet runs for this config.json, and notes for the page; ModelFileError for anything else."""
    if saved.get("class_name") != "Sequential" or saved.get("module") not in ("keras", "keras.models"):
        raise ModelFileError(
            "Only a plain stack of layers (a keras.Sequential model) can be read here; this file holds "
            f"a {saved.get('class_name', 'model of unknown kind')}."
        )
    layers = (saved.get("config") or {}).get("layers")
    if not isinstance(layers, list) or not layers:
        raise ModelFileError("This model's description lists no layers.")
    for layer in layers:  # custom code first: it is the one refusal that matters for safety
        kind = layer.get("class_name") if isinstance(layer, dict) else None
        if kind == "Lambda":
            raise ModelFileError(f"This model has a Lambda layer: {CODE_WORDS}. Only standard layers are accepted.")
        if not isinstance(kind, str) or layer.get("registered_name") or layer.get("module") != "keras.layers":
            raise ModelFileError(f"This model has a layer of its own making ({kind}): {CODE_WORDS}.")
        if kind not in RUNNABLE + PASS_THROUGH:
            raise ModelFileError(
                f"This model has a {kind} layer, which this playground cannot run. It runs Dense, Conv2D (3×3), "
                "MaxPooling2D (2×2), BatchNormalization, Rescaling, Reshape, Flatten and Dropout layers."
            )
    planner = _Planner(_input_shape(saved["config"], layers))
    for layer in layers:
        if layer["class_name"] != "InputLayer":
            planner.add(layer["class_name"], layer.get("config") or {})
    return planner.finish()


def _input_shape(model_config: dict, layers: list[dict]) -> tuple[int, ...]:
    shape = None
    if layers[0]["class_name"] == "InputLayer":
        shape = (layers[0].get("config") or {}).get("batch_shape")
    shape = shape or model_config.get("build_input_shape")
    if not isinstance(shape, list) or not shape:
        raise ModelFileError("This model does not say what size of picture it takes.")
    shape = tuple(shape[1:])
    if shape not in ((28, 28), (28, 28, 1)):
        size = " × ".join(str(d) for d in shape)
        raise ModelFileError(
            f"This model takes inputs of {size}, but the pictures here are 28 × 28 grey pixels (as Fashion-MNIST)."
        )
    return shape


class _Planner:
    """Walks the layers once, keeping the current output shape, and says what does not fit."""

    def __init__(self, input_shape: tuple[int, ...]):
        self.shape: tuple[int, ...] = input_shape
        self.plan: list[PlannedLayer] = []
        self.notes: list[str] = []
        self.rescaled = False
        if input_shape == (28, 28, 1):  # NumpyNet is given (n, 28, 28) pixels: add the channel the model expects
            self.plan.append(PlannedLayer(ADDED_CHANNEL, "Reshape", input_shape))

    def refuse(self, what: str) -> None:
        raise ModelFileError(f"This model has {what}, which this playground cannot run.")

    def add(self, kind: str, config: dict) -> None:
        name = str(config.get("name", kind))
        if kind in PASS_THROUGH:
            self.plan.append(PlannedLayer(name, kind, self.shape))
        elif kind == "Rescaling":
            if config.get("offset", 0) != 0 or not isinstance(config.get("scale", 1.0), (int, float)):
                self.refuse("a Rescaling layer with an offset")
            self.rescaled = True
            self.plan.append(PlannedLayer(name, kind, self.shape, scale=float(config.get("scale", 1.0))))
        elif kind in ("Reshape", "Flatten"):
            target = (int(np.prod(self.shape)),) if kind == "Flatten" else tuple(config.get("target_shape") or ())
            if -1 in target or int(np.prod(target)) != int(np.prod(self.shape)):
                self.refuse(f"a Reshape to {target} that does not fit its input")
            self.shape = target
            self.plan.append(PlannedLayer(name, kind, target))
        elif kind == "Dense":
            self._dense(name, config)
        elif kind == "Conv2D":
            self._conv(name, config)
        elif kind == "BatchNormalization":
            axis = config.get("axis", -1)
            if axis not in (-1, [-1], len(self.shape), [len(self.shape)]):
                self.refuse("a BatchNormalization over an unusual axis")
            if not (config.get("center", True) and config.get("scale", True)) or config.get("renorm"):
                self.refuse("a BatchNormalization without its usual scale and shift")
            if not np.isclose(float(config.get("epsilon", NORM_EPSILON)), NORM_EPSILON):
                self.refuse(f"a BatchNormalization with epsilon {config.get('epsilon')} (not Keras' 0.001)")
            self.plan.append(PlannedLayer(name, kind, self.shape, ((self.shape[-1],),) * 4))
        elif kind == "MaxPooling2D":
            size, strides = _listed(config.get("pool_size")), _listed(config.get("strides") or config.get("pool_size"))
            if size != [2, 2] or strides != [2, 2] or config.get("padding", "valid") != "valid":
                self.refuse("a MaxPooling2D other than 2 × 2 ('valid')")
            if len(self.shape) != 3:
                self.refuse("a MaxPooling2D on something that is not a picture")
            height, width, channels = self.shape
            self.shape = (height // 2, width // 2, channels)
            self.plan.append(PlannedLayer(name, kind, self.shape))

    def _activation(self, config: dict) -> str:
        activation = config.get("activation", "linear")
        if activation not in ACTIVATIONS:
            self.refuse(f"the activation {activation!r}")
        return activation

    def _dense(self, name: str, config: dict) -> None:
        if len(self.shape) != 1:
            self.refuse("a Dense layer on a picture that was not flattened first")
        if not config.get("use_bias", True):
            self.refuse("a Dense layer without biases")
        units = config.get("units")
        if not isinstance(units, int) or units < 1:
            self.refuse("a Dense layer without a number of neurons")
        weights = ((self.shape[0], units), (units,))
        self.plan.append(PlannedLayer(name, "Dense", (units,), weights, self._activation(config)))
        self.shape = (units,)

    def _conv(self, name: str, config: dict) -> None:
        usual = {"kernel_size": [3, 3], "strides": [1, 1], "dilation_rate": [1, 1], "padding": "valid", "groups": 1}
        for key, value in usual.items():
            if _listed(config.get(key, value)) != value:
                self.refuse(f"a Conv2D with {key} {config.get(key)} (only 3 × 3, stride 1, 'valid' runs here)")
        if config.get("data_format", "channels_last") != "channels_last" or not config.get("use_bias", True):
            self.refuse("a Conv2D with channels first or without biases")
        if len(self.shape) != 3:
            self.refuse("a Conv2D on something that is not a picture")
        filters = config.get("filters")
        if not isinstance(filters, int) or filters < 1:
            self.refuse("a Conv2D without a number of filters")
        height, width, channels = self.shape
        if min(height, width) < 3:
            self.refuse("a Conv2D on a picture smaller than 3 × 3")
        self.shape = (height - 2, width - 2, filters)
        weights = ((3, 3, channels, filters), (filters,))
        self.plan.append(PlannedLayer(name, "Conv2D", self.shape, weights, self._activation(config)))

    def finish(self) -> tuple[list[PlannedLayer], list[str]]:
        last = self.plan[-1] if self.plan else None
        if last is None or last.kind != "Dense" or last.output_shape != (NUM_CLASSES,):
            out = " × ".join(str(d) for d in self.shape)
            raise ModelFileError(
                f"This model gives {out} numbers, but here a model must end in a Dense layer with 10 outputs, "
                "one per kind of garment."
            )
        if last.activation == "linear":
            self.notes.append("This model gives 10 scores rather than probabilities: softmax turns them into %.")
        elif last.activation != "softmax":
            self.refuse(f"a last layer with the activation {last.activation!r} (softmax or none is needed)")
        if not self.rescaled:
            self.notes.append(
                "This model has no Rescaling layer, so it gets pixel values from 0 to 255; if it was trained on "
                "values from 0 to 1, its answers will be off."
            )
        return self.plan, self.notes


def _listed(value):
    return list(value) if isinstance(value, (list, tuple)) else value
