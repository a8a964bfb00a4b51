"""One experiment's settings: a validated dataclass, the named choices, and the lesson's presets."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

# Choices are tables keyed by name: the keys fill the dropdowns, the CLI and the URL.
ARCHITECTURES = {
    "dense": "Dense network (Flatten → hidden layers → 10 outputs), as in the lecture",
    "cnn": "Small CNN (two Conv+BatchNorm+MaxPool blocks, then hidden layers)",
}
ACTIVATIONS = {
    "relu": "ReLU: keeps positive values, turns negatives into 0 (the lecture's choice)",
    "sigmoid": "Sigmoid: squashes everything into 0…1; learns slower in deep nets",
    "tanh": "Tanh: squashes into −1…1",
    "elu": "ELU: like ReLU but smooth below 0",
    "linear": "Linear: no activation, so stacked layers add no power",
}
OPTIMIZERS = {
    "adam": "Adam: adapts the step size per weight (the lecture's choice)",
    "sgd": "SGD: plain gradient descent, steady steps",
    "sgd_momentum": "SGD with momentum 0.9: keeps rolling in the direction it was going",
    "rmsprop": "RMSprop: scales steps by recent gradient size",
}
DEFAULT_LEARNING_RATES = {"adam": 0.001, "sgd": 0.01, "sgd_momentum": 0.01, "rmsprop": 0.001}

TRAIN_SIZE = 60000


class ConfigError(ValueError):
    """A setting is outside its allowed range; the message names the field."""


@dataclass(frozen=True)
class ExperimentConfig:
    """Everything that defines one training run."""

    architecture: str = "dense"  # key of ARCHITECTURES
    hidden_units: tuple[int, ...] = (128,)  # 1 to 4 hidden Dense layers, 1 to 2048 units each
    activation: str = "relu"  # key of ACTIVATIONS, used by every hidden layer
    dropout: float = 0.0  # fraction of hidden units dropped while training, 0 to 0.8
    optimizer: str = "adam"  # key of OPTIMIZERS
    learning_rate: float = 0.001  # step size of the optimizer
    epochs: int = 5  # passes over the training images
    batch_size: int = 32  # images per weight update
    normalize: bool = True  # divide pixels by 255 inside the model
    validation_split: float = 0.1  # share of the training subset held out to watch for overfitting
    train_limit: int = TRAIN_SIZE  # training images to use (a class-balanced subset)
    seed: int = 42  # makes weights, subset and shuffling repeatable
    stop_accuracy: float | None = None  # stop when training accuracy reaches this (lesson callback)
    stop_loss: float | None = None  # stop when training loss falls below this (lesson callback)
    augment: bool = False  # random shifts, zoom and contrast while training (helps photos)

    def __post_init__(self) -> None:
        validate(self)

    def replace(self, **changes) -> ExperimentConfig:
        """A copy with some fields changed, validated again."""
        return dataclasses.replace(self, **changes)

    def to_flat_dict(self) -> dict[str, str]:
        """Every field as a string, for the URL, JSON and the CLI."""
        return {f.name: _format(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_flat_dict(cls, values: dict[str, str]) -> ExperimentConfig:
        """Parse strings made by to_flat_dict (missing keys keep their defaults)."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        parsed = {name: _parse(name, known[name].type, text) for name, text in values.items()}
        return cls(**parsed)


def split_known_params(params: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Split a link's parameters into settings (the keys of to_flat_dict) and the rest (fbclid, utm_*, ...), sorted."""
    names = {f.name for f in dataclasses.fields(ExperimentConfig)}
    known = {key: value for key, value in params.items() if key in names}
    return known, sorted(key for key in params if key not in names)


# -- Validation: one place, one message per field ---------------------------------

LIMITS = {
    "dropout": (0.0, 0.8),
    "learning_rate": (1e-6, 10.0),
    "epochs": (1, 100),
    "batch_size": (1, 4096),
    "validation_split": (0.0, 0.5),
    "train_limit": (100, TRAIN_SIZE),
    "seed": (0, 2**31 - 1),
    "stop_accuracy": (0.1, 1.0),
    "stop_loss": (0.001, 10.0),
}
HIDDEN_LAYERS = (1, 4)
HIDDEN_UNITS = (1, 2048)


def validate(config: ExperimentConfig) -> None:
    """Raise ConfigError naming the first field that is out of range or of the wrong kind."""
    for name, table in (
        ("architecture", ARCHITECTURES),
        ("activation", ACTIVATIONS),
        ("optimizer", OPTIMIZERS),
    ):
        if getattr(config, name) not in table:
            raise ConfigError(f"{name} must be one of {', '.join(table)}, not {getattr(config, name)!r}")
    units = config.hidden_units
    if not isinstance(units, tuple) or not HIDDEN_LAYERS[0] <= len(units) <= HIDDEN_LAYERS[1]:
        raise ConfigError(f"hidden_units must list {HIDDEN_LAYERS[0]} to {HIDDEN_LAYERS[1]} layers, got {units!r}")
    for count in units:
        if isinstance(count, bool) or not isinstance(count, int) or not HIDDEN_UNITS[0] <= count <= HIDDEN_UNITS[1]:
            raise ConfigError(
                f"hidden_units: each layer needs {HIDDEN_UNITS[0]} to {HIDDEN_UNITS[1]} units, got {count!r}"
            )
    for name in ("normalize", "augment"):
        if not isinstance(getattr(config, name), bool):
            raise ConfigError(f"{name} must be true or false, not {getattr(config, name)!r}")
    for name, (low, high) in LIMITS.items():
        value = getattr(config, name)
        if value is None and name.startswith("stop_"):
            continue
        integral = isinstance(low, int)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (integral and not isinstance(value, int)):
            kind = "a whole number" if integral else "a number"
            raise ConfigError(f"{name} must be {kind} from {low} to {high}, not {value!r}")
        if not low <= value <= high:  # also rejects NaN
            raise ConfigError(f"{name} must be from {low} to {high}, not {value}")
    if config.train_limit * (1 - config.validation_split) < 10 * 5:
        raise ConfigError("train_limit is too small to leave training images after the validation split")


# -- Flat strings in and out --------------------------------------------------------


def _format(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _parse(name: str, type_name: str, text: str):
    """Turn one string back into its field's type; a bad string is a ConfigError naming the field."""
    text = str(text).strip()
    try:
        if type_name == "tuple[int, ...]":
            return tuple(int(part) for part in text.split(",") if part.strip())
        if type_name == "bool":
            if text.lower() in ("true", "1", "yes", "on"):
                return True
            if text.lower() in ("false", "0", "no", "off"):
                return False
            raise ValueError(text)
        if type_name == "float | None":
            return None if text in ("", "none", "off") else float(text)
        if type_name == "int":
            return int(text)
        if type_name == "float":
            return float(text)
        return text
    except ValueError:
        raise ConfigError(f"{name}: cannot read {text!r} as {type_name.replace(' | None', ' or empty')}") from None


# -- The lesson's experiments as named presets ------------------------------------


@dataclass(frozen=True)
class Preset:
    """A named experiment: a short title, what it teaches, and its settings."""

    title: str
    lesson: str
    config: ExperimentConfig = field(default_factory=ExperimentConfig)


LECTURE = ExperimentConfig()
PRESETS = {
    "lecture": Preset(
        "Lecture model: 128 neurons",
        "Flatten → Dense(128, relu) → Dense(10, softmax), Adam, 5 epochs: the model from the lesson.",
        LECTURE,
    ),
    "wider_512": Preset(
        "Wider: 512 neurons",
        "Lab 1: more neurons in the hidden layer. Slower, usually a little more accurate.",
        LECTURE.replace(hidden_units=(512,)),
    ),
    "bigger_1024": Preset(
        "Bigger: 1024 neurons",
        "Lab 1: 1024 neurons. More calculation, a small gain in accuracy.",
        LECTURE.replace(hidden_units=(1024,)),
    ),
    "extra_layer": Preset(
        "Deeper: an extra hidden layer",
        "Lab 1: a second hidden layer (512 then 256). On simple images it helps little.",
        LECTURE.replace(hidden_units=(512, 256)),
    ),
    "epochs_15": Preset(
        "Longer: 15 epochs",
        "Lab 1: three times the training. Training accuracy keeps rising; test accuracy much less.",
        LECTURE.replace(epochs=15),
    ),
    "epochs_30": Preset(
        "Too many epochs: watch it overfit",
        "Lab 1: 30 epochs. Training loss keeps falling while validation loss turns back up: overfitting.",
        LECTURE.replace(epochs=30),
    ),
    "no_normalization": Preset(
        "No normalization: raw pixels 0–255",
        "Lab 1: skip dividing by 255. Big inputs make learning bumpy and less accurate.",
        LECTURE.replace(normalize=False),
    ),
    "callback_loss": Preset(
        "Callback: stop when loss < 0.4",
        "Lab 2: 512 neurons, up to 10 epochs, but a callback stops training once the loss falls below 0.4.",
        LECTURE.replace(hidden_units=(512,), epochs=10, stop_loss=0.4),
    ),
    "cnn": Preset(
        "Next step: a small CNN",
        "Two convolution + pooling blocks find edges and shapes before the Dense(128) layer (batch normalization "
        "keeps each block's output in range, dropout 0.25 curbs overfitting): ~91% test accuracy in 5 epochs.",
        LECTURE.replace(architecture="cnn", dropout=0.25),
    ),
}
