"""Test-set statistics, checked on arrays small enough to count by hand."""

from __future__ import annotations

import numpy as np

from playground.network.evaluation import Evaluation, confusion_matrix, evaluate


class FixedModel:
    """A stand-in 'model' that returns the probabilities it was given, for exact expectations."""

    def __init__(self, probabilities):
        self.probabilities = probabilities

    def __call__(self, images, training=False):
        return self.probabilities[images[:, 0, 0]]


def test_confusion_per_class_and_cells():
    labels = np.array([0, 0, 0, 1, 1, 6, 6, 6, 6, 2])
    predictions = np.array([0, 0, 6, 1, 1, 0, 0, 6, 2, 2])
    confusion = confusion_matrix(labels, predictions)
    assert confusion[0, 0] == 2 and confusion[0, 6] == 1 and confusion[6, 0] == 2
    assert confusion.sum() == 10
    probabilities = np.eye(10, dtype=np.float32)[predictions]
    evaluation = Evaluation(0.0, 0.6, confusion, predictions, probabilities)
    np.testing.assert_allclose(evaluation.per_class_accuracy[[0, 1, 2, 6]], [2 / 3, 1.0, 1.0, 0.25])
    assert evaluation.cell_indices(labels, 6, 0).tolist() == [5, 6]
    assert evaluation.most_confused(1) == [(6, 0, 2)]  # a Shirt taken for a T-shirt/top, twice
    assert sorted(evaluation.most_confused(10)) == [(0, 6, 1), (6, 0, 2), (6, 2, 1)]


def test_evaluate_loss_and_accuracy_by_hand():
    table = np.full((3, 10), 0.05, dtype=np.float32)
    table[0, 0], table[1, 3], table[2, 3] = 0.55, 0.55, 0.55  # image k says class 0, 3, 3
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    images[:, 0, 0] = [0, 1, 2]
    labels = np.array([0, 3, 5])
    result = evaluate(FixedModel(table), images, labels)
    assert result.accuracy == 2 / 3
    expected_loss = -(np.log(0.55) * 2 + np.log(0.05)) / 3
    assert abs(result.loss - expected_loss) < 1e-6
    assert result.confusion[5, 3] == 1
