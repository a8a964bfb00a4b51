"""Classify one 28×28 image fast: call the model directly, and put its answer into words."""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playground.data import CLASS_NAMES

PRETRAINED_DIR = Path(__file__).parent / "pretrained"
DEFAULT_MODEL_PATH = PRETRAINED_DIR / "fashion_cnn.keras"
UNSURE_BELOW = 0.5  # a top probability under this is shown as "not sure"


@dataclass(frozen=True)
class Prediction:
    """Ten softmax probabilities, in class order, and what they say."""

    probabilities: np.ndarray

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
        return self.confidence < UNSURE_BELOW

    def in_words(self) -> str:
        """'fairly sure: 87% Sneaker', or, when unsure, the two best guesses."""
        if self.unsure:
            second = int(np.argsort(self.probabilities)[-2])
            return (
                f"not sure: maybe {self.top_name} ({self.confidence:.0%}) "
                f"or {CLASS_NAMES[second]} ({self.probabilities[second]:.0%})"
            )
        if self.confidence >= 0.95:
            words = "very sure"
        elif self.confidence >= 0.75:
            words = "fairly sure"
        else:
            words = "leaning towards"
        return f"{words}: {self.confidence:.0%} {self.top_name}"

    def as_dict(self) -> dict:
        return {
            "top_class": self.top_class,
            "top_name": self.top_name,
            "confidence": round(self.confidence, 4),
            "in_words": self.in_words(),
            "probabilities": {
                name: round(float(p), 4) for name, p in zip(CLASS_NAMES, self.probabilities, strict=True)
            },
        }


class Classifier:
    """A network wrapped for one-image-at-a-time use, called directly (~1 ms, not Keras predict's ~50 ms).

    The model is a playground.numpy_net.NumpyNet in the app (no TensorFlow in the web process) or any Keras
    model (the CLI's --model); both are called as model(batch, training=False).
    """

    def __init__(self, model, description: str = ""):
        self.model = model
        self.description = description
        self.predict(np.zeros((28, 28), dtype=np.uint8))  # first call builds the graph; do it now

    def __repr__(self) -> str:
        return f"Classifier({self.description or type(self.model).__name__})"

    @classmethod
    def pretrained(cls) -> Classifier:
        """The shipped model, read into NumPy without TensorFlow (its settings are in fashion_cnn.json)."""
        from playground.config import ExperimentConfig
        from playground.numpy_net import NumpyNet

        config = ExperimentConfig.from_flat_dict(pretrained_info()["config"])
        return cls(NumpyNet.from_keras_file(DEFAULT_MODEL_PATH, config), description=DEFAULT_MODEL_PATH.name)

    @classmethod
    def from_path(cls, path: str | Path = DEFAULT_MODEL_PATH) -> Classifier:
        import keras

        return cls(keras.models.load_model(path, compile=False), description=Path(path).name)

    @classmethod
    def from_weights(cls, config, weights: list[np.ndarray], description: str = "") -> Classifier:
        """A training run's model from its weights (at one of its epochs), run in NumPy."""
        from playground.numpy_net import NumpyNet

        return cls(NumpyNet.from_config(config, weights), description)

    def predict(self, image: np.ndarray) -> Prediction:
        """image: (28, 28) uint8, garment bright on black, as preprocessing makes it."""
        if image.shape != (28, 28):
            raise ValueError(f"expected a 28×28 image, got {image.shape}")
        batch = np.asarray(image, dtype=np.uint8)[None]
        probabilities = np.asarray(self.model(batch, training=False))[0].astype(np.float64)
        return Prediction(probabilities)


@functools.cache
def pretrained_info() -> dict:
    """How the shipped model was made: its command and test accuracy (written beside it)."""
    path = PRETRAINED_DIR / "fashion_cnn.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def predict_files(paths: list[str], model_path: str | None = None, as_json: bool = False) -> int:
    """The CLI's `predict`: classify each file, report per-file errors, exit 1 if any file failed."""
    from playground.images import ImageError, preprocess_upload

    try:
        classifier = Classifier.from_path(model_path or DEFAULT_MODEL_PATH)
    except (OSError, ValueError) as error:
        print(f"python -m playground: error: cannot load model {model_path}: {error}", file=sys.stderr)
        return 2
    results, failed = {}, 0
    for path in paths:
        try:
            _, image = preprocess_upload(Path(path).read_bytes())
            results[path] = classifier.predict(image).as_dict()
        except (OSError, ImageError) as error:
            failed += 1
            message = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            results[path] = {"error": message}
    if as_json:
        print(json.dumps({"model": str(model_path or DEFAULT_MODEL_PATH), "results": results}))
    else:
        for path, result in results.items():
            if "error" in result:
                print(f"{path}: error: {result['error']}")
                continue
            print(f"{path}: {result['top_name']} ({result['in_words']})")
            for name, probability in result["probabilities"].items():
                print(f"    {name:<12} {probability:6.1%}")
    return 1 if failed else 0
