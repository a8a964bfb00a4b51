"""The playground's networks in plain NumPy, for the web process: answers and summaries without TensorFlow.

Training happens in worker processes (playground.workers). The web process only needs to run a trained network
on one picture and to describe a network before it is built; doing both in NumPy keeps TensorFlow (about
550 MB and 4 s to import) out of the process that serves every visitor. `layer_plan` mirrors
playground.model.build_model layer for layer; tests/test_numpy_net.py checks both agree on every preset and
that the answers match Keras'.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playground.choices import ARCHITECTURES
from playground.config import ExperimentConfig

NUM_CLASSES = 10
NORM_EPSILON = 1e-3  # Keras' BatchNormalization default


@dataclass(frozen=True)
class PlannedLayer:
    """One layer as the model summary shows it, plus what NumPy needs to run it."""

    name: str
    kind: str  # the Keras class name
    output_shape: tuple[int, ...]
    weight_shapes: tuple[tuple[int, ...], ...] = ()
    activation: str = "linear"
    scale: float = 1.0  # Rescaling only

    @property
    def parameters(self) -> int:
        return sum(math.prod(shape) for shape in self.weight_shapes)  # Python ints: no wrap-around


def layer_plan(config: ExperimentConfig) -> list[PlannedLayer]:
    """The layers build_model makes for this config, in order (augmentation layers included: they pass through)."""
    plan = [PlannedLayer("scale", "Rescaling", (28, 28), scale=1 / 255 if config.normalize else 1.0)]
    shape: tuple[int, ...] = (28, 28)
    conv_filters = ARCHITECTURES[config.architecture].conv_filters  # 3x3 kernels, each batch-normalized and pooled
    if config.augment or conv_filters:
        shape = (28, 28, 1)
        plan.append(PlannedLayer("channel", "Reshape", shape))
    if config.augment:
        plan += [PlannedLayer(name, kind, shape) for name, kind in AUGMENTATION]
    for index, filters in enumerate(conv_filters, start=1):
        side, channels = shape[0] - 2, shape[-1]
        kernel = (3, 3, channels, filters)
        plan.append(
            PlannedLayer(f"conv{index}", "Conv2D", (side, side, filters), (kernel, (filters,)), config.activation)
        )
        # gamma, beta, moving mean, moving variance
        plan.append(PlannedLayer(f"norm{index}", "BatchNormalization", (side, side, filters), ((filters,),) * 4))
        shape = (side // 2, side // 2, filters)
        plan.append(PlannedLayer(f"pool{index}", "MaxPooling2D", shape))
    inputs = int(np.prod(shape))
    plan.append(PlannedLayer("flatten", "Flatten", (inputs,)))
    for index, units in enumerate(config.hidden_units, start=1):
        plan.append(PlannedLayer(f"hidden{index}", "Dense", (units,), ((inputs, units), (units,)), config.activation))
        if config.dropout > 0:
            plan.append(PlannedLayer(f"dropout{index}", "Dropout", (units,)))
        inputs = units
    plan.append(PlannedLayer("output", "Dense", (NUM_CLASSES,), ((inputs, NUM_CLASSES), (NUM_CLASSES,)), "softmax"))
    return plan


AUGMENTATION = (("shift", "RandomTranslation"), ("zoom", "RandomZoom"), ("contrast", "RandomContrast"))


def summary_rows(config: ExperimentConfig) -> list[dict]:
    """One row per layer (name, kind, output shape, parameters), as playground.model.summary_rows gives."""
    return [
        {
            "layer": layer.name,
            "kind": layer.kind,
            "output shape": " × ".join(str(d) for d in layer.output_shape),
            "parameters": layer.parameters,
        }
        for layer in layer_plan(config)
    ]


def count_parameters(config: ExperimentConfig) -> int:
    return sum(layer.parameters for layer in layer_plan(config))


def first_layer_kernel(weights: list[np.ndarray]) -> np.ndarray:
    """The first weighted layer's kernel: (784, units) for a dense model, (3, 3, 1, 32) for the CNN."""
    return weights[0]


# -- Running a network ----------------------------------------------------------------------


def activate(x: np.ndarray, name: str) -> np.ndarray:
    if name == "relu":
        return np.maximum(x, 0)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "tanh":
        return np.tanh(x)
    if name == "elu":
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
    if name == "softmax":
        shifted = np.exp(x - x.max(axis=-1, keepdims=True))
        return shifted / shifted.sum(axis=-1, keepdims=True)
    if name == "linear":
        return x
    raise ValueError(f"unknown activation {name!r}")


def conv3x3(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """'valid' 3x3 convolution, stride 1, channels last, as Keras' Conv2D computes it."""
    windows = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(1, 2))  # (n, h, w, c, 3, 3)
    n, h, w, c = windows.shape[:4]
    patches = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * h * w, 9 * c)  # (kh, kw, c), as the kernel
    return (patches @ kernel.reshape(9 * c, -1) + bias).reshape(n, h, w, -1)


def max_pool2(x: np.ndarray) -> np.ndarray:
    n, h, w, c = x.shape
    h, w = h // 2 * 2, w // 2 * 2
    return x[:, :h, :w].reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


class NumpyNet:
    """A trained playground network, run in NumPy: uint8 (n, 28, 28) pixels in, (n, 10) probabilities out."""

    def __init__(self, plan: list[PlannedLayer], weights: list[np.ndarray]):
        expected = [shape for layer in plan for shape in layer.weight_shapes]
        got = [tuple(w.shape) for w in weights]
        if got != expected:
            raise ValueError(f"weights do not fit this network: expected shapes {expected}, got {got}")
        self.plan = plan
        self.weights = [np.asarray(w, dtype=np.float32) for w in weights]

    @classmethod
    def from_config(cls, config: ExperimentConfig, weights: list[np.ndarray]) -> NumpyNet:
        return cls(layer_plan(config), weights)

    @classmethod
    def from_keras_file(cls, path: str | Path, config: ExperimentConfig) -> NumpyNet:
        """A .keras file saved from a playground model of this config, read without Keras (zip + HDF5)."""
        import h5py

        with zipfile.ZipFile(path) as archive:
            saved = json.loads(archive.read("config.json"))
            weights_file = io.BytesIO(archive.read("model.weights.h5"))
        kinds = [layer["class_name"] for layer in saved["config"]["layers"] if layer["class_name"] != "InputLayer"]
        plan = layer_plan(config)
        if kinds != [layer.kind for layer in plan]:
            raise ValueError(f"{Path(path).name} holds {kinds}, not the layers of this config")
        weights, seen = [], {}
        with h5py.File(weights_file, "r") as h5:
            for layer in plan:
                # Keras stores each layer under its class name in snake case, numbered from the second one on.
                snake = snake_case(layer.kind)
                number = seen.get(snake, 0)
                seen[snake] = number + 1
                group = h5["layers"][snake if number == 0 else f"{snake}_{number}"]["vars"]
                weights += [np.asarray(group[str(i)]) for i in range(len(layer.weight_shapes))]
        return cls(plan, weights)

    def __call__(self, images: np.ndarray, training: bool = False) -> np.ndarray:
        """Probabilities for a batch; `training` is accepted for Keras' calling convention and must be False."""
        if training:
            raise ValueError("a NumpyNet only answers; training happens in Keras")
        scores = self.logits(images)
        return activate(scores, self.plan[-1].activation)

    def logits(self, images: np.ndarray) -> np.ndarray:
        """The last layer's scores before its softmax: calibration divides them, their log-sum-exp says how
        familiar the picture is."""
        x = np.asarray(images, dtype=np.float32)
        weights = iter(self.weights)
        for layer in self.plan:
            if layer.kind == "Rescaling":
                x = x * np.float32(layer.scale)
            elif layer.kind == "Reshape":
                x = x.reshape(len(x), *layer.output_shape)
            elif layer.kind == "Conv2D":
                x = activate(conv3x3(x, next(weights), next(weights)), layer.activation)
            elif layer.kind == "BatchNormalization":
                gamma, beta, mean, variance = (next(weights) for _ in range(4))
                x = (x - mean) * (gamma / np.sqrt(variance + NORM_EPSILON)) + beta
            elif layer.kind == "MaxPooling2D":
                x = max_pool2(x)
            elif layer.kind == "Flatten":
                x = x.reshape(len(x), -1)
            elif layer.kind == "Dense":
                kernel, bias = next(weights), next(weights)
                x = x @ kernel + bias
                if layer is not self.plan[-1]:
                    x = activate(x, layer.activation)
            # Dropout and the augmentation layers do nothing outside training.
        return x


def snake_case(name: str) -> str:
    """Keras' own naming of a layer's weights group: 'MaxPooling2D' -> 'max_pooling2d' (keras.src.utils.naming)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
