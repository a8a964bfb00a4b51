"""Lesson notebook vs live engine: the lecture model, 5 epochs on all 60,000 images, alternated.

(a) exactly as the notebook: images / 255.0, plain model.compile + model.fit (verbose=0, so printing a
    progress bar costs the notebook nothing here), then model.evaluate.
(b) the playground's TrainingRun (same model, batches of 32, same number of updates; several batches per
    TensorFlow call and XLA) while a reader thread polls its snapshot 4 times per second.
Both run in this process with the playground's setting of one TensorFlow thread. That favours the notebook:
with TensorFlow's default threads its 5 epochs took 11.8-12.2 s here instead of 8-10 s.
Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from playground.data.fashion_mnist import load_fashion_mnist  # noqa: E402
from playground.settings.config import LECTURE  # noqa: E402
from playground.training.engine import TrainingRun  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
CONFIG = LECTURE.replace(validation_split=0.0)  # the notebook holds nothing out


def notebook_way(data) -> tuple[float, float]:
    """The lesson's code, as written there."""
    training_images = data.train_images / 255.0
    test_images = data.test_images / 255.0
    keras.utils.set_random_seed(CONFIG.seed)
    model = keras.models.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(training_images, data.train_labels, epochs=CONFIG.epochs, verbose=0)
    seconds = time.perf_counter() - started
    _, accuracy = model.evaluate(test_images, data.test_labels, verbose=0)
    return seconds, float(accuracy)


def engine_way(data) -> tuple[float, float, float, float]:
    """The live engine with a reader polling 4 times per second, as the app's fragment does."""
    run = TrainingRun(CONFIG, data)
    seen, done = set(), threading.Event()

    def reader():
        while not done.is_set():
            seen.add(run.snapshot.version)
            time.sleep(0.25)

    thread = threading.Thread(target=reader)
    started = time.perf_counter()
    thread.start()
    run.start()
    run.wait()
    done.set()
    thread.join()
    seconds = time.perf_counter() - started
    snap = run.snapshot
    training_seconds = snap.elapsed or seconds
    return seconds, float(snap.test_accuracy), snap.version / training_seconds, len(seen) / seconds


def main() -> None:
    data = load_fashion_mnist()
    notebook_way(data) if os.environ.get("BENCH_WARMUP", "1") == "1" else None  # warm TensorFlow up first
    a_times, b_times, a_acc, b_acc, published, read = [], [], [], [], [], []
    for _ in range(ROUNDS):
        seconds, accuracy = notebook_way(data)
        a_times.append(seconds)
        a_acc.append(accuracy)
        seconds, accuracy, per_second, reader_per_second = engine_way(data)
        b_times.append(seconds)
        b_acc.append(accuracy)
        published.append(per_second)
        read.append(reader_per_second)
    a, b = float(np.median(a_times)), float(np.median(b_times))
    print(
        json.dumps(
            {
                "benchmark": "overhead",
                "rounds": ROUNDS,
                "notebook_seconds": [round(t, 2) for t in a_times],
                "engine_seconds": [round(t, 2) for t in b_times],
                "ratio_engine_over_notebook": round(b / a, 3),
                "notebook_test_accuracy": a_acc,
                "engine_test_accuracy": b_acc,
                "snapshots_published_per_second": [round(x, 1) for x in published],
                "fresh_snapshots_seen_by_4hz_reader_per_second": [round(x, 2) for x in read],
                "engine_timing_includes": "model build + compile + fit + test evaluation",
            }
        )
    )


if __name__ == "__main__":
    main()
