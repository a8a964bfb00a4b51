"""Try it latency: preprocessing + inference of one drawing on a 600×400 canvas, by the shipped model.

Each trial draws a fresh random scribble-garment (filled strokes) so nothing is cached; the first 20 calls
warm up. Prints one JSON object with p50 / p95 / max in milliseconds, split into preprocessing and model.
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from playground.images import preprocess_canvas  # noqa: E402
from playground.inference import Classifier  # noqa: E402

TRIALS, WARMUP = 300, 20


def canvas_drawing(rng: np.random.Generator) -> np.ndarray:
    """A 600×400 RGBA canvas with a thick white polygon stroke on black, as the page's canvas returns it."""
    image = Image.new("RGBA", (600, 400), (0, 0, 0, 255))
    draw = ImageDraw.Draw(image)
    points = [(int(rng.integers(150, 450)), int(rng.integers(60, 340))) for _ in range(8)]
    draw.line(points + points[:1], fill=(255, 255, 255, 255), width=int(rng.integers(15, 45)), joint="curve")
    return np.asarray(image)


def main() -> None:
    # What Try it runs (the shipped model in NumPy); --keras times the same model through Keras' direct call.
    keras_way = "--keras" in sys.argv
    classifier = Classifier.from_path() if keras_way else Classifier.pretrained()
    rng = np.random.default_rng(0)
    pre, model, total = [], [], []
    for trial in range(TRIALS + WARMUP):
        rgba = canvas_drawing(rng)
        started = time.perf_counter()
        image = preprocess_canvas(rgba)
        middle = time.perf_counter()
        classifier.predict(image)
        ended = time.perf_counter()
        if trial >= WARMUP:
            pre.append(middle - started)
            model.append(ended - middle)
            total.append(ended - started)

    def stats(values):
        ms = np.array(values) * 1000
        return {
            "p50": round(float(np.percentile(ms, 50)), 2),
            "p95": round(float(np.percentile(ms, 95)), 2),
            "max": round(float(ms.max()), 2),
        }

    print(
        json.dumps(
            {
                "benchmark": "latency",
                "trials": TRIALS,
                "model_runs_in": "keras" if keras_way else "numpy (as Try it)",
                "canvas": "600x400 RGBA",
                "total_ms": stats(total),
                "preprocess_ms": stats(pre),
                "model_ms": stats(model),
                "target_p95_ms": 30,
            }
        )
    )


if __name__ == "__main__":
    main()
