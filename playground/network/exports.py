"""Take a run home: its model as a .keras file, its history and the run comparison as CSV, a JSON record.

Everything here is built from what the web process already holds (the config, the NumPy weights, the snapshot
and the test results), without TensorFlow. A .keras file is a zip of config.json (the model's layers, as Keras
serialises them), metadata.json and model.weights.h5 (one HDF5 group per layer); keras.saving.load_model reads
ours with safe_mode=True, which tests/test_exports.py checks against the model playground.network.model builds.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import platform
import zipfile
from datetime import UTC, datetime
from importlib import metadata

import numpy as np

from playground.data.fashion_mnist import CLASS_NAMES
from playground.network.layers import PlannedLayer, weight_groups
from playground.network.numpy_net import NUM_CLASSES, count_parameters, planned_layers
from playground.settings.config import ExperimentConfig

KERAS_VERSION = "3.15.1"  # the version whose format we write (requirements.txt pins it)
PACKAGES = ("numpy", "keras", "tensorflow-cpu", "tensorflow", "streamlit", "plotly", "h5py", "pillow")


# -- Names ----------------------------------------------------------------------------------


def run_name(config: ExperimentConfig, epochs: int) -> str:
    """'fashion-dense128-adam-5ep': what the files of a run are called (epochs = the ones it trained)."""
    units = "-".join(str(u) for u in config.hidden_units)
    optimizer = config.optimizer.replace("_", "-")
    return f"fashion-{config.architecture}{units}-{optimizer}-{epochs}ep"


# -- The model as a .keras file -------------------------------------------------------------


def _layer_config(layer: PlannedLayer, config: ExperimentConfig) -> dict:
    """The arguments Keras needs to rebuild this layer (its kind's settings); the rest takes Keras' default."""
    settings = {"name": layer.name, **layer.does.settings(layer, config)}
    return {"module": "keras.layers", "class_name": layer.kind, "config": settings, "registered_name": None}


def keras_model_config(config: ExperimentConfig) -> dict:
    """The Sequential model's config.json, layer for layer as build_model makes it (uint8 28x28 pixels in)."""
    pixels = {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {"batch_shape": [None, 28, 28], "dtype": "uint8", "name": "pixels"},
        "registered_name": None,
    }
    layers = [pixels] + [_layer_config(layer, config) for layer in planned_layers(config)]
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"name": f"{config.architecture}_model", "layers": layers, "build_input_shape": [None, 28, 28]},
        "registered_name": None,
        "build_config": {"input_shape": [None, 28, 28]},
        "compile_config": None,  # no optimizer state travels: the file is for answering (compile it to train on)
    }


def keras_archive(config: ExperimentConfig, weights: list[np.ndarray]) -> bytes:
    """The trained model as the bytes of a .keras file that keras.saving.load_model opens in safe mode."""
    import h5py  # only when a file is asked for

    plan = planned_layers(config)
    expected = [shape for layer in plan for shape in layer.weight_shapes]
    if [tuple(np.shape(w)) for w in weights] != expected:
        raise ValueError(f"weights do not fit this network: expected shapes {expected}")
    weights_file = io.BytesIO()
    with h5py.File(weights_file, "w") as h5:
        h5.create_group("vars")  # the model's own variables: none
        groups, values = h5.create_group("layers"), iter(weights)
        for group_name, layer in weight_groups(plan):
            group = groups.create_group(group_name).create_group("vars")
            group.attrs["name"] = layer.name
            for index in range(len(layer.weight_shapes)):
                group.create_dataset(str(index), data=np.asarray(next(values), dtype=np.float32))
    saved = datetime.now(UTC).strftime("%Y-%m-%d@%H:%M:%S")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("metadata.json", json.dumps({"keras_version": KERAS_VERSION, "date_saved": saved}))
        zipped.writestr("config.json", json.dumps(keras_model_config(config)))
        # Stored, not deflated: float weights hardly shrink, and deflating a big model took seconds.
        zipped.writestr("model.weights.h5", weights_file.getbuffer(), compress_type=zipfile.ZIP_STORED)
    return archive.getvalue()


# -- Tables --------------------------------------------------------------------------------

HISTORY_COLUMNS = ("row", "epoch", "batches_done", "loss", "accuracy", "val_loss", "val_accuracy")


def history_csv(snapshot) -> bytes:
    """One CSV: a row per finished epoch (row = 'epoch'), then a row per point of the batch curve ('batch').

    Batch points average the batches since the previous point; a long run keeps at most a few hundred of them.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    for record in snapshot.epoch_history:
        validation = (_blank(record.val_loss), _blank(record.val_accuracy))
        writer.writerow(["epoch", record.epoch, "", record.loss, record.accuracy, *validation])
    for point in snapshot.batch_points:
        writer.writerow(["batch", round(point.epoch, 4), point.step, point.loss, point.accuracy, "", ""])
    return out.getvalue().encode("utf-8")


def _blank(value):
    return "" if value is None else value


def comparison_rows(runs) -> list[dict]:
    """One row per run of the session (objects with .config and .snapshot), as the Compare tab shows them."""
    rows = []
    for number, run in enumerate(runs, start=1):
        s, c = run.snapshot, run.config
        rows.append(
            {
                "run": number,
                "model": f"{c.architecture} {','.join(map(str, c.hidden_units))} {c.activation}",
                "optimizer": f"{c.optimizer} {c.learning_rate:g}",
                "epochs run": len(s.epoch_history),
                "images": c.train_limit,
                "training acc.": s.train_accuracy,
                "validation acc.": s.val_accuracy,
                "test acc.": s.test_accuracy,
                "seconds": round(s.elapsed, 1),
                "how it ended": s.stop_reason or s.error or s.state.value,
            }
        )
    return rows


def comparison_csv(runs) -> bytes:
    """The run comparison with every setting of each run, so a row can be trained again."""
    rows = comparison_rows(runs)
    settings = [run.config.to_flat_dict() for run in runs]
    columns = list(rows[0]) + list(settings[0]) if rows else ["run"]
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    for row, flat in zip(rows, settings, strict=True):
        writer.writerow({key: _blank(value) for key, value in (row | flat).items()})
    return out.getvalue().encode("utf-8")


# -- One run's record ---------------------------------------------------------------------------


def package_versions() -> dict[str, str]:
    """The installed versions, read from the package metadata (importing TensorFlow would cost 550 MB)."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def run_record(run) -> dict:
    """Everything about one run in one JSON-ready dict: settings, figures per epoch, test results, versions."""
    config, snap, evaluation = run.config, run.snapshot, run.evaluation
    epochs = len(snap.epoch_history)
    record = {
        "name": run_name(config, epochs),
        "saved": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": "Fashion-MNIST (Zalando Research): 60,000 training and 10,000 test images",
        "settings": dataclasses.asdict(config),
        "parameters": count_parameters(config),
        "state": snap.state.value,
        "how_it_ended": snap.stop_reason or snap.error or snap.state.value,
        "seconds": round(snap.elapsed, 2),
        "epochs_run": epochs,
        "images_seen": snap.examples_seen,
        "epochs": [dataclasses.asdict(r) for r in snap.epoch_history],
        "train_accuracy": snap.train_accuracy,
        "test": None,
        "versions": package_versions(),
    }
    if evaluation is not None:
        per_class = evaluation.per_class_accuracy
        record["test"] = {
            "images": int(evaluation.confusion.sum()),
            "accuracy": evaluation.accuracy,
            "loss": evaluation.loss,
            "per_class_accuracy": {name: float(per_class[i]) for i, name in enumerate(CLASS_NAMES)},
            "confusion": {
                "rows_are": "true garment",
                "columns_are": "model's guess",
                "classes": list(CLASS_NAMES[:NUM_CLASSES]),
                "counts": evaluation.confusion.astype(int).tolist(),
            },
        }
    return record


def run_record_json(run) -> bytes:
    return json.dumps(run_record(run), indent=2).encode("utf-8")
