"""Try it latency: one drawing on a 600×400 canvas answered by the shipped model, without and with "Why this answer".

Each trial draws a fresh random scribble-garment (filled strokes) so nothing is cached; the first 20 calls
warm up. Per trial it times, in order, what the page does: preprocessing, the model's answer, the explanation
in NumPy (heat map + hidden layer, playground.answers.explain) and the explanation's charts (built and serialised to
JSON, as st.plotly_chart does). Prints one JSON object with p50 / p95 / max in milliseconds:
`without_explanation` is preprocessing + model (the answer before issue 9), `with_explanation` adds the
explanation and its charts. Wall-clock times on a shared machine depend on its load, so the load average and
the process's CPU time are reported too.

    python bench/latency.py                    # the shipped CNN, as Try it runs it (NumPy)
    python bench/latency.py --model m.keras    # an uploaded model, read as the page reads it
    python bench/latency.py --keras            # the shipped model through Keras (no explanation)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from playground import charts  # noqa: E402
from playground.answers.explain import explain_answer  # noqa: E402
from playground.answers.inference import Classifier  # noqa: E402
from playground.network.numpy_net import NumpyNet  # noqa: E402
from playground.photos.images import preprocess_canvas  # noqa: E402

TRIALS, WARMUP = 300, 20
STAGES = ("preprocess", "model", "explain", "explain_charts")


def canvas_drawing(rng: np.random.Generator) -> np.ndarray:
    """A 600×400 RGBA canvas with a thick white polygon stroke on black, as the page's canvas returns it."""
    image = Image.new("RGBA", (600, 400), (0, 0, 0, 255))
    draw = ImageDraw.Draw(image)
    points = [(int(rng.integers(150, 450)), int(rng.integers(60, 340))) for _ in range(8)]
    draw.line(points + points[:1], fill=(255, 255, 255, 255), width=int(rng.integers(15, 45)), joint="curve")
    return np.asarray(image)


def explanation_charts(image: np.ndarray, why) -> int:
    """The figures Try it draws under the bars (pages/parts/try_it_answers.py show_why), serialised; returns their
    JSON size."""
    figures = [charts.heat_map_figure(image, why.heat, why.target_name)]
    hidden = why.hidden
    if hidden is not None and hidden.kind == "conv":
        figures.append(charts.feature_maps_figure(hidden.pictures, [f"filter {i + 1}" for i in hidden.top]))
    elif hidden is not None:
        figures.append(charts.hidden_activations_figure(hidden.values, hidden.top, hidden.switched_off is not None))
        if hidden.pictures is not None:
            titles = [f"neuron {i + 1}: {hidden.values[i]:.1f}" for i in hidden.top]
            figures.append(charts.neuron_pictures_figure(hidden.pictures, titles))
    return sum(len(figure.to_json()) for figure in figures)


def load_classifier(args) -> Classifier:
    if args.keras:
        return Classifier.loaded_by_keras()
    if args.model:
        from playground.network.uploaded_model import read_model_upload

        with open(args.model, "rb") as file:
            model = read_model_upload(file.read(), os.path.basename(args.model))
        return Classifier(model.net, description=model.name)
    return Classifier.pretrained()


def stats(values) -> dict:
    ms = np.array(values) * 1000
    return {
        "p50": round(float(np.percentile(ms, 50)), 2),
        "p95": round(float(np.percentile(ms, 95)), 2),
        "max": round(float(ms.max()), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keras", action="store_true", help="run the shipped model through Keras' direct call")
    parser.add_argument("--model", help="a .keras file, read as an upload on Try it")
    parser.add_argument("--trials", type=int, default=TRIALS)
    args = parser.parse_args()
    classifier = load_classifier(args)
    explains = isinstance(classifier.model, NumpyNet)
    rng = np.random.default_rng(0)
    wall = {stage: [] for stage in STAGES}
    cpu_without, cpu_with, chart_bytes = [], [], []
    load_before = os.getloadavg()[0]
    for trial in range(args.trials + WARMUP):
        rgba = canvas_drawing(rng)
        marks = [(time.perf_counter(), time.process_time())]
        image = preprocess_canvas(rgba)
        marks.append((time.perf_counter(), time.process_time()))
        prediction = classifier.predict(image)
        marks.append((time.perf_counter(), time.process_time()))
        if explains:
            why = explain_answer(classifier.model, image, prediction.top_class)
            marks.append((time.perf_counter(), time.process_time()))
            size = explanation_charts(image, why)
            marks.append((time.perf_counter(), time.process_time()))
        if trial < WARMUP:
            continue
        for stage, start, end in zip(STAGES, marks, marks[1:], strict=False):
            wall[stage].append(end[0] - start[0])
        cpu_without.append(marks[2][1] - marks[0][1])
        if explains:
            cpu_with.append(marks[4][1] - marks[0][1])
            chart_bytes.append(size)
    without = [p + m for p, m in zip(wall["preprocess"], wall["model"], strict=True)]
    result = {
        "benchmark": "latency",
        "trials": args.trials,
        "model": classifier.description,
        "model_runs_in": "keras" if args.keras else "numpy (as Try it)",
        "canvas": "600x400 RGBA",
        "target_p95_ms": 60,
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "without_explanation": {
            "total_ms": stats(without),
            "preprocess_ms": stats(wall["preprocess"]),
            "model_ms": stats(wall["model"]),
            "cpu_total_ms": stats(cpu_without),
        },
        "with_explanation": None,
    }
    if explains:
        total = [w + e + c for w, e, c in zip(without, wall["explain"], wall["explain_charts"], strict=True)]
        result["with_explanation"] = {
            "total_ms": stats(total),
            "explain_ms": stats(wall["explain"]),
            "explain_charts_ms": stats(wall["explain_charts"]),
            "cpu_total_ms": stats(cpu_with),
            "explain_charts_json_kb": round(float(np.mean(chart_bytes)) / 1024, 1),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
