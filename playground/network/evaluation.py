"""How a trained model does on the test set: accuracy, confusion matrix, and which images it gets wrong."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Evaluation:
    """Test results. confusion[true, predicted] counts images; cells[(t, p)] lists their test indices."""

    loss: float
    accuracy: float
    confusion: np.ndarray  # (10, 10) int
    predictions: np.ndarray  # predicted class per test image
    probabilities: np.ndarray  # (n, 10) float32 softmax outputs

    @property
    def per_class_accuracy(self) -> np.ndarray:
        totals = self.confusion.sum(axis=1)
        return np.divide(np.diag(self.confusion), totals, out=np.zeros(len(totals)), where=totals > 0)

    def cell_indices(self, labels: np.ndarray, true_class: int, predicted_class: int) -> np.ndarray:
        """Indices of the test images with this true label that the model called predicted_class."""
        return np.flatnonzero((labels == true_class) & (self.predictions == predicted_class))

    def most_confused(self, top: int = 5) -> list[tuple[int, int, int]]:
        """The largest off-diagonal cells as (true class, predicted class, count), biggest first."""
        off = self.confusion.copy()
        np.fill_diagonal(off, 0)
        order = np.argsort(-off, axis=None, kind="stable")[:top]  # ties: table order
        pairs = [np.unravel_index(i, off.shape) for i in order]
        return [(int(t), int(p), int(off[t, p])) for t, p in pairs if off[t, p] > 0]

    def __repr__(self) -> str:
        return f"Evaluation(accuracy={self.accuracy:.4f}, loss={self.loss:.4f}, n={len(self.predictions)})"


def predict_probabilities(model, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Softmax outputs for many images, calling the model directly in batches."""
    outputs = [np.asarray(model(images[i : i + batch_size], training=False)) for i in range(0, len(images), batch_size)]
    return np.concatenate(outputs).astype(np.float32)


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, classes: int = 10) -> np.ndarray:
    """counts[true, predicted]."""
    return np.bincount(labels.astype(np.int64) * classes + predictions, minlength=classes * classes).reshape(
        classes, classes
    )


def evaluate(model, images: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Run the model over the test set once and derive every test statistic from that pass."""
    probabilities = predict_probabilities(model, images)
    predictions = probabilities.argmax(axis=1)
    picked = probabilities[np.arange(len(labels)), labels]
    loss = float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0))))  # Keras clips at epsilon the same way
    accuracy = float(np.mean(predictions == labels))
    return Evaluation(loss, accuracy, confusion_matrix(labels, predictions), predictions, probabilities)


def verdict(train_accuracy: float, test_accuracy: float) -> tuple[str, str]:
    """A plain-language verdict: (kind, sentence), kind one of 'learning well', 'overfitting', 'underfitting'.

    Overfitting when training accuracy beats test accuracy by more than 5 points; otherwise
    underfitting when either is below 80%; otherwise learning well. Accuracies are fractions (0..1).
    """
    train, test = float(train_accuracy), float(test_accuracy)
    for name, value in (("train_accuracy", train), ("test_accuracy", test)):
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise ValueError(f"{name} must be a fraction between 0 and 1, got {value}")
    gap = train - test
    if gap > 0.05 + 1e-9:  # 0.90 - 0.85 is 0.05000000000000004 in floating point: exactly 5 points is not overfitting
        return (
            "overfitting",
            f"It does {_points(gap)} points better on the images it trained on ({train:.0%}) than on new ones "
            f"({test:.0%}). That gap means it has started memorising the training images instead of learning "
            "what the garments look like.",
        )
    if train < 0.80 or test < 0.80:
        which, value = ("training images", train) if train <= test else ("new images", test)
        return (
            "underfitting",
            f"It gets only {value:.0%} of the {which} right: it has not learned enough yet. "
            "More epochs, a bigger model or a different learning rate may help.",
        )
    closeness = "as well as" if gap <= 0 else "almost as well as"
    return (
        "learning well",
        f"It recognises {test:.0%} of new images, {closeness} the images it trained on ({train:.0%}): "
        "what it learned carries over to garments it has never seen.",
    )


def _points(fraction: float) -> str:
    """A difference of two fractions in percentage points, without a needless '.0'."""
    text = f"{fraction * 100:.1f}"
    return text[:-2] if text.endswith(".0") else text
