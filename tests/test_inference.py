"""The shipped model, one-image inference, its words, and `python -m playground predict`."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from playground.answers.inference import (
    DEFAULT_MODEL_PATH,
    VIEW_SHIFTS,
    Calibration,
    Classifier,
    Prediction,
    answer_test_accuracy,
    averaged_answer,
    pretrained_info,
    view_logits,
    views,
)
from playground.data.fashion_mnist import CLASS_NAMES
from playground.network.evaluation import evaluate
from playground.network.maths import softmax
from playground.photos.images import preprocess_photo
from playground.settings.config import LECTURE
from playground.training.engine import train
from tests.synthetic import make_synthetic_photo


@pytest.fixture(scope="module")
def pretrained():
    return Classifier.loaded_by_keras()


def test_shipped_model_matches_its_record(pretrained, fashion):
    info = pretrained_info()
    files = [DEFAULT_MODEL_PATH] + [
        DEFAULT_MODEL_PATH.parent / name for name in Classifier.pretrained().calibration.averaged_with
    ]
    assert sum(path.stat().st_size for path in files) <= 5 * 1024 * 1024
    assert answer_test_accuracy(info) >= 0.90
    assert "python -m playground train" in info["command"] and "--save" in info["command"]
    result = evaluate(pretrained.model, fashion.test_images, fashion.test_labels)
    assert result.accuracy == pytest.approx(info["test_accuracy"], abs=1e-4)


def test_direct_call_agrees_with_model_predict(pretrained, fashion):
    image = fashion.test_images[0]
    direct = pretrained.predict(image).probabilities
    batch = pretrained.model.predict(image[None], verbose=0)[0]
    np.testing.assert_allclose(direct, batch, atol=1e-5)
    assert direct.sum() == pytest.approx(1.0, abs=1e-5)


def test_prediction_words():
    sure = np.full(10, 0.01)
    sure[7] = 0.91
    assert Prediction(sure).in_words() == "fairly sure: 91% Sneaker"
    assert not Prediction(sure).unsure
    very = np.full(10, 0.002)
    very[1] = 0.982
    assert Prediction(very).in_words().startswith("very sure: 98% Trouser")
    unsure = np.array([0.3, 0.05, 0.05, 0.05, 0.05, 0.05, 0.35, 0.05, 0.03, 0.02])
    assert Prediction(unsure).unsure
    assert Prediction(unsure).in_words() == "not sure: maybe Shirt (35%) or T-shirt/top (30%)"
    assert "not one of the ten kinds at all" in Prediction(unsure).advice() and Prediction(sure).advice() == ""


def test_a_models_epoch_weights_make_an_independent_classifier(fashion):
    run = train(LECTURE.replace(epochs=1, train_limit=2000), fashion)
    copy = Classifier.from_weights(run.config, run.checkpoint[1])
    image = fashion.test_images[5]
    np.testing.assert_allclose(
        copy.predict(image).probabilities, np.asarray(run.model(image[None], training=False))[0], atol=1e-5
    )
    assert copy.model is not run.model


def test_synthetic_photos_get_the_same_answer_as_the_original_item(pretrained, fashion):
    """Fashion-MNIST items pasted onto big textured, coloured, noisy, tilted 'photos': the preprocessed photo
    should be classified like the original 28x28 item for most of them."""
    rng = np.random.default_rng(2026)
    picks = np.concatenate([np.flatnonzero(fashion.test_labels == c)[:10] for c in range(10)])
    agree = 0
    for index in picks:
        item = fashion.test_images[index]
        photo = make_synthetic_photo(item, rng)
        agree += pretrained.predict(preprocess_photo(photo)).top_class == pretrained.predict(item).top_class
    rate = agree / len(picks)
    print(f"synthetic photos agreeing with the original item: {rate:.0%}")
    assert rate >= AGREEMENT_FLOOR


AGREEMENT_FLOOR = 0.70  # measured 0.80 with this seed; 0.80-0.88 across seeds (the perfect tilted item: 0.87)


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_predict_command_reports_each_file_and_fails_if_any_failed(fashion, tmp_path):
    bag = fashion.test_images[np.flatnonzero(fashion.test_labels == 8)[0]]
    good = tmp_path / "bag.png"
    good.write_bytes(png(np.kron(255 - bag, np.ones((8, 8), dtype=np.uint8))))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    missing = tmp_path / "missing.png"

    result = subprocess.run(
        [sys.executable, "-m", "playground", "predict", str(good), "--json"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)["results"][str(good)]
    assert answer["top_name"] == "Bag" and set(answer["probabilities"]) == set(CLASS_NAMES)
    assert sum(answer["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)

    result = subprocess.run(
        [sys.executable, "-m", "playground", "predict", str(good), str(broken), str(missing)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert f"{good}: Bag" in result.stdout
    assert f"{broken}: error:" in result.stdout and f"{missing}: error:" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_the_page_answers_with_the_calibration_in_the_record(fashion):
    """Try it's classifier divides by the fitted temperature and knows where unfamiliar pictures begin."""
    from playground.answers.inference import familiarity

    calibration = pretrained_info()["calibration"]
    assert "never real photos" in calibration["fitted_on"]
    page = Classifier.pretrained()
    assert page.calibration.temperature == calibration["temperature"] > 0
    assert page.calibration.familiar_from == calibration["familiar_from"]
    assert page.calibration.averaged_views == calibration["averaged_views"] is True
    # As the page answers: every network, averaged views.
    scores = np.stack([view_logits(net.logits, fashion.test_images) for net in page.networks])
    unfamiliar = float(np.mean(familiarity(scores).mean(axis=0) < calibration["familiar_from"]))
    assert unfamiliar < 0.05  # clean Fashion-MNIST items are the most familiar pictures there are
    answers = averaged_answer(scores, page.calibration.temperature).argmax(axis=1)
    assert np.mean(answers == fashion.test_labels) == pytest.approx(calibration["test_accuracy"], abs=1e-4)
    assert page.predict(fashion.test_images[0]).top_class == answers[0]


def test_views_are_the_picture_and_its_mirror_image():
    rng = np.random.default_rng(3)
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 6:20] = rng.integers(1, 256, (20, 14))  # lopsided: no two views alike
    seen = views(image)
    count = 2 * len(VIEW_SHIFTS)
    assert seen.shape == (count, 28, 28) and seen.dtype == np.uint8
    np.testing.assert_array_equal(seen[0], image)
    np.testing.assert_array_equal(seen[len(VIEW_SHIFTS)], image[:, ::-1])
    assert len({view.tobytes() for view in seen}) == count
    three = views(np.stack([image, image.T, image[::-1]]))
    assert three.shape == (3 * count, 28, 28)
    np.testing.assert_array_equal(three[count : 2 * count], views(image.T))  # each image's views stay together


class Linear:
    """A stand-in network whose logits are a fixed linear map of the pixels, with NumpyNet's calling convention."""

    def __init__(self, seed: int = 0):
        self.weights = np.random.default_rng(seed).normal(0, 0.01, (28 * 28, 10))

    def logits(self, images):
        return np.asarray(images, np.float64).reshape(len(images), -1) @ self.weights

    def __call__(self, images, training=False):
        return softmax(self.logits(images))


def test_an_averaged_answer_is_the_softmax_of_the_views_mean_logits(fashion):
    image = fashion.test_images[1]
    net = Linear()
    calibration = Calibration(temperature=2.0, averaged_views=True)
    answer = Classifier(net, calibration=calibration).predict(image).probabilities
    mean = net.logits(views(image)).mean(axis=0)
    np.testing.assert_allclose(answer, softmax(mean / 2.0), atol=1e-9)
    np.testing.assert_allclose(view_logits(net.logits, image[None])[0], mean, atol=1e-9)
    plain = Classifier(net, calibration=Calibration(temperature=2.0)).predict(image).probabilities
    np.testing.assert_allclose(plain, softmax(net.logits(image[None])[0] / 2.0), atol=1e-9)
    assert not np.allclose(answer, plain)


def test_the_shipped_model_answers_a_garment_and_its_mirror_image_alike(fashion):
    """Fashion-MNIST's shoes all point left; a photographed shoe may point right, and should get the same answer."""
    page = Classifier.pretrained()
    plain = Classifier(page.model, calibration=Calibration(page.calibration.temperature))
    differs = 0
    for index in np.flatnonzero(np.isin(fashion.test_labels, (5, 7, 9)))[:20]:
        shoe = fashion.test_images[index]
        np.testing.assert_allclose(
            page.predict(shoe).probabilities, page.predict(shoe[:, ::-1]).probabilities, atol=1e-6
        )
        differs += not np.allclose(
            plain.predict(shoe).probabilities, plain.predict(shoe[:, ::-1]).probabilities, atol=1e-3
        )
    assert differs >= 10  # one view alone does not answer a mirrored shoe the same


def test_the_shipped_model_is_unsure_of_shapes_that_are_no_garment():
    """Its networks were shown shapes taught as "each kind equally likely" (train --outliers). Shapes drawn from
    another seed, never trained on, get an unsure answer; the two networks shipped before were very sure of
    12.5% of these and unsure of 47.5%."""
    from playground.data.outliers import outlier_images

    page = Classifier.pretrained()
    answers = [page.predict(image) for image in outlier_images(200, seed=2026)]
    assert np.mean([answer.very_sure for answer in answers]) <= 0.05
    assert np.mean([answer.unsure for answer in answers]) >= 0.75
