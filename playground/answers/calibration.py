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

from playground.answers.inference import averaged_answer, familiarity, model_record, network_from_file, view_logits
from playground.data.composites import composite_images
from playground.data.fashion_mnist import FashionMNIST, stratified_indices

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
    """The temperature with the smallest negative log-likelihood of the true labels. logits: (n, 10) for one
    network, or (networks, n, 10) for an ensemble answering with the mean of their softmaxes."""
    scores = logits if logits.ndim == 3 else logits[None]
    best, best_loss = 1.0, np.inf
    for temperature in TEMPERATURES:
        right = averaged_answer(scores, temperature)[np.arange(len(labels)), labels]
        loss = float(-np.mean(np.log(np.maximum(right, 1e-300))))
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def held_out_composites(data: FashionMNIST, count: int, seed: int, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """`count` test items (balanced over the classes) as preprocessed photo composites, with their labels."""
    chosen = np.sort(stratified_indices(data.test_labels, count, seed))
    labels = data.test_labels[chosen]
    return composite_images(data.test_images[chosen], labels, seed, workers), labels


def calibrate(
    model_paths: str | Path | list,
    data: FashionMNIST,
    count: int = 5000,
    seed: int = 7,
    workers: int = 1,
    averaged_views: bool = True,
) -> dict:
    """Fit the temperature and the familiarity line for a saved model and write them into its record.

    With averaged_views the page answers with the average over test-time views (inference.views), so both are
    fitted on such averaged answers. Several paths make an ensemble: the page averages their answers, and the
    first one's record names the others (which must sit in the same folder).
    """
    paths = [Path(p) for p in ([model_paths] if isinstance(model_paths, (str, Path)) else model_paths)]
    if any(p.parent.resolve() != paths[0].parent.resolve() for p in paths):
        raise ValueError("the networks of an ensemble must sit in one folder: the record names them by file name")
    nets = [network_from_file(path) for path in paths]
    images, labels = held_out_composites(data, count, seed, workers)
    scores = np.stack([network_scores(net, images, averaged_views) for net in nets])
    temperature = fit_temperature(scores, labels)

    def ece(t: float) -> float:
        probabilities = averaged_answer(scores, t)
        return expected_calibration_error(probabilities.max(axis=1), probabilities.argmax(axis=1) == labels)

    test = np.stack([network_scores(net, data.test_images, averaged_views) for net in nets])
    calibration = {
        "temperature": round(temperature, 4),
        "familiar_from": round(float(np.quantile(familiarity(scores).mean(axis=0), UNFAMILIAR_SHARE)), 4),
        "averaged_views": averaged_views,
        "averaged_with": [path.name for path in paths[1:]],
        "fitted_on": f"{count} Fashion-MNIST test items as photo composites (seed {seed}), never real photos",
        "composite_accuracy": round(float(np.mean(averaged_answer(scores, temperature).argmax(axis=1) == labels)), 4),
        "composite_ece_before": round(ece(1.0), 4),
        "composite_ece_after": round(ece(temperature), 4),
        # What the page's answer (all networks, all views) gets right on the 10,000 clean test images.
        "test_accuracy": round(
            float(np.mean(averaged_answer(test, temperature).argmax(axis=1) == data.test_labels)), 4
        ),
    }
    record_path = paths[0].with_suffix(".json")
    record = model_record(paths[0]) | {"calibration": calibration}
    record_path.write_text(json.dumps(record, indent=2) + "\n")
    return calibration


def network_scores(net, images: np.ndarray, averaged_views: bool) -> np.ndarray:
    """One network's logits for many images, as the page computes them (averaged over views or from one)."""
    if averaged_views:
        return view_logits(net.logits, images)
    return np.concatenate([net.logits(images[i : i + 500]) for i in range(0, len(images), 500)])
