"""A visitor's own .keras file, checked without running anything in it, then answered in NumPy.

Keras' `load_model(safe_mode=True)` refuses Python code in a Lambda layer, but it still imports Keras and
TensorFlow (about 550 MB and seconds per load) and rebuilds whatever classes the file names. The web process
does neither: it reads the archive's config.json as plain JSON, accepts only the layer classes
playground.numpy_net can run, with the settings it runs them with (an allow-list, so a Lambda, a custom class or
an unknown option is refused before any weight is read), checks the shapes and the size, and reads the
weights with h5py. Nothing from the file is ever imported, unpickled or called, which is stricter than safe mode.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass

import numpy as np

from playground.numpy_net import NORM_EPSILON, NUM_CLASSES, NumpyNet, PlannedLayer, snake_case

MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB  # the app's upload limit (.streamlit/config.toml)
MAX_PARAMETERS = 1_000_000  # 4 MB of weights kept in one visitor's session; the 1024-neuron preset has 814,090
MAX_CONFIG_BYTES = MB  # config.json of a playground model is about 10 kB
MAX_WEIGHTS_BYTES = 64 * MB  # the unpacked weights file (with an optimizer's state), so a zip bomb stays small
ACTIVATIONS = ("relu", "sigmoid", "tanh", "elu", "linear", "softmax")
# Layers that only act while training (or not at all): they pass the picture through unchanged.
PASS_THROUGH = ("Dropout", "RandomTranslation", "RandomZoom", "RandomContrast", "RandomRotation", "GaussianNoise")
RUNNABLE = ("InputLayer", "Rescaling", "Reshape", "Flatten", "Dense", "Conv2D", "BatchNormalization", "MaxPooling2D")
SIGNATURES = {  # the first bytes of files people may mistake for a model
    b"\x89PNG": "a PNG picture",
    b"\xff\xd8\xff": "a JPEG picture",
    b"GIF8": "a GIF picture",
    b"RIFF": "a WebP picture",
    b"%PDF": "a PDF document",
}
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
CODE_WORDS = "custom Python code, which is never run here"
ADDED_CHANNEL = "(channel added for the model)"  # a Reshape the file does not hold: (28, 28) -> (28, 28, 1)


class ModelFileError(ValueError):
    """Why an uploaded file cannot be used, in words for the page."""


@dataclass(frozen=True)
class UploadedModel:
    """A checked model: the NumPy network, what it is called, and notes on how it is run."""

    net: NumpyNet
    name: str
    parameters: int
    notes: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        kinds = [layer.kind for layer in self.net.plan]
        shape = "small CNN" if "Conv2D" in kinds else "dense network"
        return f"{self.name}: a {shape} with {self.parameters:,} weights"


def shown_name(name: str) -> str:
    """A file name safe to show in Markdown: its last part, plain characters only, at most 60 of them."""
    plain = re.sub(r"[^\w .()-]", "_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return plain[:60] or "model.keras"


def read_model_upload(data: bytes, name: str = "model.keras") -> UploadedModel:
    """The model in an uploaded .keras file, or ModelFileError saying plainly why not. Runs nothing from the file."""
    if len(data) > MAX_FILE_BYTES:
        raise ModelFileError(f"This file is {len(data) / MB:.0f} MB; a model here can be at most 20 MB.")
    if not data:
        raise ModelFileError("This file is empty.")
    if data.startswith(HDF5_SIGNATURE) or name.lower().endswith((".h5", ".hdf5")):
        raise ModelFileError(
            "This is an older Keras .h5 file. Only the newer .keras format is read here: in Keras, load it and "
            "save it again with model.save('my_model.keras')."
        )
    for signature, what in SIGNATURES.items():
        if data.startswith(signature):
            raise ModelFileError(f"This is {what}, not a model. Upload a .keras file saved by Keras.")
    if not data.startswith(b"PK"):
        raise ModelFileError("This is not a Keras model file. Upload a .keras file saved by Keras.")
    config, weights_file = _unpack(data)
    plan, notes = plan_from_config(config)
    parameters = sum(layer.parameters for layer in plan)
    if parameters > MAX_PARAMETERS:
        raise ModelFileError(
            f"This model has {parameters:,} weights; at most {MAX_PARAMETERS:,} fit here. "
            "A model with fewer neurons (for example 512 instead of 2048) will do."
        )
    net = NumpyNet(plan, _read_weights(weights_file, plan))
    return UploadedModel(net, shown_name(name), parameters, tuple(notes))


def _unpack(data: bytes) -> tuple[dict, bytes]:
    """config.json as a dict and the weights file's bytes, with sizes checked before anything is unpacked."""
    damaged = "This file is damaged (perhaps the download was cut short). Download or save the model again."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {info.filename: info for info in archive.infolist()}
            if "config.json" not in members or "model.weights.h5" not in members:
                raise ModelFileError(
                    "This is a zip file, but not a Keras model: it holds no model description (config.json) "
                    "and weights (model.weights.h5)."
                )
            if members["config.json"].file_size > MAX_CONFIG_BYTES:
                raise ModelFileError("This model's description is far too large for a model of this playground.")
            if members["model.weights.h5"].file_size > MAX_WEIGHTS_BYTES:
                raise ModelFileError(f"This model's weights are too large: at most {MAX_PARAMETERS:,} fit here.")
            config_bytes = archive.read("config.json")
            weights_file = archive.read("model.weights.h5")
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as error:
        raise ModelFileError(damaged) from error
    try:
        config = json.loads(config_bytes)
    except (UnicodeDecodeError, ValueError) as error:
        raise ModelFileError(damaged) from error
    if not isinstance(config, dict):
        raise ModelFileError(damaged)
    return config, weights_file


# -- The model description, checked layer by layer ------------------------------------------------


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


# -- The weights ---------------------------------------------------------------------------------


def _read_weights(weights_file: bytes, plan: list[PlannedLayer]) -> list[np.ndarray]:
    """Each weighted layer's arrays from model.weights.h5, checked against the plan's shapes and for finite values."""
    import h5py

    damaged = "This model's weights are damaged or do not match its layers. Save the model again."
    weights, seen = [], {}
    try:
        with h5py.File(io.BytesIO(weights_file), "r") as h5:
            for layer in plan:
                if layer is plan[0] and layer.name == ADDED_CHANNEL:
                    continue  # added here, not in the file
                # Keras stores each layer under its class name in snake case, numbered from the second one on.
                snake = snake_case(layer.kind)
                number = seen.get(snake, 0)
                seen[snake] = number + 1
                if not layer.weight_shapes:
                    continue
                group = h5["layers"][snake if number == 0 else f"{snake}_{number}"]["vars"]
                for index, shape in enumerate(layer.weight_shapes):
                    dataset = group[str(index)]
                    if tuple(dataset.shape) != shape or dataset.dtype.kind != "f":
                        raise ModelFileError(damaged)
                    weights.append(np.asarray(dataset, dtype=np.float32))
    except ModelFileError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as error:
        raise ModelFileError(damaged) from error
    if not all(np.isfinite(w).all() for w in weights):
        raise ModelFileError("This model's weights hold broken numbers (not a number or infinite); it cannot answer.")
    return weights
