"""The downloads: a .keras file written without TensorFlow that Keras opens in safe mode and answers the same,
the history and comparison CSVs, the JSON record and the file names."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from playground.data.fashion_mnist import CLASS_NAMES
from playground.network import exports
from playground.network.evaluation import evaluate
from playground.network.numpy_net import NumpyNet
from playground.settings.config import LECTURE, ExperimentConfig
from playground.settings.presets import PRESETS
from playground.training.snapshots import BatchPoint, EpochRecord, RunState, Snapshot

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {
    "lecture": LECTURE,
    "cnn": PRESETS["cnn"].config,
    "two layers, dropout, augmented": LECTURE.replace(hidden_units=(64, 32), dropout=0.2, augment=True),
    "cnn tanh raw augmented": PRESETS["cnn"].config.replace(activation="tanh", normalize=False, augment=True),
    "sigmoid, 16 neurons": LECTURE.replace(activation="sigmoid", hidden_units=(16,)),
}


def trained_like_weights(model, seed: int = 0) -> list[np.ndarray]:
    """Random weights of a realistic size, so every layer's arithmetic matters (variances kept positive)."""
    rng = np.random.default_rng(seed)
    weights = []
    for variable in model.weights:
        value = rng.normal(0, 0.1, variable.shape).astype(np.float32)
        weights.append(np.abs(value) + 0.5 if "variance" in variable.path else value)
    return weights


def layer_configs(model) -> list[dict]:
    """Each layer's config as JSON would carry it (tuples become lists), without the dtype policy."""
    configs = []
    for layer in model.layers:
        config = json.loads(json.dumps(layer.get_config()))
        config.pop("dtype", None)
        configs.append(config)
    return configs


@pytest.mark.parametrize("name", list(CONFIGS))
def test_the_keras_file_opens_in_safe_mode_and_answers_exactly_as_the_trained_model(name, fashion, tmp_path):
    import keras

    from playground.network.model import build_model

    config = CONFIGS[name]
    model = build_model(config)
    model.set_weights(trained_like_weights(model))
    path = tmp_path / "model.keras"
    path.write_bytes(exports.keras_archive(config, model.get_weights()))

    loaded = keras.saving.load_model(path, safe_mode=True)
    images = fashion.test_images[:200]
    np.testing.assert_array_equal(np.asarray(loaded(images, training=False)), np.asarray(model(images, training=False)))
    assert loaded.inputs[0].dtype == "uint8" and tuple(loaded.inputs[0].shape) == (None, 28, 28)
    assert layer_configs(loaded) == layer_configs(model), "every layer rebuilt with the trained model's settings"
    # The app's own reader takes it too (the Try it page reads .keras files that way).
    got = NumpyNet.from_keras_file(path, config)(images)
    np.testing.assert_allclose(got, np.asarray(model(images, training=False)), rtol=1e-4, atol=1e-5)


def test_the_archive_holds_what_keras_expects():
    weights = [np.zeros(s, np.float32) for s in [(784, 128), (128,), (128, 10), (10,)]]
    with zipfile.ZipFile(io.BytesIO(exports.keras_archive(LECTURE, weights))) as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        assert json.loads(archive.read("metadata.json"))["keras_version"] == exports.KERAS_VERSION
        config = json.loads(archive.read("config.json"))
    kinds = [layer["class_name"] for layer in config["config"]["layers"]]
    assert kinds == ["InputLayer", "Rescaling", "Flatten", "Dense", "Dense"]
    assert "lambda" not in json.dumps(config).lower(), "nothing that safe mode would have to refuse"


def test_weights_that_do_not_fit_the_network_are_refused():
    wrong = [np.zeros(s, np.float32) for s in [(784, 64), (64,), (64, 10), (10,)]]
    with pytest.raises(ValueError, match="do not fit"):
        exports.keras_archive(LECTURE, wrong)


def test_writing_the_files_needs_no_tensorflow():
    """The web process builds every download; TensorFlow (550 MB) must stay out of it."""
    script = (
        "import sys, numpy as np\n"
        "from playground.network import exports\n"
        "from playground.settings.config import LECTURE\n"
        "w = [np.ones(s, np.float32) for s in [(784, 128), (128,), (128, 10), (10,)]]\n"
        "assert exports.keras_archive(LECTURE, w)[:2] == b'PK'\n"
        "assert exports.package_versions()['numpy']\n"
        "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "config, epochs, expected",
    [
        (LECTURE, 5, "fashion-dense128-adam-5ep"),
        (PRESETS["extra_layer"].config.replace(optimizer="sgd_momentum"), 3, "fashion-dense512-256-sgd-momentum-3ep"),
        (PRESETS["cnn"].config, 1, "fashion-cnn128-adam-1ep"),
    ],
)
def test_files_are_named_after_the_run(config, epochs, expected):
    assert exports.run_name(config, epochs) == expected


# -- History, comparison and record ---------------------------------------------------------------


def finished_snapshot(validation: bool = True) -> Snapshot:
    history = tuple(
        EpochRecord(
            e, 1.0 / e, 0.7 + 0.05 * e, (1.1 / e) if validation else None, (0.68 + 0.05 * e) if validation else None
        )
        for e in (1, 2, 3)
    )
    points = tuple(BatchPoint(step, step / 10, 2.0 / step, 0.5 + step / 100) for step in range(1, 31))
    return Snapshot(
        state=RunState.FINISHED,
        epoch=3,
        epochs=3,
        batch_points=points,
        epoch_history=history,
        elapsed=12.345,
        examples_seen=5400,
        test_accuracy=0.81,
        stop_reason="finished all 3 epochs",
    )


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_history_csv_has_every_epoch_then_every_batch_point():
    snapshot = finished_snapshot()
    rows = read_csv(exports.history_csv(snapshot))
    epochs = [r for r in rows if r["row"] == "epoch"]
    batches = [r for r in rows if r["row"] == "batch"]
    assert len(epochs) == 3 and len(batches) == 30 and len(rows) == 33
    for row, record in zip(epochs, snapshot.epoch_history, strict=True):
        assert int(row["epoch"]) == record.epoch
        assert float(row["loss"]) == record.loss and float(row["accuracy"]) == record.accuracy
        assert float(row["val_loss"]) == record.val_loss and float(row["val_accuracy"]) == record.val_accuracy
    assert [int(r["batches_done"]) for r in batches] == list(range(1, 31))
    assert float(batches[9]["epoch"]) == 1.0 and float(batches[9]["loss"]) == pytest.approx(0.2)


def test_history_csv_leaves_validation_blank_when_there_was_none():
    rows = read_csv(exports.history_csv(finished_snapshot(validation=False)))
    assert all(r["val_loss"] == "" and r["val_accuracy"] == "" for r in rows)


def test_comparison_csv_has_a_row_per_run_with_settings_that_train_it_again():
    first = SimpleNamespace(config=LECTURE, snapshot=finished_snapshot())
    second_config = LECTURE.replace(hidden_units=(256, 64), optimizer="rmsprop", learning_rate=0.0005, stop_loss=0.3)
    second = SimpleNamespace(config=second_config, snapshot=Snapshot(state=RunState.RUNNING, epochs=5))
    rows = read_csv(exports.comparison_csv([first, second]))
    assert [r["run"] for r in rows] == ["1", "2"]
    assert float(rows[0]["test acc."]) == 0.81 and float(rows[0]["training acc."]) == pytest.approx(0.85)
    assert rows[0]["how it ended"] == "finished all 3 epochs" and rows[1]["how it ended"] == "running"
    assert rows[1]["test acc."] == "" and rows[1]["epochs run"] == "0"
    settings = {name: rows[1][name] for name in LECTURE.to_flat_dict()}
    assert ExperimentConfig.from_flat_dict(settings) == second_config


def test_the_record_holds_settings_figures_test_results_and_versions(fashion):
    config = LECTURE.replace(hidden_units=(32,))
    rng = np.random.default_rng(1)
    shapes = [(784, 32), (32,), (32, 10), (10,)]
    net = NumpyNet.from_config(config, [rng.normal(0, 0.1, s).astype(np.float32) for s in shapes])
    evaluation = evaluate(net, fashion.test_images, fashion.test_labels)
    run = SimpleNamespace(config=config, snapshot=finished_snapshot(), evaluation=evaluation)

    record = json.loads(exports.run_record_json(run))
    assert record["name"] == "fashion-dense32-adam-3ep"
    assert (
        ExperimentConfig(**(record["settings"] | {"hidden_units": tuple(record["settings"]["hidden_units"])})) == config
    )
    assert record["parameters"] == 784 * 32 + 32 + 32 * 10 + 10
    assert record["epochs_run"] == 3 and [e["epoch"] for e in record["epochs"]] == [1, 2, 3]
    assert record["how_it_ended"] == "finished all 3 epochs" and record["seconds"] == 12.35
    test = record["test"]
    assert test["accuracy"] == pytest.approx(evaluation.accuracy) and test["images"] == 10000
    assert np.array_equal(np.array(test["confusion"]["counts"]), evaluation.confusion)
    assert list(test["per_class_accuracy"]) == list(CLASS_NAMES)
    assert record["versions"]["numpy"] == np.__version__ and record["versions"]["python"].startswith("3.")
