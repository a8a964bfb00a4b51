"""`python -m playground train`: one configuration from the terminal, JSON at the end, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import keras
import pytest


def run_cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True, text=True, timeout=timeout)


def test_train_prints_json_summary_and_saves(tmp_path):
    saved = tmp_path / "model.keras"
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
