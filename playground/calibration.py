"""Honest confidence for a saved model: a temperature and an "unlike the training images" line, fitted on held-out
photo composites and written into the model's record (the .json beside it).

Guo et al. (2017): one temperature dividing the logits fixes most over-confidence without changing any answer.
Liu et al. (2020): the log-sum-exp of the logits (negative energy) is low for pictures unlike the training data.
Both are fitted on Fashion-MNIST *test* items turned into photo composites, which the model never trained on and
which look like what Try it is given. Real photos are for measuring only (bench/photos.py), never for fitting.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from playground.composites import composite_images
from playground.data import FashionMNIST, stratified_indices
from playground.inference import Classifier, familiarity, model_record, view_logits
from playground.maths import softmax

BINS = 10
# Held-out composites below this share of familiarity count as "unlike": the line is their 2nd percentile.
UNFAMILIAR_SHARE = 0.02
TEMPERATURES = np.exp(np.linspace(np.log(0.25), np.log(8.0), 401))  # the grid the temperature is chosen from


def expected_calibration_error(confidence: np.ndarray, right: np.ndarray, bins: int = BINS) -> float:
    """The share-weighted gap between confidence and accuracy over equal-width confidence bins."""
    confidence, right = np.asarray(confidence, float), np.asarray(right, float)
    which = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    gap = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            gap += inside.mean() * abs(confidence[inside].mean() - right[inside].mean())
    return float(gap)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature with the smallest negative log-likelihood of the true labels."""
    best, best_loss = 1.0, np.inf
    for temperature in TEMPERATURES:
        scaled = logits / temperature
        top = scaled.max(axis=1, keepdims=True)
        log_norm = top[:, 0] + np.log(np.exp(scaled - top).sum(axis=1))
        loss = float(np.mean(log_norm - scaled[np.arange(len(labels)), labels]))
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def held_out_composites(data: FashionMNIST, count: int, seed: int, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """`count` test items (balanced over the classes) as preprocessed photo composites, with their labels."""
    chosen = np.sort(stratified_indices(data.test_labels, count, seed))
    labels = data.test_labels[chosen]
    return composite_images(data.test_images[chosen], labels, seed, workers), labels


def calibrate(
    model_path: str | Path,
    data: FashionMNIST,
    count: int = 5000,
    seed: int = 7,
    workers: int = 1,
    averaged_views: bool = True,
) -> dict:
    """Fit the temperature and the familiarity line for a saved model and write them into its record.

    With averaged_views the page answers with the average over test-time views (inference.views), so both are
    fitted on such averaged answers.
    """
    classifier = Classifier.from_file(model_path)
    if not hasattr(classifier.model, "logits"):
        raise ValueError(f"{model_path} has no record (.json) with its config beside it: train it with --save")
    images, labels = held_out_composites(data, count, seed, workers)
    if averaged_views:
        logits = view_logits(classifier.model.logits, images)
    else:
        logits = np.concatenate([classifier.model.logits(images[i : i + 500]) for i in range(0, len(images), 500)])
    temperature = fit_temperature(logits, labels)

    def ece(t: float) -> float:
        probabilities = softmax(logits / t)
        return expected_calibration_error(probabilities.max(axis=1), probabilities.argmax(axis=1) == labels)

    calibration = {
        "temperature": round(temperature, 4),
        "familiar_from": round(float(np.quantile(familiarity(logits), UNFAMILIAR_SHARE)), 4),
        "averaged_views": averaged_views,
        "fitted_on": f"{count} Fashion-MNIST test items as photo composites (seed {seed}), never real photos",
        "composite_accuracy": round(float(np.mean(logits.argmax(axis=1) == labels)), 4),
        "composite_ece_before": round(ece(1.0), 4),
        "composite_ece_after": round(ece(temperature), 4),
    }
    record_path = Path(model_path).with_suffix(".json")
    record = model_record(model_path) | {"calibration": calibration}
    record_path.write_text(json.dumps(record, indent=2) + "\n")
    return calibration
