"""Classify one 28×28 image fast: call the model directly, and put its answer into words."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playground.data.fashion_mnist import CLASS_NAMES
from playground.network.maths import softmax

PRETRAINED_DIR = Path(__file__).parent / "pretrained"
DEFAULT_MODEL_PATH = PRETRAINED_DIR / "fashion_cnn.keras"
UNSURE_BELOW = 0.5  # a top probability under this is shown as "not sure"
# Shown under every unsure answer. Shoes get their own words: the model learnt them only as one shoe seen from the
# side, and pairs seen from above (the commonest shoe photo) were the worst-answered real photos (issue 26).
WHAT_HELPS = (
    "What helps: one garment at a time, on a plain background of a different colour, all of it in view. "
    "For shoes: photograph one shoe from the side; the model learnt shoes only that way, not as a pair or from above."
)
VERY_SURE_FROM = 0.95  # ...and from this on as "very sure"
# Test-time views: the picture and its mirror image. A photographed garment can face either way (every Fashion-MNIST
# shoe points left); the averaged answer does not depend on it. Adding one-pixel shifts (10 views) measured a little
# better on real photos but took the model from ~1 ms to ~50 ms, past Try it's latency budget (pretrained/README.md).
VIEW_SHIFTS = ((0, 0),)


@dataclass(frozen=True)
class Calibration:
    """How far to trust a network's scores, fitted on held-out images (playground.answers.calibration), never on
    photos."""

    temperature: float = 1.0  # logits are divided by this before softmax (Guo et al. 2017): same answer, honest odds
    # Log-sum-exp of the logits below this means the picture is unlike the training images (Liu et al. 2020).
    familiar_from: float | None = None
    # The answer is the average over test-time views (see views()); the other two were fitted on such answers.
    averaged_views: bool = False
    # Networks trained alike from other random starts (files beside this one) whose answers are averaged with its
    # own: an ensemble, surer where they agree and less sure where they don't. Fitted on that averaged answer too.
    averaged_with: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, values: dict | None) -> Calibration:
        values = values or {}
        return cls(
            float(values.get("temperature", 1.0)),
            values.get("familiar_from"),
            bool(values.get("averaged_views", False)),
            tuple(values.get("averaged_with", ())),
        )


class AnswerError(ValueError):
    """The model's answer is not ten probabilities (NaN or infinite numbers came out of it)."""


@dataclass(frozen=True)
class Prediction:
    """Ten softmax probabilities, in class order, and what they say."""

    probabilities: np.ndarray
    unfamiliar: bool = False  # the picture is unlike anything the model was trained on

    @property
    def top_class(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def top_name(self) -> str:
        return CLASS_NAMES[self.top_class]

    @property
    def confidence(self) -> float:
        return float(self.probabilities[self.top_class])

    @property
    def unsure(self) -> bool:
        return self.unfamiliar or self.confidence < UNSURE_BELOW

    @property
    def very_sure(self) -> bool:
        return not self.unsure and self.confidence >= VERY_SURE_FROM

    def in_words(self) -> str:
        """'fairly sure: 87% Sneaker', or, when unsure, the two best guesses."""
        if self.unfamiliar:
            guess = f"best guess {self.top_name}, {self.confidence:.0%}"
            return f"not sure: this looks unlike the pictures it learnt from ({guess})"
        if self.unsure:
            second = int(np.argsort(self.probabilities)[-2])
            return (
                f"not sure: maybe {self.top_name} ({self.confidence:.0%}) "
                f"or {CLASS_NAMES[second]} ({self.probabilities[second]:.0%})"
            )
        if self.very_sure:
            words = "very sure"
        elif self.confidence >= 0.75:
            words = "fairly sure"
        else:
            words = "leaning towards"
        return f"{words}: {self.confidence:.0%} {self.top_name}"

    def advice(self) -> str:
        """What would help, in plain words, when the answer should not be trusted ("" when it can be)."""
        if self.unfamiliar:
            return (
                "This picture looks unlike anything the model learnt from (single garments, flat, on a plain "
                "background), so its answer is a guess. It may not be one of the ten kinds at all."
            )
        if self.unsure:
            # The ready-made model learnt "each kind equally likely" for things that are no garment (outliers.py).
            return (
                "The model cannot decide between kinds, so take its answer as a guess: the garment may be hard to "
                "make out, or not one of the ten kinds at all."
            )
        return ""

    def as_dict(self) -> dict:
        return {
            "top_class": self.top_class,
            "top_name": self.top_name,
            "confidence": round(self.confidence, 4),
            "in_words": self.in_words(),
            "unfamiliar": self.unfamiliar,
            "probabilities": {
                name: round(float(p), 4) for name, p in zip(CLASS_NAMES, self.probabilities, strict=True)
            },
        }


class Classifier:
    """A network wrapped for one-image-at-a-time use, called directly (~1 ms, not Keras predict's ~50 ms).

    The model is a playground.network.numpy_net.NumpyNet in the app (no TensorFlow in the web process) or any Keras
    model (the CLI's --model); both are called as model(batch, training=False).
    """

    def __init__(self, model, description: str = "", calibration: Calibration | None = None, partners=()):
        self.model = model  # the first network: "Why this answer" looks inside it
        self.networks = (model, *partners)  # every network whose answer is averaged (one, or an ensemble)
        self.description = description
        self.calibration = calibration or Calibration()
        self.predict(np.zeros((28, 28), dtype=np.uint8))  # first call builds the graph; do it now

    def __repr__(self) -> str:
        return f"Classifier({self.description or type(self.model).__name__})"

    @classmethod
    def pretrained(cls) -> Classifier:
        """The shipped model, read into NumPy without TensorFlow (its settings are in fashion_cnn.json)."""
        return cls.from_file(DEFAULT_MODEL_PATH)

    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_MODEL_PATH) -> Classifier:
        """A saved model as the page runs it: in NumPy with the calibration from its record (the .json beside it).

        Without a record (a .keras from elsewhere) it is read by Keras and answers uncalibrated.
        """
        record = model_record(path)
        if "config" not in record:
            return cls.loaded_by_keras(path)
        calibration = Calibration.from_dict(record.get("calibration"))
        partners = [network_from_file(Path(path).parent / name) for name in calibration.averaged_with]
        return cls(network_from_file(path), Path(path).name, calibration, partners)

    @classmethod
    def loaded_by_keras(cls, path: str | Path = DEFAULT_MODEL_PATH) -> Classifier:
        """Any saved Keras model, loaded by Keras itself (TensorFlow: for the CLI and tests), answering uncalibrated."""
        import keras

        return cls(keras.models.load_model(path, compile=False), description=Path(path).name)

    @classmethod
    def from_weights(cls, config, weights: list[np.ndarray], description: str = "") -> Classifier:
        """A training run's model from its weights (at one of its epochs), run in NumPy."""
        from playground.network.numpy_net import NumpyNet

        return cls(NumpyNet.from_config(config, weights), description)

    def predict(self, image: np.ndarray) -> Prediction:
        """image: (28, 28) uint8, garment bright on black, as preprocessing makes it."""
        if image.shape != (28, 28):
            raise ValueError(f"expected a 28×28 image, got {image.shape}")
        image = np.asarray(image, dtype=np.uint8)
        batch = views(image) if self.calibration.averaged_views else image[None]
        # A Keras model ends in softmax: its log-probabilities are the logits up to a shift.
        if getattr(self.model, "logits", None) is None:
            probabilities = np.asarray(self.model(batch, training=False)).astype(np.float64)
            scores = np.log(np.maximum(probabilities, 1e-30)).mean(axis=0)
            return _checked(Prediction(softmax(scores / self.calibration.temperature)))
        with np.errstate(all="ignore"):  # an uploaded model may overflow: the check below says so in words
            scores = np.stack([np.asarray(net.logits(batch)).astype(np.float64).mean(axis=0) for net in self.networks])
            familiar_from = self.calibration.familiar_from
            unfamiliar = familiar_from is not None and bool(familiarity(scores).mean() < familiar_from)
            return _checked(Prediction(averaged_answer(scores, self.calibration.temperature), unfamiliar))


def _checked(prediction: Prediction) -> Prediction:
    """The prediction, if its probabilities are finite numbers; AnswerError in words if not."""
    if not np.isfinite(prediction.probabilities).all():
        raise AnswerError("The model's answer for this picture is not a number (NaN or infinite), so it has none.")
    return prediction


def averaged_answer(scores: np.ndarray, temperature: float) -> np.ndarray:
    """The answer of one network or of several: scores are logits stacked per network, (networks, ..., 10); each
    network's softmax at the temperature, then their mean (a deep ensemble, Lakshminarayanan et al. 2017)."""
    return softmax(np.asarray(scores, np.float64), temperature).mean(axis=0)


def network_from_file(path: str | Path):
    """A network saved by `train --save`, read into NumPy with the config from its record (the .json beside it)."""
    from playground.network.numpy_net import NumpyNet
    from playground.settings.config import ExperimentConfig

    record = model_record(path)
    if "config" not in record:
        raise ValueError(f"{path} has no record (.json) with its config beside it: train it with --save")
    return NumpyNet.from_keras_file(path, ExperimentConfig.from_flat_dict(record["config"]))


def views(images: np.ndarray) -> np.ndarray:
    """Each 28x28 image as its test-time views (VIEW_SHIFTS, then the same mirrored), each image's views together:
    (n * views, 28, 28), or (views, 28, 28) for one image. A shift rolls the black margin round to the other side."""
    images = np.asarray(images)
    single = images.ndim == 2
    images = images[None] if single else images
    moved = [np.roll(images, shift, axis=(1, 2)) for shift in VIEW_SHIFTS]
    stacked = np.stack(moved + [m[:, :, ::-1] for m in moved], axis=1)  # (n, views, 28, 28)
    return stacked.reshape(-1, *images.shape[1:])


def view_logits(logits_of, images: np.ndarray, batch: int = 500) -> np.ndarray:
    """A network's logits for many images, each averaged over its test-time views, as predict() answers."""
    count = len(VIEW_SHIFTS) * 2
    parts = []
    for start in range(0, len(images), batch):
        chunk = images[start : start + batch]
        scores = np.asarray(logits_of(views(chunk)), np.float64)
        parts.append(scores.reshape(len(chunk), count, -1).mean(axis=1))
    return np.concatenate(parts) if parts else np.zeros((0, 10))


def familiarity(logits: np.ndarray) -> np.ndarray:
    """The negative energy, log-sum-exp of the logits: high for pictures like the training images."""
    top = logits.max(axis=-1, keepdims=True)
    return (top + np.log(np.exp(logits - top).sum(axis=-1, keepdims=True)))[..., 0]


def model_record(path: str | Path) -> dict:
    """The JSON written beside a saved model: its command, figures, config and calibration ({} if none)."""
    record = Path(path).with_suffix(".json")
    return json.loads(record.read_text()) if record.is_file() else {}


def answer_test_accuracy(record: dict) -> float:
    """What a saved model's answer, as the page gives it (all its networks and views), gets right on the clean
    test images: measured by `calibrate`, else the single network's figure from training."""
    return record.get("calibration", {}).get("test_accuracy", record["test_accuracy"])


def answer_networks(record: dict) -> int:
    """How many networks' answers a saved model's answer averages (itself and those its record names)."""
    return 1 + len(Calibration.from_dict(record.get("calibration")).averaged_with)


@functools.cache
def pretrained_info() -> dict:
    """How the shipped model was made: its command and test accuracy (written beside it)."""
    return model_record(DEFAULT_MODEL_PATH)


def classify_files(classifier: Classifier, paths: list[str]) -> dict[str, dict]:
    """Each file's prediction as a dict, or {"error": why} for a file that can't be read or decoded."""
    from playground.photos.images import ImageError, preprocess_upload

    results = {}
    for path in paths:
        try:
            _, image = preprocess_upload(Path(path).read_bytes())
            results[path] = classifier.predict(image).as_dict()
        except (OSError, ImageError) as error:
            message = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            results[path] = {"error": message}
    return results
