"""Real photos through Try it's own path: read_upload (decode + preprocess) then Classifier.predict.

    .venv/bin/python bench/photos.py [FOLDER] [--model PATH.keras] [--half tune|report|both]

FOLDER is laid out like ../shared/real-photos (one sub-folder per kind of garment); the model defaults to the
shipped one, read as the page reads it (NumPy, with the calibration recorded in the JSON beside it).

The photos are split once, by the fixed rule in `split()`, into a *tune* half, on which every choice about the
photo path and the calibration is made, and a *report* half, looked at only to write the final figures (the
choices made on a set flatter it). Only the tune half is measured unless --half says otherwise.

Prints one JSON object with, for each half measured: mapped top-1 accuracy overall and per folder, the confusion
of kinds (for each folder, how often each of the ten kinds was answered), expected calibration error (10 bins)
beside what a perfectly calibrated answer would measure on as many photos (ECE's noise floor), the share of
photos answered "very sure" and wrong, the share of hat photos answered "very sure", and seconds per photo.
A photo the preprocessing refuses ("no garment stands out") counts as answered "not sure" and wrong.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402

from playground.answers.calibration import expected_calibration_error  # noqa: E402
from playground.answers.inference import DEFAULT_MODEL_PATH, Classifier  # noqa: E402
from playground.data.fashion_mnist import CLASS_NAMES  # noqa: E402
from playground.photos.images import read_upload  # noqa: E402

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent.parent / "shared" / "real-photos"
# The folders' README: which of the ten kinds count as right for each folder. Hats are none of the ten; shorts
# and skirts are not scored.
RIGHT_ANSWERS = {
    "dress": {"Dress"},
    "pants": {"Trouser"},
    "t-shirt": {"T-shirt/top"},
    "shirt": {"Shirt"},
    "outwear": {"Coat", "Pullover"},
    "longsleeve": {"Pullover", "T-shirt/top", "Shirt", "Coat"},
    "shoes": {"Sandal", "Sneaker", "Ankle boot"},
}
NOT_ONE_OF_THE_TEN = "hat"
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}
HALVES = ("tune", "report")
# ECE over ~150 photos is noisy: a perfectly calibrated answer with the same confidences measures this much on
# average (each photo right with the probability its confidence says, drawn this many times).
FLOOR_DRAWS = 2000


# ---------------------------------------------------------------- the split


def split(folder: Path) -> dict[str, dict[str, list[Path]]]:
    """The photos of every folder in two halves, {"tune": {kind: files}, "report": {...}} (341 photos: 173 and 168).

    The rule, fixed once: within each folder, rank the files by the SHA-256 of their file name and deal them out
    alternately, first to tune, then to report. Stratified by kind, independent of the photos' content and of the
    order the file system lists them, and the same on every machine.
    """
    halves = {half: {} for half in HALVES}
    for kind in sorted(d.name for d in folder.iterdir() if d.is_dir()):
        files = [p for p in (folder / kind).iterdir() if p.suffix.lower() in PHOTO_SUFFIXES]
        ranked = sorted(files, key=lambda p: hashlib.sha256(p.name.encode()).hexdigest())
        for i, half in enumerate(HALVES):
            halves[half][kind] = ranked[i :: len(HALVES)]
    return halves


# ---------------------------------------------------------------- measuring


def answer(classifier: Classifier, path: Path) -> dict:
    """What Try it would say about one photo file: the top kind, its confidence, and the words' level."""
    upload = read_upload(path.read_bytes())
    if upload.model_input is None:
        return {"top": None, "confidence": 0.0, "very_sure": False, "unfamiliar": True, "problem": upload.problem}
    prediction = classifier.predict(upload.model_input)
    return {
        "top": prediction.top_name,
        "confidence": prediction.confidence,
        "very_sure": prediction.very_sure,
        "unfamiliar": prediction.unfamiliar,
    }


def figures(answers: dict[str, list[dict]]) -> dict:
    """The figures for one half, from each folder's answers (as answer() gives them)."""
    per_folder, confusion, confidence, right, very_sure_wrong = {}, {}, [], [], 0
    hats = {"photos": 0, "very_sure": 0, "unfamiliar_or_unsure": 0}
    for kind, said in answers.items():
        counts = {name: sum(a["top"] == name for a in said) for name in (*CLASS_NAMES, None)}
        confusion[kind] = {(name or "(refused)"): count for name, count in counts.items() if count}
        if kind not in RIGHT_ANSWERS and kind != NOT_ONE_OF_THE_TEN:
            continue  # shorts and skirts: in the split (and the confusion), not scored
        if kind == NOT_ONE_OF_THE_TEN:
            hats["photos"] = len(said)
            hats["very_sure"] = int(sum(a["very_sure"] for a in said))
            hats["unfamiliar_or_unsure"] = int(sum(a["unfamiliar"] or a["confidence"] < 0.5 for a in said))
            continue
        hits = [a["top"] in RIGHT_ANSWERS[kind] for a in said]
        confidence += [a["confidence"] for a in said]
        right += hits
        very_sure_wrong += sum(a["very_sure"] and not hit for a, hit in zip(said, hits, strict=True))
        per_folder[kind] = {"right": int(sum(hits)), "photos": len(said), "accuracy": round(float(np.mean(hits)), 3)}
    confidence, right = np.array(confidence), np.array(right, dtype=float)
    return {
        "scored_photos": len(right),
        "accuracy": round(float(right.mean()), 3),
        "per_folder": per_folder,
        "confusion": confusion,
        "ece_10_bins": round(expected_calibration_error(confidence, right), 3),
        "ece_if_perfectly_calibrated": ece_noise_floor(confidence),
        "very_sure_and_wrong": round(very_sure_wrong / len(right), 3),
        "hat_very_sure": round(hats["very_sure"] / max(hats["photos"], 1), 3),
        "hats": hats,
    }


def ece_noise_floor(confidence: np.ndarray) -> dict:
    """What ECE measures for answers that are perfectly calibrated, with these confidences and this many photos:
    the mean and the 90th percentile over FLOOR_DRAWS draws (fixed seed). A measured ECE inside that range says
    nothing against the calibration."""
    rng = np.random.default_rng(0)
    draws = [
        expected_calibration_error(confidence, rng.random(len(confidence)) < confidence) for _ in range(FLOOR_DRAWS)
    ]
    return {"mean": round(float(np.mean(draws)), 3), "p90": round(float(np.quantile(draws, 0.9)), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--model", default=str(DEFAULT_MODEL_PATH), help="a .keras file (JSON record beside it)")
    parser.add_argument(
        "--half",
        choices=(*HALVES, "both"),
        default="tune",
        help="which half to measure: tune (the default, for working), report (for the final figures only), both",
    )
    args = parser.parse_args()
    classifier = Classifier.from_file(args.model)
    folder = Path(args.folder)
    halves = split(folder)
    result = {"benchmark": "photos", "folder": str(folder), "model": str(args.model)}
    for half in HALVES if args.half == "both" else (args.half,):
        started = time.perf_counter()
        answers = {kind: [answer(classifier, path) for path in files] for kind, files in halves[half].items()}
        seconds = time.perf_counter() - started
        photos = sum(len(files) for files in halves[half].values())
        result[half] = figures(answers) | {"seconds_per_photo": round(seconds / max(photos, 1), 4)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
