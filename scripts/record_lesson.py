"""Record the lesson's results ahead of time with the project's own CLI, into playground/lesson/recorded/.

    nice -n 19 .venv/bin/python scripts/record_lesson.py              # every run and both notebook errors
    nice -n 19 .venv/bin/python scripts/record_lesson.py lecture no_flatten   # just these

Each run is `python -m playground train <options> --json`, exactly; its JSON summary and the per-epoch lines it
prints are stored unchanged, with the date, the command, the package versions and the machine. The two notebook
errors are produced for real with Keras (playground.lesson.records.reproduce_mistake).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.lesson.records import (  # noqa: E402  (after the path is set)
    FIRST_TEST_IMAGE_RUN,
    MISTAKE_HOW,
    MISTAKE_IMAGES,
    MISTAKE_SEED,
    MISTAKES,
    RECORDED_RUNS,
    RECORDS_DIR,
    parse_epoch_lines,
    reproduce_mistake,
)


def versions() -> dict:
    found = {"python": platform.python_version()}
    for package in ("tensorflow", "tensorflow-cpu", "keras", "numpy"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return found


def machine() -> str:
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} CPU cores, no GPU, load {load:.1f} when it started"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def first_test_image(model_path: Path, config_values: dict) -> dict:
    """Exercise 1: what the trained model says about test image 0, read in NumPy as the app reads models."""
    from playground.data.fashion_mnist import load_fashion_mnist
    from playground.network.numpy_net import NumpyNet
    from playground.settings.config import ExperimentConfig

    data = load_fashion_mnist()
    net = NumpyNet.from_keras_file(model_path, ExperimentConfig.from_flat_dict(config_values))
    probabilities = net(data.test_images[:1])[0]
    return {"label": int(data.test_labels[0]), "probabilities": [round(float(p), 6) for p in probabilities]}


def two_neurons(model_path: Path, config_values: dict) -> list[dict]:
    """Step 3: the hidden neurons with the largest and the smallest sum for test image 0 (ReLU keeps one)."""
    import numpy as np

    from playground.data.fashion_mnist import load_fashion_mnist
    from playground.network.numpy_net import NumpyNet
    from playground.settings.config import ExperimentConfig

    data = load_fashion_mnist()
    net = NumpyNet.from_keras_file(model_path, ExperimentConfig.from_flat_dict(config_values))
    kernel, bias = net.weights[0], net.weights[1]  # the first hidden layer: (784, 128) and (128,)
    sums = (data.test_images[0].reshape(-1) / 255.0) @ kernel + bias
    picked = [int(np.argmax(sums)), int(np.argmin(sums))]
    return [
        {"index": i, "weights": [round(float(w), 5) for w in kernel[:, i]], "bias": round(float(bias[i]), 5)}
        for i in picked
    ]


def record_run(name: str) -> dict:
    options = list(RECORDED_RUNS[name])
    command = ["python", "-m", "playground", "train", *options, "--json"]
    with tempfile.TemporaryDirectory() as folder:
        model_path = Path(folder) / "model.keras"
        save = ["--save", str(model_path)] if name == FIRST_TEST_IMAGE_RUN else []
        started = machine()
        result = subprocess.run(
            [sys.executable, "-m", "playground", "train", *options, *save, "--json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"},
        )
        if result.returncode != 0:
            raise SystemExit(f"{name}: the CLI failed:\n{result.stderr[-2000:]}")
        summary = json.loads(result.stdout.strip().splitlines()[-1])
        summary["saved"] = None  # the model went to a temporary folder; only its numbers are kept
        record = {
            "name": name,
            "command": shlex.join(command),
            "recorded_at": now(),
            "versions": versions(),
            "machine": started,
            "summary": summary,
            "epochs": [line.__dict__ for line in parse_epoch_lines(result.stderr)],
        }
        if save:
            record["first_test_image"] = first_test_image(model_path, summary["config"])
            record["neurons"] = two_neurons(model_path, summary["config"])
    return record


def record_mistake(name: str) -> dict:
    from playground.data.fashion_mnist import load_fashion_mnist

    data = load_fashion_mnist()
    error_type, message = reproduce_mistake(name, data.train_images, data.train_labels)
    return {
        "name": name,
        "code": MISTAKES[name],
        "error_type": error_type,
        "short_message": message,
        "how": MISTAKE_HOW.format(images=MISTAKE_IMAGES, seed=MISTAKE_SEED),
        "recorded_at": now(),
        "versions": versions(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"any of {', '.join([*RECORDED_RUNS, *MISTAKES])} (default all)")
    names = parser.parse_args().names or [*MISTAKES, *RECORDED_RUNS]
    unknown = sorted(set(names) - set(RECORDED_RUNS) - set(MISTAKES))
    if unknown:
        parser.error(f"unknown: {', '.join(unknown)}")
    RECORDS_DIR.mkdir(exist_ok=True)
    for name in names:
        started = time.perf_counter()
        record = record_mistake(name) if name in MISTAKES else record_run(name)
        (RECORDS_DIR / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
        print(f"{name}: recorded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
