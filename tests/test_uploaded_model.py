"""A visitor's .keras file: answers exactly as Keras' own loading does, and anything else is refused, in words,
without running any of it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from playground.answers.inference import DEFAULT_MODEL_PATH
from playground.network.uploaded_model import MAX_PARAMETERS, ModelFileError, read_model_upload
from playground.settings.config import LECTURE
from playground.settings.presets import PRESETS
from tests.synthetic import keras_file, lambda_model_file, zip_of_random_bytes

ROOT = Path(__file__).resolve().parent.parent


def trained_keras_file(config, fashion, path: Path) -> bytes:
    """A playground model trained for one short epoch (so its weights are not the initial ones), saved by Keras."""
    from playground.network.model import build_compiled_model

    model = build_compiled_model(config)
    model.fit(fashion.train_images[:512], fashion.train_labels[:512], epochs=1, batch_size=64, verbose=0)
    model.save(path)
    return path.read_bytes()


def rewritten(data: bytes, edit_config=None, weights: bytes | None = None) -> bytes:
    """The same .keras archive with its config.json edited or its weights file replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "config.json" and edit_config is not None:
                config = json.loads(content)
                edit_config(config)
                content = json.dumps(config).encode()
            if name == "model.weights.h5" and weights is not None:
                content = weights
            target.writestr(name, content)
    return out.getvalue()


@pytest.fixture(scope="module")
def saved(tmp_path_factory, fashion) -> dict[str, bytes]:
    """Models as a visitor would bring them: trained here (dense, CNN, with augmentation and dropout) and one
    made elsewhere (a 28×28×1 input, tanh, no Rescaling, ten raw scores)."""
    import keras

    folder = tmp_path_factory.mktemp("models")
    configs = {
        "dense": LECTURE,
        "cnn": PRESETS["cnn"].config.replace(hidden_units=(32,)),
        "augmented": LECTURE.replace(augment=True, dropout=0.2, hidden_units=(64, 32)),
    }
    files = {name: trained_keras_file(config, fashion, folder / f"{name}.keras") for name, config in configs.items()}
    files["elsewhere"] = keras_file(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(8, 3, activation="tanh"),
            keras.layers.MaxPooling2D(),
            keras.layers.BatchNormalization(),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ],
        folder / "elsewhere.keras",
    )
    return files


@pytest.mark.parametrize("name", ["dense", "cnn", "augmented", "elsewhere"])
def test_an_uploaded_model_answers_exactly_as_keras_safe_mode_loads_it(name, saved, fashion, tmp_path):
    import keras

    path = tmp_path / "m.keras"
    path.write_bytes(saved[name])
    reference = keras.models.load_model(path, safe_mode=True, compile=False)
    uploaded = read_model_upload(saved[name], "m.keras")
    images = fashion.test_images[:300]
    if name == "elsewhere":
        expected = np.asarray(reference(images[..., None].astype("float32"), training=False))
        np.testing.assert_allclose(uploaded.net.logits(images), expected, rtol=1e-4, atol=1e-4)
        assert any("10 scores" in note for note in uploaded.notes)
        assert any("no Rescaling" in note for note in uploaded.notes)
    else:
        expected = np.asarray(reference(images, training=False))
        np.testing.assert_allclose(uploaded.net(images), expected, rtol=1e-4, atol=1e-6)
        assert uploaded.notes == ()
    assert uploaded.parameters == reference.count_params()


def test_a_model_saved_by_the_command_line_round_trips(tmp_path, fashion):
    """`python -m playground train --save` is how the project saves a model; its answers survive the upload."""
    import keras

    path = tmp_path / "m.keras"
    command = [sys.executable, "-m", "playground", "train", "--train-limit", "2000", "--epochs", "1"]
    subprocess.run(command + ["--save", str(path), "--json"], cwd=ROOT, check=True, capture_output=True, timeout=600)
    uploaded = read_model_upload(path.read_bytes(), path.name)
    images = fashion.test_images[:300]
    expected = np.asarray(keras.models.load_model(path, safe_mode=True, compile=False)(images, training=False))
    np.testing.assert_allclose(uploaded.net(images), expected, rtol=1e-4, atol=1e-6)
    assert (uploaded.net(images).argmax(1) == expected.argmax(1)).all()


def test_the_shipped_model_reads_as_an_upload_too(fashion):
    uploaded = read_model_upload(DEFAULT_MODEL_PATH.read_bytes(), DEFAULT_MODEL_PATH.name)
    assert uploaded.parameters == 225_418
    accuracy = np.mean(uploaded.net(fashion.test_images[:2000]).argmax(1) == fashion.test_labels[:2000])
    assert accuracy > 0.85


def test_a_lambda_layer_is_refused_and_its_code_never_runs(tmp_path):
    import keras

    marker = tmp_path / "lambda-ran.txt"
    data = lambda_model_file(tmp_path, marker)
    with pytest.raises(ModelFileError, match="Lambda layer: custom Python code, which is never run here"):
        read_model_upload(data, "lambda.keras")
    assert not marker.exists()
    # Keras' own safe mode refuses it too: the allow-list is at least as strict.
    with pytest.raises(ValueError, match="safe_mode"):
        keras.models.load_model(tmp_path / "lambda.keras", safe_mode=True)
    assert not marker.exists()


def test_reading_an_upload_never_imports_tensorflow_or_keras(saved, tmp_path):
    """The web process stays without TensorFlow: checked in a fresh interpreter."""
    path = tmp_path / "m.keras"
    path.write_bytes(saved["cnn"])
    script = (
        "import sys; from playground.network.uploaded_model import read_model_upload; "
        f"read_model_upload(open({str(path)!r}, 'rb').read()); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('keras', 'tensorflow')))"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True)
    assert result.stdout.strip() == "[]"


def h5_file(tmp_path: Path) -> bytes:
    import keras

    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])
    model.save(tmp_path / "old.h5")
    return (tmp_path / "old.h5").read_bytes()


def with_layer(config: dict, index: int, **changes) -> None:
    config["config"]["layers"][index]["config"].update(changes)


BAD_FILES = {
    # name: (how to make it from a good dense model's bytes, what the message must say)
    "truncated": (lambda good, tmp: good[: len(good) // 2], "damaged (perhaps the download was cut short)"),
    "renamed PNG": (lambda good, tmp: ROOT.joinpath("docs", "train.png").read_bytes(), "a PNG picture, not a model"),
    "old .h5": (lambda good, tmp: h5_file(tmp), "older Keras .h5 file"),
    "zip of random bytes": (lambda good, tmp: zip_of_random_bytes(), "a zip file, but not a Keras model"),
    "random bytes": (lambda good, tmp: np.random.default_rng(1).bytes(3000), "not a Keras model file"),
    "empty": (lambda good, tmp: b"", "empty"),
    "too large a file": (lambda good, tmp: b"PK" + bytes(21 * 1024 * 1024), "at most 20 MB"),
    "wrong picture size": (
        lambda good, tmp: rewritten(good, lambda c: with_layer(c, 0, batch_shape=[None, 32, 32])),
        "inputs of 32 × 32",
    ),
    "five outputs": (
        lambda good, tmp: rewritten(good, lambda c: with_layer(c, -1, units=5)),
        "must end in a Dense layer with 10 outputs",
    ),
    "sigmoid outputs": (
        lambda good, tmp: rewritten(good, lambda c: with_layer(c, -1, activation="sigmoid")),
        "softmax or none is needed",
    ),
    "too many weights": (
        lambda good, tmp: rewritten(good, lambda c: with_layer(c, 3, units=2048)),
        f"at most {MAX_PARAMETERS:,} fit here",
    ),
    "weights that do not fit": (
        lambda good, tmp: rewritten(good, lambda c: with_layer(c, 3, units=64)),
        "weights are damaged or do not match its layers",
    ),
    "a custom layer class": (
        lambda good, tmp: rewritten(good, lambda c: c["config"]["layers"][3].update(registered_name="my>Dense")),
        "a layer of its own making",
    ),
    "a layer numpy cannot run": (
        lambda good, tmp: rewritten(good, lambda c: c["config"]["layers"][3].update(class_name="LSTM")),
        "LSTM layer, which this playground cannot run",
    ),
    "a functional model": (
        lambda good, tmp: rewritten(good, lambda c: c.update(class_name="Functional")),
        "keras.Sequential",
    ),
    "garbage weights": (lambda good, tmp: rewritten(good, weights=b"not hdf5 at all"), "weights are damaged"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_a_plain_reason(case, dense_file, tmp_path):
    make, reason = BAD_FILES[case]
    with pytest.raises(ModelFileError) as refused:
        read_model_upload(make(dense_file, tmp_path), "model.keras")  # every file is named .keras: content decides
    assert reason in str(refused.value)


@pytest.fixture(scope="module")
def dense_file(tmp_path_factory) -> bytes:
    """An untrained playground dense model (Flatten, Dense 128 relu, Dense 10 softmax) as .keras bytes."""
    from playground.network.model import build_model

    path = tmp_path_factory.mktemp("dense") / "dense.keras"
    build_model(LECTURE).save(path)
    return path.read_bytes()


def test_broken_numbers_in_the_weights_are_refused(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])
    kernel, bias = model.get_weights()
    kernel[3, 3] = np.nan
    model.set_weights([kernel, bias])
    model.save(tmp_path / "nan.keras")
    with pytest.raises(ModelFileError, match="broken numbers"):
        read_model_upload((tmp_path / "nan.keras").read_bytes())
