"""The playground's networks in plain NumPy, for the web process: answers and summaries without TensorFlow.

Training happens in worker processes (playground.server.workers). The web process only needs to run a trained network
on one picture and to describe a network before it is built; doing both in NumPy keeps TensorFlow (about
550 MB and 4 s to import) out of the process that serves every visitor. `planned_layers` is what
playground.network.model.build_model builds, layer for layer; each layer runs as its kind's entry in
playground.network.layers says. tests/test_numpy_net.py checks that the answers match Keras' on every preset.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from playground.network.layer_maths import activate
from playground.network.layers import PlannedLayer, weight_groups
from playground.settings.choices import ARCHITECTURES
from playground.settings.config import ExperimentConfig

NUM_CLASSES = 10


def planned_layers(config: ExperimentConfig) -> list[PlannedLayer]:
    """The layers of the network this config describes, in order: what playground.network.model.build_model builds in
    Keras and NumpyNet runs (augmentation layers included: outside training they pass the picture through)."""
    # Scaling happens in the network, in float32, so the dataset itself stays uint8.
    plan = [PlannedLayer("scale", "Rescaling", (28, 28), scale=1 / 255 if config.normalize else 1.0)]
    shape: tuple[int, ...] = (28, 28)
    conv_filters = ARCHITECTURES[config.architecture].conv_filters  # 3x3 kernels, each batch-normalized and pooled
    if config.augment or conv_filters:
        shape = (28, 28, 1)
        plan.append(PlannedLayer("channel", "Reshape", shape))
    if config.augment:  # only active while training: drawings and photos are rarely as centred as the dataset
        plan += [PlannedLayer(name, kind, shape) for name, kind in AUGMENTATION]
    for index, filters in enumerate(conv_filters, start=1):
        # Batch normalization after each convolution: the lesson's 5 epochs reach about 91% instead of 90%.
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


def planned_summary_rows(config: ExperimentConfig) -> list[dict]:
    """One row per layer (name, kind, output shape, parameters), as playground.network.model.model_summary_rows gives
    for the built model, without building it."""
    return [
        {
            "layer": layer.name,
            "kind": layer.kind,
            "output shape": " × ".join(str(d) for d in layer.output_shape),
            "parameters": layer.parameters,
        }
        for layer in planned_layers(config)
    ]


def count_parameters(config: ExperimentConfig) -> int:
    return sum(layer.parameters for layer in planned_layers(config))


def first_layer_kernel(weights: list[np.ndarray]) -> np.ndarray:
    """The first weighted layer's kernel: (784, units) for a dense model, (3, 3, 1, 32) for the CNN."""
    return weights[0]


# -- Running a network ----------------------------------------------------------------------


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
        return cls(planned_layers(config), weights)

    @classmethod
    def from_keras_file(cls, path: str | Path, config: ExperimentConfig) -> NumpyNet:
        """A .keras file saved from a playground model of this config, read without Keras (zip + HDF5)."""
        import h5py

        with zipfile.ZipFile(path) as archive:
            saved = json.loads(archive.read("config.json"))
            weights_file = io.BytesIO(archive.read("model.weights.h5"))
        kinds = [layer["class_name"] for layer in saved["config"]["layers"] if layer["class_name"] != "InputLayer"]
        plan = planned_layers(config)
        if kinds != [layer.kind for layer in plan]:
            raise ValueError(f"{Path(path).name} holds {kinds}, not the layers of this config")
        weights = []
        with h5py.File(weights_file, "r") as h5:
            for group_name, layer in weight_groups(plan):
                group = h5["layers"][group_name]["vars"] if layer.weight_shapes else None
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
        for layer, params in self.layers_with_weights():
            x = layer.does.forward(layer, params, x, last=layer is self.plan[-1])
        return x

    def layers_with_weights(self) -> list[tuple[PlannedLayer, list[np.ndarray]]]:
        """Each layer with the arrays it holds (none for most kinds), in order."""
        weights = iter(self.weights)
        return [(layer, [next(weights) for _ in layer.weight_shapes]) for layer in self.plan]
