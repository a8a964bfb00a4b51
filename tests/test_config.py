"""The experiment configuration: validated in one place, round-trips through flat strings."""

from __future__ import annotations

import json

import pytest

from playground.config import ACTIVATIONS, LECTURE, OPTIMIZERS, PRESETS, ConfigError, ExperimentConfig


def test_lecture_defaults_match_the_lesson():
    assert LECTURE.architecture == "dense"
    assert LECTURE.hidden_units == (128,)
    assert (LECTURE.activation, LECTURE.optimizer, LECTURE.epochs, LECTURE.batch_size) == ("relu", "adam", 5, 32)
    assert LECTURE.normalize is True


def test_required_choices_exist():
    assert {"relu", "sigmoid", "tanh", "elu", "linear"} <= set(ACTIVATIONS)
    assert {"adam", "sgd", "sgd_momentum", "rmsprop"} <= set(OPTIMIZERS)


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_round_trips_through_strings_and_json(name):
    config = PRESETS[name].config
    flat = config.to_flat_dict()
    assert all(isinstance(value, str) for value in flat.values())
    assert ExperimentConfig.from_flat_dict(json.loads(json.dumps(flat))) == config


def test_lesson_presets_say_what_they_change():
    assert PRESETS["wider_512"].config.hidden_units == (512,)
    assert PRESETS["bigger_1024"].config.hidden_units == (1024,)
    assert len(PRESETS["extra_layer"].config.hidden_units) == 2
    assert PRESETS["epochs_15"].config.epochs == 15
    assert PRESETS["epochs_30"].config.epochs == 30
    assert PRESETS["no_normalization"].config.normalize is False
    callback = PRESETS["callback_loss"].config
    assert (callback.hidden_units, callback.epochs, callback.stop_loss) == ((512,), 10, 0.4)
    assert PRESETS["cnn"].config.architecture == "cnn"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"architecture": "transformer"}, "architecture"),
        ({"hidden_units": ()}, "hidden_units"),
        ({"hidden_units": (64, 64, 64, 64, 64)}, "hidden_units"),
        ({"hidden_units": (0,)}, "hidden_units"),
        ({"hidden_units": (4096,)}, "hidden_units"),
        ({"activation": "swishy"}, "activation"),
        ({"dropout": 0.95}, "dropout"),
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"epochs": 0}, "epochs"),
        ({"epochs": 2.5}, "epochs"),
        ({"batch_size": -1}, "batch_size"),
        ({"validation_split": 0.9}, "validation_split"),
        ({"train_limit": 10}, "train_limit"),
        ({"train_limit": 70000}, "train_limit"),
        ({"stop_accuracy": 1.5}, "stop_accuracy"),
        ({"stop_loss": -1.0}, "stop_loss"),
        ({"normalize": "yes"}, "normalize"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(changes, field):
    with pytest.raises(ConfigError) as error:
        LECTURE.replace(**changes)
    assert str(error.value).startswith(field)


def test_range_is_in_the_message():
    with pytest.raises(ConfigError, match="from 1 to 100"):
        LECTURE.replace(epochs=500)


@pytest.mark.parametrize(
    "flat, field",
    [
        ({"epochs": "five"}, "epochs"),
        ({"hidden_units": "128,x"}, "hidden_units"),
        ({"normalize": "maybe"}, "normalize"),
        ({"colour": "red"}, "unknown"),
    ],
)
def test_bad_strings_are_refused(flat, field):
    with pytest.raises(ConfigError, match=field):
        ExperimentConfig.from_flat_dict(flat)


def test_missing_keys_keep_defaults_and_empty_threshold_means_off():
    config = ExperimentConfig.from_flat_dict({"hidden_units": "256, 128", "stop_loss": ""})
    assert config.hidden_units == (256, 128)
    assert config.stop_loss is None
    assert config.epochs == LECTURE.epochs
