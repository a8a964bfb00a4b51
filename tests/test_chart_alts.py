"""The charts' text alternatives say what the charts show: the numbers come from the same data."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from playground.charts.confusion import confusion_alt
from playground.charts.images import image_grid_alt
from playground.charts.lesson import softmax_alt
from playground.charts.results import accuracy_alt, comparison_alt, per_class_alt, probability_alt
from playground.data.fashion_mnist import CLASS_NAMES
from playground.network.maths import softmax


def test_probability_alt_names_the_guess_first_and_the_next_two():
    chances = np.full(10, 0.01)
    chances[7], chances[5], chances[9] = 0.80, 0.08, 0.04
    said = probability_alt(chances / chances.sum())
    assert said.startswith("Bar chart of the 10 chances: Sneaker ")
    assert "(the guess)" in said and said.index("Sneaker") < said.index("Sandal") < said.index("Ankle boot")
    assert "the other 7" in said


def test_per_class_alt_lists_every_garment_best_first():
    accuracy = np.linspace(0.5, 0.95, 10)
    said = per_class_alt(accuracy)
    assert all(name in said for name in CLASS_NAMES)
    assert said.index("Ankle boot 95.0%") < said.index("T-shirt/top 50.0%")


def test_confusion_alt_counts_the_diagonal_and_the_biggest_mix_up():
    confusion = np.diag(np.full(10, 90))
    confusion[6, 0] = 25  # shirts taken for T-shirts
    said = confusion_alt(confusion)
    assert "900 of 925" in said
    assert "25 shirts taken for T-shirt/top" in said


def test_accuracy_and_comparison_alts_say_the_numbers():
    assert accuracy_alt(0.95, 0.88, 0.9) == "Bar chart of accuracy: training 95.0%, validation 90.0%, test 88.0%."
    history = [SimpleNamespace(epoch=e, accuracy=0.8 + e / 100, val_accuracy=0.78) for e in (1, 2)]
    said = comparison_alt([("run 1", history), ("run 2", [])])
    assert "run 1 after 2 epochs: training 82.0%, validation 78.0%" in said and "run 2" not in said
    assert "no finished epochs" in comparison_alt([])


def test_softmax_alt_matches_the_lessons_numbers_and_grids_count_their_pictures():
    said = softmax_alt([1, 3, 4, 2])
    expected = softmax([1.0, 3.0, 4.0, 2.0])
    assert all(f"{p:.3f}" in said for p in expected) and "class 2: 4 → 0.644" in said
    assert image_grid_alt("test images", [f"{n}% sure" for n in range(20)]).startswith("20 test images, titled: 0%")
