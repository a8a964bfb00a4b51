"""Real photos through Try it's own path: read_upload (decode + preprocess) then Classifier.predict.

    .venv/bin/python bench/photos.py [FOLDER] [--model PATH.keras]

FOLDER is laid out like ../shared/real-photos (one sub-folder per kind of garment); the model defaults to the
shipped one, read as the page reads it (NumPy, with the calibration recorded in the JSON beside it). Prints one
JSON object: mapped top-1 accuracy overall and per folder, expected calibration error (10 bins), the share of
photos answered "very sure" and wrong, the share of hat photos answered "very sure", and seconds per photo.
A photo the preprocessing refuses ("no garment stands out") counts as answered "not sure" and wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402

from playground.calibration import expected_calibration_error  # noqa: E402
from playground.data import CLASS_NAMES  # noqa: E402
from playground.images import read_upload  # noqa: E402
from playground.inference import DEFAULT_MODEL_PATH, Classifier  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--model", default=str(DEFAULT_MODEL_PATH), help="a .keras file (JSON record beside it)")
    args = parser.parse_args()
    classifier = Classifier.from_file(args.model)
    folder = Path(args.folder)
    kinds = sorted(d.name for d in folder.iterdir() if d.is_dir() and (d.name in RIGHT_ANSWERS or d.name == "hat"))

    started = time.perf_counter()
    per_folder, confidence, right, very_sure_wrong, photos = {}, [], [], 0, 0
    hats = {"photos": 0, "very_sure": 0, "unfamiliar_or_unsure": 0}
    for kind in kinds:
        files = sorted(p for p in (folder / kind).iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
        answers = [answer(classifier, path) for path in files]
        photos += len(files)
        if kind == NOT_ONE_OF_THE_TEN:
            hats["photos"] = len(answers)
            hats["very_sure"] = int(sum(a["very_sure"] for a in answers))
            hats["unfamiliar_or_unsure"] = int(sum(a["unfamiliar"] or a["confidence"] < 0.5 for a in answers))
            continue
        hits = [a["top"] in RIGHT_ANSWERS[kind] for a in answers]
        confidence += [a["confidence"] for a in answers]
        right += hits
        very_sure_wrong += sum(a["very_sure"] and not hit for a, hit in zip(answers, hits, strict=True))
        said = {name: sum(a["top"] == name for a in answers) for name in (*CLASS_NAMES, None)}
        per_folder[kind] = {
            "right": int(sum(hits)),
            "photos": len(files),
            "accuracy": round(float(np.mean(hits)), 3),
            "most_said": sorted(((n or "(refused)", c) for n, c in said.items() if c), key=lambda x: -x[1])[:3],
        }
    seconds = time.perf_counter() - started

    confidence, right = np.array(confidence), np.array(right, dtype=float)
    print(
        json.dumps(
            {
                "benchmark": "photos",
                "folder": str(folder),
                "model": str(args.model),
                "scored_photos": len(right),
                "accuracy": round(float(right.mean()), 3),
                "per_folder": per_folder,
                "ece_10_bins": round(expected_calibration_error(confidence, right), 3),
                "very_sure_and_wrong": round(very_sure_wrong / len(right), 3),
                "hat_very_sure": round(hats["very_sure"] / max(hats["photos"], 1), 3),
                "hats": hats,
                "seconds_per_photo": round(seconds / max(photos, 1), 4),
            }
        )
    )


if __name__ == "__main__":
    main()
