"""`python -m playground train`: one configuration from the terminal, JSON at the end, one-line errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import keras
import pytest

from playground.cli import config_from_args, make_parser
from playground.settings.config import LECTURE, SETTINGS
from playground.settings.presets import PRESETS
from tests.test_config import changed_value, every_setting_changed


def run_cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True, text=True, timeout=timeout)


def test_train_prints_json_summary_and_saves(tmp_path):
    saved = tmp_path / "runs" / "model.keras"  # a folder that does not exist yet is made
    result = run_cli("train", "--epochs", "1", "--limit", "2000", "--hidden", "64,32", "--save", str(saved), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"test_accuracy", "train_accuracy", "epochs_run", "stop_reason", "seconds"} <= set(summary)
    assert summary["epochs_run"] == 1 and summary["test_accuracy"] > 0.55
    assert summary["config"]["hidden_units"] == "64,32" and summary["config"]["train_limit"] == "2000"
    assert summary["parameters"] == 784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10
    assert "epoch 1: loss" in result.stderr  # the progress display
    reloaded = keras.models.load_model(saved)
    assert reloaded.count_params() == summary["parameters"]


@pytest.mark.parametrize(
    "where, says",
    [("model.h5", "must end in .keras"), ("a_file/model.keras", "folder can't be made"), (".", "must end in .keras")],
)
def test_a_place_a_model_cannot_be_saved_is_refused_before_training(tmp_path, where, says):
    (tmp_path / "a_file").write_text("not a folder")
    result = run_cli("train", "--epochs", "1", "--train-limit", "2000", "--save", str(tmp_path / where))
    assert result.returncode == 2
    assert says in result.stderr and "Traceback" not in result.stderr
    assert "epoch" not in result.stderr  # refused before any training, not after it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


def test_threshold_stop_reason_reaches_json():
    result = run_cli("train", "--preset", "callback_loss", "--limit", "3000", "--stop-loss", "1.5", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["epochs_run"] == 1 and "fell below 1.50" in summary["stop_reason"]


@pytest.mark.parametrize(
    "args, expected",
    [
        (["train", "--epochs", "0"], "epochs must be from 1 to 100"),
        (["train", "--hidden", "12,abc"], "hidden_units"),
        (["train", "--optimizer", "lbfgs"], "invalid choice"),
        (["train", "--label-smoothing", "0.9"], "label_smoothing must be from 0.0 to 0.5"),
        (["train", "--limit", "lots"], "train_limit: cannot read"),
        (["train", "--outliers", "0.7"], "--outliers 0.7: give a share from 0 to 0.5"),
        (["train", "--photo-composites", "-1"], "--photo-composites -1: give a share from 0 to 1"),
        (["train", "--photo-composites", "0.7", "--outliers", "0.4"], "together at most 1"),
        (["train", "--preset", "nope"], "invalid choice"),
        (["train", "--bogus"], "unrecognized arguments"),
        ([], "required"),
    ],
)
def test_bad_arguments_get_one_line_and_nonzero_exit(args, expected):
    result = run_cli(*args, timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr


def parse_train(*args):
    return config_from_args(make_parser().parse_args(["train", *args]))


def option_for(name: str, value) -> list[str]:
    """The command-line words that set one setting, spelled from its declaration."""
    spec = SETTINGS[name]
    if spec.kind == "bool":
        return [spec.cli_option if value else "--no-" + spec.cli_option[2:]]
    return [spec.cli_option, spec.format(value)]


@pytest.mark.parametrize("name", list(SETTINGS))
def test_every_setting_has_an_option(name):
    """A setting declared in the config without a working CLI option fails here."""
    value = changed_value(name)
    assert parse_train(*option_for(name, value)) == LECTURE.replace(**{name: value})


def test_every_setting_at_once_and_the_preset_underneath():
    argv = [word for name in SETTINGS for word in option_for(name, getattr(every_setting_changed(), name))]
    assert parse_train(*argv) == every_setting_changed()
    assert parse_train("--preset", "callback_loss", "--stop-loss", "off").stop_loss is None
    assert parse_train("--preset", "no_normalization", "--normalize").normalize is True


def test_older_spellings_keep_working():
    """README's and the recorded commands' --limit, --hidden and --no-normalize mean what they meant."""
    old = parse_train("--hidden", "256,128", "--limit", "5000", "--no-normalize", "--augment")
    new = parse_train("--hidden-units", "256,128", "--train-limit", "5000", "--no-normalize", "--augment")
    assert old == new == LECTURE.replace(hidden_units=(256, 128), train_limit=5000, normalize=False, augment=True)
    assert parse_train("--preset", "cnn") == PRESETS["cnn"].config


def test_label_smoothing_trains_end_to_end_and_keeps_the_loss_above_its_floor():
    """Smoothing 0.5 asks for 55% on the right garment and 5% on each other one; no network can get its loss
    below that target's entropy (1.68); the same run unsmoothed averages 1.14 over its epoch. Answers stay right."""
    result = run_cli("train", "--label-smoothing", "0.5", "--epochs", "1", "--limit", "2000", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["config"]["label_smoothing"] == "0.5"
    assert summary["train_loss"] > -(0.55 * math.log(0.55) + 9 * 0.05 * math.log(0.05)) > 1.6
    assert summary["test_accuracy"] > 0.55
