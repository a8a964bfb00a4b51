"""The experiment configuration: validated in one place, round-trips through flat strings."""

from __future__ import annotations

import dataclasses
import json

import pytest

from playground.settings.choices import ARCHITECTURES, HIDDEN_ACTIVATIONS, OPTIMIZERS
from playground.settings.config import (
    DEFAULT_LEARNING_RATES,
    LECTURE,
    SETTINGS,
    ConfigError,
    ExperimentConfig,
    changed_settings,
    describe_changes,
    split_known_params,
)
from playground.settings.presets import PRESETS
from playground.settings.schema import SECTIONS, WIDGETS


def changed_value(name: str):
    """A valid value unlike the lecture's for one setting, worked out from its declaration alone."""
    spec = SETTINGS[name]
    if spec.choices is not None:
        return next(choice for choice in spec.choices if choice != spec.default)
    if spec.kind == "bool":
        return not spec.default
    if spec.layers is not None:
        return (64, 32)
    low, high = spec.limits
    return high if spec.default != high else low


def every_setting_changed() -> ExperimentConfig:
    """The lecture model with every setting changed at once (tests of the sidebar, the URL and the CLI use it)."""
    return LECTURE.replace(**{name: changed_value(name) for name in SETTINGS})


def test_lecture_defaults_match_the_lesson():
    assert LECTURE.architecture == "dense"
    assert LECTURE.hidden_units == (128,)
    assert (LECTURE.activation, LECTURE.optimizer, LECTURE.epochs, LECTURE.batch_size) == ("relu", "adam", 5, 32)
    assert LECTURE.normalize is True


def test_required_choices_exist():
    assert {"relu", "sigmoid", "tanh", "elu", "linear"} <= set(HIDDEN_ACTIVATIONS)
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
        ({"label_smoothing": 0.6}, "label_smoothing"),
        ({"label_smoothing": -0.1}, "label_smoothing"),
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


# -- The declared schema ---------------------------------------------------------------------------


def test_every_field_declares_its_setting_beside_it():
    assert list(SETTINGS) == [f.name for f in dataclasses.fields(ExperimentConfig)]
    for name, spec in SETTINGS.items():
        assert spec.label and spec.help and "\n" not in spec.help, name
        assert spec.widget in WIDGETS and spec.section in SECTIONS, name
        assert spec.default == getattr(LECTURE, name), name
        spec.check(spec.default)  # the default is allowed by its own limits
        if spec.kind in ("int", "float", "float | None"):
            assert spec.limits is not None, f"{name} has no limits"
        if spec.optional:
            assert spec.switch and spec.limits[0] <= spec.unused_shows <= spec.limits[1], name


@pytest.mark.parametrize("name", [name for name, spec in SETTINGS.items() if spec.limits and not spec.layers])
def test_limits_come_from_the_declaration(name):
    """Just past either end of a declared range is refused, naming the field; the ends themselves are allowed."""
    spec = SETTINGS[name]
    low, high = spec.limits
    for allowed in (low, high):
        assert getattr(LECTURE.replace(**{name: allowed}), name) == allowed
    step = 1 if spec.kind == "int" else 1e-9
    for refused in (low - step, high + step):
        with pytest.raises(ConfigError, match=f"^{name}"):
            LECTURE.replace(**{name: refused})


def test_every_setting_changed_at_once_round_trips_through_the_flat_strings():
    config = every_setting_changed()
    assert all(getattr(config, name) != getattr(LECTURE, name) for name in SETTINGS)
    flat = config.to_flat_dict()
    assert set(flat) == set(SETTINGS)
    assert ExperimentConfig.from_flat_dict(json.loads(json.dumps(flat))) == config
    assert split_known_params(flat | {"fbclid": "x"}) == (flat, ["fbclid"])


def test_what_changed_is_said_once_for_the_link_and_the_note():
    config = PRESETS["callback_loss"].config.replace(epochs=12, label_smoothing=0.1)
    assert changed_settings(config, LECTURE) == {
        "hidden_units": "512",
        "epochs": "12",
        "label_smoothing": "0.1",
        "stop_loss": "0.4",
    }
    assert describe_changes(config, PRESETS["callback_loss"].config) == "epochs 12, label smoothing 0.1"
    assert describe_changes(PRESETS["lecture"].config, PRESETS["callback_loss"].config) == (
        "hidden units 128, epochs 5, stop loss off"
    )
    assert describe_changes(LECTURE, LECTURE) == "" and changed_settings(LECTURE, LECTURE) == {}


def test_choice_tables_hold_objects_with_labels_explanations_and_defaults():
    for table in (ARCHITECTURES, HIDDEN_ACTIVATIONS, OPTIMIZERS):
        for name, entry in table.items():
            assert entry.label and entry.explains, name
    assert ARCHITECTURES["cnn"].conv_filters == (32, 64) and ARCHITECTURES["dense"].conv_filters == ()
    assert OPTIMIZERS["sgd_momentum"].options == {"momentum": 0.9}
    assert {name: o.defaults["learning_rate"] for name, o in OPTIMIZERS.items()} == DEFAULT_LEARNING_RATES
    assert DEFAULT_LEARNING_RATES == {"adam": 0.001, "sgd": 0.01, "sgd_momentum": 0.01, "rmsprop": 0.001}


def test_records_written_before_a_setting_existed_still_load():
    """Shipped lesson records and the pretrained model's record have no label_smoothing: it keeps its default."""
    old = LECTURE.to_flat_dict()
    del old["label_smoothing"]
    assert ExperimentConfig.from_flat_dict(old) == LECTURE
