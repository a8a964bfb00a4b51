"""A visitor's own .keras file, checked without running anything in it, then answered in NumPy.

Keras' `load_model(safe_mode=True)` refuses Python code in a Lambda layer, but it still imports Keras and
TensorFlow (about 550 MB and seconds per load) and rebuilds whatever classes the file names. The web process
does neither: it reads the archive's config.json as plain JSON, accepts only the layer classes
playground.network.numpy_net can run, with the settings it runs them with (an allow-list, so a Lambda, a custom class or
an unknown option is refused before any weight is read), checks the shapes and the size, and reads the
weights with h5py. Nothing from the file is ever imported, unpickled or called, which is stricter than safe mode.

All of that reading happens in a sandboxed child process (playground.network.sandbox): zlib and HDF5 are C code a
crafted file can crash or hang, and a zip or HDF5 file can declare sizes it does not have. The child sends back plain
arrays and the layer plan as plain JSON; the web process checks both again
(playground.network.layer_plan.plan_from_plain, the costs, the shapes, finite numbers) before it builds the network.
This module reads the file (its kind, the zip, the sizes, the weights); playground.network.layer_plan checks the layers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np

from playground.network import sandbox
from playground.network.layer_plan import ADDED_CHANNEL, ModelFileError, plain_plan, plan_from_config, plan_from_plain
from playground.network.layers import PlannedLayer, weight_groups
from playground.network.numpy_net import NumpyNet
from playground.network.safe_hdf5 import Hdf5Caps, Hdf5Damaged, Hdf5Refused, open_checked, read_floats
from playground.network.safe_zip import ZipCaps, ZipDamaged, ZipRefused, read_members

MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB  # the app's upload limit (.streamlit/config.toml)
MAX_PARAMETERS = 1_000_000  # 4 MB of weights kept in one visitor's session; the 1024-neuron preset has 814,090
MAX_CONFIG_BYTES = MB  # config.json of a playground model is about 10 kB
MAX_WEIGHTS_BYTES = 32 * MB  # the unpacked weights file: a million weights with an Adam optimizer's two slots is 12 MB
MAX_STORED_NUMBERS = 4 * MAX_PARAMETERS  # in the whole weights file, the optimizer's state included
MAX_MESSAGE = 600  # characters of a refusal the page shows
DAMAGED = "This file is damaged (perhaps the download was cut short). Download or save the model again."
DAMAGED_WEIGHTS = "This model's weights are damaged or do not match its layers. Save the model again."
NOT_A_NUMBER = "This model's weights hold broken numbers (not a number or infinite); it cannot answer."
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
        convolves = any(layer.does.hidden == "conv" for layer in self.net.plan)
        shape = "small CNN" if convolves else "dense network"
        return f"{self.name}: a {shape} with {self.parameters:,} weights"


def shown_name(name: str) -> str:
    """A file name safe to show in Markdown: its last part, plain characters only, at most 60 of them."""
    plain = re.sub(r"[^\w .()-]", "_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return plain[:60] or "model.keras"


def read_model_upload(data: bytes, name: str = "model.keras") -> UploadedModel:
    """The model in an uploaded .keras file, or ModelFileError saying plainly why not. Runs nothing from the file;
    parses it only in a sandboxed child (see the module's docstring)."""
    return model_from_child(read_in_sandbox(data, name), name)


def read_in_sandbox(data: bytes, name: str = "model.keras") -> sandbox.ChildReport:
    """The child's report on the file: its plan and weights, or its refusal (ModelFileError either way)."""
    _check_kind(data, name)
    try:
        report = sandbox.run_task("keras-model", data)
    except sandbox.ChildFailed as failed:
        raise ModelFileError(f"This file could not be read safely. {failed}") from None
    if "refused" in report.answer:
        raise ModelFileError(str(report.answer["refused"])[:MAX_MESSAGE])
    return report


def model_from_child(report: sandbox.ChildReport, name: str) -> UploadedModel:
    """The network from the child's plain answer, every part of it checked again here before it is trusted."""
    answer, arrays = report.answer, report.arrays
    try:
        plan = plan_from_plain(answer["plan"])
        notes = tuple(str(note)[:MAX_MESSAGE] for note in answer["notes"][:8])
        weights = [arrays[f"w{index}"] for index in range(len(arrays))]
    except (KeyError, TypeError) as error:
        raise ModelFileError(DAMAGED) from error
    parameters = _check_parameters(plan)
    if any(w.dtype != np.float32 for w in weights):
        raise ModelFileError(DAMAGED_WEIGHTS)
    if not all(np.isfinite(w).all() for w in weights):
        raise ModelFileError(NOT_A_NUMBER)
    try:
        net = NumpyNet(plan, weights)
    except ValueError as error:
        raise ModelFileError(DAMAGED_WEIGHTS) from error
    return UploadedModel(net, shown_name(name), parameters, notes)


def _check_kind(data: bytes, name: str) -> None:
    """Refuse, from the size and the first bytes alone, what is plainly not a .keras file."""
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


def _check_parameters(plan: list[PlannedLayer]) -> int:
    parameters = sum(layer.parameters for layer in plan)
    if parameters > MAX_PARAMETERS:
        raise ModelFileError(
            f"This model has {parameters:,} weights; at most {MAX_PARAMETERS:,} fit here. "
            "A model with fewer neurons (for example 512 instead of 2048) will do."
        )
    return parameters


# -- Inside the sandboxed child ------------------------------------------------------------------


def read_in_child(data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """playground.network.sandbox's task: the file read and checked whole, as ({"plan", "notes"}, weights) or
    ({"refused": why}, {})."""
    try:
        plan, notes, weights = _read(data)
    except ModelFileError as refused:
        return {"refused": str(refused)}, {}
    except MemoryError:
        return {"refused": "This file needs far more memory to read than a model of this playground."}, {}
    except Exception:  # anything else the file made go wrong (deep JSON, odd types): its fault, not a crash
        return {"refused": DAMAGED}, {}
    return {"plan": plain_plan(plan), "notes": notes}, {f"w{index}": w for index, w in enumerate(weights)}


def _read(data: bytes) -> tuple[list[PlannedLayer], list[str], list[np.ndarray]]:
    _check_kind(data, "model.keras")
    config, weights_file = _unpack(data)
    plan, notes = plan_from_config(config)
    _check_parameters(plan)
    weights = _read_weights(weights_file, plan)
    with np.errstate(all="ignore"):  # first answers here, where a crash or a blow-up is harmless
        answers = NumpyNet(plan, weights).logits(_probe_pictures())
    if not np.isfinite(answers).all():
        raise ModelFileError(
            "This model's answer is not a number (NaN or infinite) for a plain test picture, so it cannot answer."
        )
    return plan, notes, weights


def _probe_pictures() -> np.ndarray:
    """Black, white, and a checkerboard of the two: a model must answer all three with finite numbers."""
    checkerboard = (np.indices((28, 28)).sum(axis=0) % 2 * 255).astype(np.uint8)
    return np.stack([np.zeros((28, 28), np.uint8), np.full((28, 28), 255, np.uint8), checkerboard])


def _unpack(data: bytes) -> tuple[dict, bytes]:
    """config.json as a dict and the weights file's bytes, each read with byte caps (playground.network.safe_zip)."""
    wanted = {"config.json": MAX_CONFIG_BYTES, "model.weights.h5": MAX_WEIGHTS_BYTES}
    try:
        members = read_members(data, wanted, ZipCaps())
    except ZipDamaged as damaged:
        raise ModelFileError(DAMAGED) from damaged
    except ZipRefused as refused:
        raise ModelFileError(f"This file was refused: {refused}.") from None
    if set(members) != set(wanted):
        raise ModelFileError(
            "This is a zip file, but not a Keras model: it holds no model description (config.json) "
            "and weights (model.weights.h5)."
        )
    try:
        config = json.loads(members["config.json"], parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ModelFileError(DAMAGED) from error
    if not isinstance(config, dict):
        raise ModelFileError(DAMAGED)
    return config, members["model.weights.h5"]


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON a Keras model writes")


# -- The weights ---------------------------------------------------------------------------------


def _read_weights(weights_file: bytes, plan: list[PlannedLayer]) -> list[np.ndarray]:
    """Each weighted layer's arrays from model.weights.h5, after the whole file passed playground.network.safe_hdf5's
    checks, checked against the plan's shapes and for finite values."""
    weights = []
    caps = Hdf5Caps(values=MAX_PARAMETERS, total_values=MAX_STORED_NUMBERS)
    in_file = plan[1:] if plan[0].name == ADDED_CHANNEL else plan  # that Reshape is added here, not in the file
    try:
        with open_checked(weights_file, caps) as h5:
            for group, layer in weight_groups(in_file):
                for index, shape in enumerate(layer.weight_shapes):
                    weights.append(read_floats(h5, ("layers", group, "vars", str(index)), shape))
    except Hdf5Damaged as damaged:
        raise ModelFileError(DAMAGED_WEIGHTS) from damaged
    except Hdf5Refused as refused:
        raise ModelFileError(f"This model was refused: {refused}.") from None
    if not all(np.isfinite(w).all() for w in weights):
        raise ModelFileError(NOT_A_NUMBER)
    return weights
