"""Honest confidence: the temperature fit, the calibration error, and photo composites that feed both."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from playground.answers.calibration import expected_calibration_error, fit_temperature
from playground.answers.inference import Calibration, Classifier, Prediction, familiarity, softmax
from playground.data.composites import composite_images, photo_composite, with_photo_composites


def test_ece_of_a_perfectly_calibrated_and_an_overconfident_model():
    confidence = np.array([0.75] * 4 + [0.95] * 20)
    right = np.array([1, 1, 1, 0] + [1] * 19 + [0])
    assert expected_calibration_error(confidence, right) == pytest.approx(0.0)
    always_sure = np.ones(10)
    half_right = np.array([1, 0] * 5)
    assert expected_calibration_error(always_sure, half_right) == pytest.approx(0.5)


def test_the_fitted_temperature_recovers_the_one_the_labels_were_drawn_with():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 4, (20000, 10))
    true_temperature = 2.5  # the labels follow softmax(logits / 2.5): the raw logits are over-confident
    probabilities = softmax(logits / true_temperature)
    labels = np.array([rng.choice(10, p=p) for p in probabilities])
    assert fit_temperature(logits, labels) == pytest.approx(true_temperature, rel=0.05)


class Scores:
    """A stand-in network whose logits are fixed, with NumpyNet's calling convention."""

    def __init__(self, logits):
        self.scores = np.asarray(logits, np.float32)

    def logits(self, images):
        return self.scores[None]

    def __call__(self, images, training=False):
        return softmax(self.logits(images))


def test_temperature_softens_the_odds_but_never_changes_the_answer():
    logits = [0.0, 9.0, 0.0, 0.0, 0.0, 0.0, 6.0, 0.0, 0.0, 0.0]
    image = np.zeros((28, 28), np.uint8)
    sharp = Classifier(Scores(logits)).predict(image)
    soft = Classifier(Scores(logits), calibration=Calibration(temperature=3.0)).predict(image)
    assert sharp.top_name == soft.top_name == "Trouser"
    assert sharp.very_sure and not soft.very_sure and soft.confidence < sharp.confidence


def test_an_unfamiliar_picture_is_never_very_sure_and_says_so():
    logits = [0.0, 9.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    image = np.zeros((28, 28), np.uint8)
    line = float(familiarity(np.array(logits))) + 1.0
    prediction = Classifier(Scores(logits), calibration=Calibration(familiar_from=line)).predict(image)
    assert prediction.unfamiliar and prediction.unsure and not prediction.very_sure
    assert prediction.in_words().startswith("not sure: this looks unlike the pictures it learnt from")
    assert "not be one of the ten kinds" in prediction.advice()
    assert Prediction(softmax(np.array(logits))).advice() == ""


def test_composites_are_28x28_garments_and_the_same_for_any_number_of_workers(fashion):
    images, labels = fashion.train_images[:12], fashion.train_labels[:12]
    one = composite_images(images, labels, seed=3)
    assert one.shape == (12, 28, 28) and one.dtype == np.uint8
    assert not np.array_equal(one, images)  # they went through the photo preprocessing
    assert (one.reshape(12, -1).max(axis=1) == 255).all()  # each stretched to full brightness, like Fashion-MNIST
    from playground.data import composites

    small_chunks = composites.CHUNK
    try:
        composites.CHUNK = 5
        assert np.array_equal(composite_images(images, labels, seed=3), composite_images(images, labels, 3, 2))
    finally:
        composites.CHUNK = small_chunks


def test_a_photo_composite_is_a_photo_sized_rgb_picture(fashion):
    photo = photo_composite(fashion.train_images[0], int(fashion.train_labels[0]), np.random.default_rng(1))
    assert photo.mode == "RGB" and 128 <= max(photo.size) < 200


def test_composites_spread_clothes_wider_and_shoes_taller_than_the_product_shots(fashion):
    """Laid flat, clothes are wider than Fashion-MNIST's items; shoes from above are taller than from the side."""
    from playground.data.composites import _spread

    rng = np.random.default_rng(0)
    item = Image.fromarray(fashion.train_images[0]).convert("RGBA").resize((112, 112))  # as _garment draws it
    for label, stretched in ((0, 0), (7, 1)):  # a T-shirt stretches in width, a sneaker in height
        sizes = [_spread(item, label, rng).size for _ in range(200)]
        factors = np.array([size[stretched] / 112 for size in sizes])
        kept = np.array([size[1 - stretched] for size in sizes])
        assert (kept == 112).all() and factors.min() >= 0.9 and factors.max() <= 1.5 and factors.mean() > 1.1


def test_with_photo_composites_swaps_a_share_of_what_will_be_trained_on(fashion):
    from playground.settings.config import LECTURE

    config = LECTURE.replace(train_limit=400, validation_split=0.0)
    mixed = with_photo_composites(fashion, 0.1, config)
    changed = np.flatnonzero((mixed.train_images != fashion.train_images).any(axis=(1, 2)))
    assert 36 <= len(changed) <= 40  # 40 swapped; one refused by the preprocessing would stay as it was
    assert mixed.test_images is fashion.test_images and "photo composites" in mixed.source
    with pytest.raises(ValueError, match="share"):
        with_photo_composites(fashion, 1.5, config)


def test_the_cli_saves_a_record_and_calibrates_it(tmp_path):
    """One command makes a model and its record; a second fits its calibration; the page reads both."""
    import subprocess
    import sys

    model = tmp_path / "m.keras"
    train = "train --preset cnn --limit 500 --epochs 1 --photo-composites 0.1 --outliers 0.1".split()
    done = subprocess.run(
        [sys.executable, "-m", "playground", *train, "--save", str(model)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    record = json.loads(model.with_suffix(".json").read_text())
    assert record["command"] == "python -m playground " + " ".join(train) + f" --save {model}"
    assert record["config"]["train_limit"] == "500" and "photo composites" in record["trained_on"]
    assert "4 shapes in 40 slots, one of each kind" in record["trained_on"]  # 10% of the 450 trained on
    done = subprocess.run(
        [sys.executable, "-m", "playground", "calibrate", str(model), "--images", "100"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    calibration = json.loads(model.with_suffix(".json").read_text())["calibration"]
    assert calibration["temperature"] > 0 and "never real photos" in calibration["fitted_on"]
    classifier = Classifier.from_file(model)
    assert classifier.calibration.temperature == calibration["temperature"]
    assert classifier.calibration.familiar_from == calibration["familiar_from"]
    assert calibration["averaged_views"] is True and classifier.calibration.averaged_views  # as it was fitted
    assert calibration["averaged_with"] == [] and len(classifier.networks) == 1


def test_two_saved_networks_calibrated_together_answer_as_an_ensemble(tmp_path, fashion):
    """calibrate A B: A's record names B, the page loads both, and its answer is the mean of their answers."""
    import subprocess
    import sys

    from playground.answers.inference import averaged_answer, network_from_file, views
    from playground.cli import save_for_use
    from playground.settings.config import LECTURE
    from playground.training.engine import train

    paths = []
    for seed in (1, 2):  # two small dense networks from different random starts, saved as `train --save` saves
        config = LECTURE.replace(epochs=1, train_limit=600, validation_split=0.0, seed=seed)
        run = train(config, fashion)
        paths.append(tmp_path / f"net{seed}.keras")
        save_for_use(run.model, config, str(paths[-1]))
        paths[-1].with_suffix(".json").write_text(json.dumps({"config": config.to_flat_dict()}))
    done = subprocess.run(
        [sys.executable, "-m", "playground", "calibrate", *map(str, paths), "--images", "100"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    calibration = json.loads(paths[0].with_suffix(".json").read_text())["calibration"]
    assert calibration["averaged_with"] == ["net2.keras"] and 0.1 < calibration["test_accuracy"] <= 1
    page = Classifier.from_file(paths[0])
    assert len(page.networks) == 2
    image = fashion.test_images[3]
    nets = [network_from_file(path) for path in paths]
    scores = np.stack([net.logits(views(image)).mean(axis=0) for net in nets])
    expected = np.mean([softmax(s / calibration["temperature"]) for s in scores], axis=0)
    np.testing.assert_allclose(page.predict(image).probabilities, expected, atol=1e-9)
    np.testing.assert_allclose(averaged_answer(scores, calibration["temperature"]), expected, atol=1e-12)
    assert not np.allclose(scores[0], scores[1])  # two different networks, so the mean is not either one

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    moved = elsewhere / "net2.keras"
    moved.write_bytes(paths[1].read_bytes())
    moved.with_suffix(".json").write_text(paths[1].with_suffix(".json").read_text())
    done = subprocess.run(
        [sys.executable, "-m", "playground", "calibrate", str(paths[0]), str(moved), "--images", "100"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "one folder" in done.stderr and "Traceback" not in done.stderr


def test_an_ensembles_temperature_is_fitted_on_its_averaged_answer():
    rng = np.random.default_rng(5)
    logits = rng.normal(0, 4, (4000, 10))
    labels = np.array([rng.choice(10, p=p) for p in softmax(logits / 2.5)])
    single = fit_temperature(logits, labels)
    assert fit_temperature(np.stack([logits, logits]), labels) == pytest.approx(single)  # twins: the same answer
    assert single == pytest.approx(2.5, rel=0.1)
