"""One experiment's settings: a validated dataclass whose every field declares its schema, and the lecture model.

Each field's `setting(...)` holds its limits, label, one-line help and widget; the sidebar, the URL, the CLI and
"what changed from the preset" are all made from it (playground/settings/schema.py). The named choices are tables
of small objects in playground/settings/choices.py; the lesson's experiments, as named presets, in
playground/settings/presets.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from playground.settings.choices import ARCHITECTURES, HIDDEN_ACTIVATIONS, OPTIMIZERS
from playground.settings.schema import ConfigError, Setting, declared_settings, setting

__all__ = [
    "ARCHITECTURES",
    "DEFAULT_LEARNING_RATES",
    "HIDDEN_ACTIVATIONS",
    "LECTURE",
    "OPTIMIZERS",
    "SETTINGS",
    "TRAIN_SIZE",
    "ConfigError",
    "ExperimentConfig",
    "changed_settings",
    "describe_changes",
    "split_known_params",
]

TRAIN_SIZE = 60000
DEFAULT_LEARNING_RATES = {name: optimizer.learning_rate for name, optimizer in OPTIMIZERS.items()}


@dataclass(frozen=True)
class ExperimentConfig:
    """Everything that defines one training run; the field order is the order of the URL and the sidebar."""

    architecture: str = setting(
        "dense",
        label="Architecture",
        help="Dense layers look at every pixel at once. A CNN first scans the image for small patterns.",
        widget="radio",
        section="network",
        choices=ARCHITECTURES,
    )
    hidden_units: tuple[int, ...] = setting(
        (128,),
        label="Neurons in hidden layer {number}",
        help="More neurons can learn finer details, but are slower and can memorise the training set.",
        widget="layers",
        section="network",
        limits=(1, 2048),
        stops=(8, 16, 32, 64, 128, 256, 512, 1024, 2048),
        unused_shows=128,
        layers=(1, 4),
        layers_label="Hidden layers",
        layers_help="Layers between the pixels and the 10 answers.",
        cli_aliases=("--hidden",),
    )
    activation: str = setting(
        "relu",
        label="Activation",
        help="What each hidden neuron does with its sum.",
        widget="selectbox",
        section="network",
        choices=HIDDEN_ACTIVATIONS,
    )
    dropout: float = setting(
        0.0,
        label="Dropout",
        help="Switch off this share of neurons at random while training, so none can be relied on alone.",
        widget="slider",
        section="network",
        limits=(0.0, 0.8),
        step=0.05,
    )
    optimizer: str = setting(
        "adam",
        label="Optimizer",
        help="How the weights are changed after each batch.",
        widget="selectbox",
        section="learning",
        choices=OPTIMIZERS,
    )
    learning_rate: float = setting(
        0.001,
        label="Learning rate",
        help="How big each step is. Too small: slow. Too big: the loss jumps around or training breaks down.",
        widget="select_slider",
        section="learning",
        limits=(1e-6, 10.0),
        stops=(0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0),
    )
    epochs: int = setting(
        5,
        label="Epochs",
        help="How many times the network sees every training image. Too many and it starts to memorise.",
        widget="slider",
        section="learning",
        limits=(1, 100),
    )
    batch_size: int = setting(
        32,
        label="Batch size",
        help="Images looked at before each weight update. Small: many noisy steps. Large: fewer, smoother steps.",
        widget="select_slider",
        section="learning",
        limits=(1, 4096),
        stops=(8, 16, 32, 64, 128, 256, 512, 1024),
    )
    label_smoothing: float = setting(
        0.0,
        label="Label smoothing",
        help="Teach it to aim for a little less than 100% sure of each right answer (0.1: about 90%), so it is "
        "less overconfident; its loss then stays higher. The lecture uses 0.",
        widget="slider",
        section="learning",
        limits=(0.0, 0.5),
        step=0.05,
    )
    normalize: bool = setting(
        True,
        label="Normalize: divide pixels by 255",
        help="Turns pixel values 0–255 into 0–1. Without it, learning is bumpier and usually worse.",
        widget="toggle",
        section="learning",
    )
    train_limit: int = setting(
        TRAIN_SIZE,
        label="Training images",
        help="Use fewer images for a quick experiment (the same number of each garment).",
        widget="select_slider",
        section="data",
        limits=(100, TRAIN_SIZE),
        stops=(1000, 2000, 5000, 10000, 20000, 30000, 60000),
        show="{:,}".format,
        cli_aliases=("--limit",),
    )
    validation_split: float = setting(
        0.1,
        label="Held out for validation",
        help="A share of the training images kept aside to check, each epoch, how it does on unseen images.",
        widget="slider",
        section="data",
        limits=(0.0, 0.5),
        step=0.01,
    )
    seed: int = setting(
        42,
        label="Random seed",
        help="The same seed gives the same starting weights and the same shuffling, so runs can be repeated.",
        widget="number_input",
        section="data",
        limits=(0, 2**31 - 1),
        step=1,
    )
    stop_accuracy: float | None = setting(
        None,
        label="Accuracy target",
        help="The lesson's callback: end training as soon as the target is reached at the end of an epoch.",
        widget="slider",
        section="data",
        limits=(0.1, 1.0),
        step=0.01,
        number_format="%.2f",
        switch="Stop at a training accuracy",
        unused_shows=0.9,
    )
    stop_loss: float | None = setting(
        None,
        label="Loss target",
        help="Lab 2's callback: end training once the loss is small enough.",
        widget="number_input",
        section="data",
        limits=(0.001, 10.0),
        step=0.05,
        number_format="%.3f",
        switch="Stop at a low loss",
        unused_shows=0.4,
    )
    augment: bool = setting(
        False,
        label="Augment: shift, zoom and dim images",
        help="Shows slightly changed copies of the images, so the network copes with drawings and photos.",
        widget="toggle",
        section="learning",
    )

    def __post_init__(self) -> None:
        validate(self)

    def replace(self, **changes) -> ExperimentConfig:
        """A copy with some fields changed, validated again."""
        return dataclasses.replace(self, **changes)

    def to_flat_dict(self) -> dict[str, str]:
        """Every field as a string, for the URL, JSON and the CLI."""
        return {name: spec.format(getattr(self, name)) for name, spec in SETTINGS.items()}

    @classmethod
    def from_flat_dict(cls, values: dict[str, str]) -> ExperimentConfig:
        """Parse strings made by to_flat_dict (missing keys keep their defaults)."""
        unknown = sorted(set(values) - set(SETTINGS))
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        return cls(**{name: SETTINGS[name].parse(text) for name, text in values.items()})


SETTINGS: dict[str, Setting] = declared_settings(ExperimentConfig)


def validate(config: ExperimentConfig) -> None:
    """Raise ConfigError naming the first field that is out of range or of the wrong kind."""
    for name, spec in SETTINGS.items():
        spec.check(getattr(config, name))
    if config.train_limit * (1 - config.validation_split) < 10 * 5:
        raise ConfigError("train_limit is too small to leave training images after the validation split")


def split_known_params(params: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Split a link's parameters into settings (the keys of to_flat_dict) and the rest (fbclid, utm_*, ...), sorted."""
    known = {key: value for key, value in params.items() if key in SETTINGS}
    return known, sorted(key for key in params if key not in SETTINGS)


def changed_settings(config: ExperimentConfig, base: ExperimentConfig) -> dict[str, str]:
    """The settings in which config differs from base, as flat strings (what a link carries)."""
    ours, theirs = config.to_flat_dict(), base.to_flat_dict()
    return {name: value for name, value in ours.items() if value != theirs[name]}


def describe_changes(config: ExperimentConfig, base: ExperimentConfig) -> str:
    """The differences in words, e.g. "epochs 12, stop loss off" (empty if there are none)."""
    changes = changed_settings(config, base)
    return ", ".join(f"{name.replace('_', ' ')} {value or 'off'}" for name, value in changes.items())


LECTURE = ExperimentConfig()  # the lesson's model: every setting at its default
