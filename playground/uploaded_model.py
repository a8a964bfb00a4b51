"""A visitor's own .keras file, checked without running anything in it, then answered in NumPy.

Keras' `load_model(safe_mode=True)` refuses Python code in a Lambda layer, but it still imports Keras and
TensorFlow (about 550 MB and seconds per load) and rebuilds whatever classes the file names. The web process
does neither: it reads the archive's config.json as plain JSON, accepts only the layer classes
playground.numpy_net can run, with the settings it runs them with (an allow-list, so a Lambda, a custom class or
an unknown option is refused before any weight is read), checks the shapes and the size, and reads the
weights with h5py. Nothing from the file is ever imported, unpickled or called, which is stricter than safe mode.
This module reads the file (its kind, the zip, the sizes, the weights); playground.layer_plan checks the layers.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass

import numpy as np

from playground.layer_plan import ADDED_CHANNEL, ModelFileError, plan_from_config
from playground.numpy_net import NumpyNet, PlannedLayer, snake_case

MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB  # the app's upload limit (.streamlit/config.toml)
MAX_PARAMETERS = 1_000_000  # 4 MB of weights kept in one visitor's session; the 1024-neuron preset has 814,090
MAX_CONFIG_BYTES = MB  # config.json of a playground model is about 10 kB
MAX_WEIGHTS_BYTES = 64 * MB  # the unpacked weights file (with an optimizer's state), so a zip bomb stays small
SIGNATURES = {  # the first bytes of files people may mistake for a model
    b"\x89PNG": "a PNG picture",
    b"\xff\xd8\xff": "a JPEG picture",
    b"GIF8": "a GIF picture",
    b"RIFF": "a WebP picture",
    b"%PDF": "a PDF document",
}
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


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
