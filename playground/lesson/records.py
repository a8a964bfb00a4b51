"""The lesson's results recorded ahead of time: which runs, how they are read, and the notebook's two errors.

A presenter should never wait for a 90-second run in front of a class, so scripts/record_lesson.py runs the
project's own CLI on each experiment below and ships what it printed (plus the date, the command and the
package versions) in playground/lesson/recorded/. The page shows those, labelled as recorded, next to a
"run it live" button; tests/test_lesson.py checks them against fresh runs. Keras is imported only inside
reproduce_mistake(), so the web process can read this module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from playground.settings.config import ExperimentConfig

RECORDS_DIR = Path(__file__).parent / "recorded"


# -- Which runs are recorded: name → the CLI's train options --------------------------------------

# Exercise 8: the lecture model stopped by a callback once training accuracy reaches the visitor's choice. The
# cap is high enough that every choice is reached, so the run shows where it stops, not where it ran out.
CALLBACK_ACCURACY_CHOICES = (0.85, 0.88, 0.90, 0.92)
CALLBACK_ACCURACY_EPOCHS = 20


def callback_accuracy_run(target: float) -> str:
    """The recorded run's name for one of CALLBACK_ACCURACY_CHOICES: 0.88 -> 'callback_accuracy_88'."""
    return f"callback_accuracy_{round(target * 100)}"


RECORDED_RUNS = {
    "lecture": ("--preset", "lecture"),
    "wider_512": ("--preset", "wider_512"),
    "bigger_1024": ("--preset", "bigger_1024"),
    "extra_layer": ("--preset", "extra_layer"),
    "epochs_15": ("--preset", "epochs_15"),
    "epochs_30": ("--preset", "epochs_30"),
    "no_normalization": ("--preset", "no_normalization"),
    "callback_loss": ("--preset", "callback_loss"),
    **{
        callback_accuracy_run(target): (
            *("--preset", "lecture", "--epochs", str(CALLBACK_ACCURACY_EPOCHS)),
            *("--stop-accuracy", f"{target:g}"),
        )
        for target in CALLBACK_ACCURACY_CHOICES
    },
}
FIRST_TEST_IMAGE_RUN = "lecture"  # Exercise 1 reads the first test image's ten probabilities from this run


@dataclass(frozen=True)
class EpochLine:
    """One epoch as the CLI printed it."""

    epoch: int
    loss: float
    accuracy: float
    val_accuracy: float | None = None


@dataclass(frozen=True)
class RunRecord:
    """One recorded CLI run: its JSON summary, its epochs, and where and when it was made."""

    name: str
    command: str
    recorded_at: str  # ISO date and time
    versions: dict
    machine: str
    summary: dict  # the CLI's --json object, unchanged
    epochs: tuple[EpochLine, ...] = ()
    first_test_image: dict | None = None  # {"label": int, "probabilities": [10 floats]} (lecture run only)
    # Two hidden neurons of the lecture run, [{"index", "weights": 784 floats, "bias"}]: the one with the largest
    # and the one with the smallest sum for the first test image.
    neurons: tuple[dict, ...] = ()

    @property
    def config(self) -> ExperimentConfig:
        return ExperimentConfig.from_flat_dict(self.summary["config"])

    @property
    def date(self) -> str:
        return self.recorded_at[:10]

    def label(self) -> str:
        """How the page says where a number came from."""
        return f"Recorded on {self.date} with `{self.command}` ({self.machine})."


@dataclass(frozen=True)
class MistakeRecord:
    """A notebook change that makes Keras stop with an error: the real, shortened message."""

    name: str
    code: str  # the model as the notebook would write it
    error_type: str
    short_message: str
    how: str  # how the message was produced
    recorded_at: str
    versions: dict = field(default_factory=dict)

    @property
    def date(self) -> str:
        return self.recorded_at[:10]


def _path(name: str) -> Path:
    return RECORDS_DIR / f"{name}.json"


def load_run(name: str) -> RunRecord | None:
    """The shipped record of one of RECORDED_RUNS, or None when it has not been recorded."""
    path = _path(name)
    if not path.exists():
        return None
    values = json.loads(path.read_text())
    values["epochs"] = tuple(EpochLine(**line) for line in values.get("epochs", ()))
    values["neurons"] = tuple(values.get("neurons", ()))
    return RunRecord(**values)


def load_mistake(name: str) -> MistakeRecord | None:
    path = _path(name)
    return MistakeRecord(**json.loads(path.read_text())) if path.exists() else None


# -- Reading the CLI's output ---------------------------------------------------------------------

EPOCH_LINE = re.compile(r"epoch (\d+): loss ([\d.eE+-]+|nan|inf), accuracy ([\d.]+)(?:, validation accuracy ([\d.]+))?")


def parse_epoch_lines(stderr: str) -> list[EpochLine]:
    """The per-epoch lines the CLI prints on stderr ("epoch 3: loss 0.31, accuracy 0.88, validation ...")."""
    lines = []
    for match in EPOCH_LINE.finditer(stderr):
        epoch, loss, accuracy, val = match.groups()
        lines.append(EpochLine(int(epoch), float(loss), float(accuracy), None if val is None else float(val)))
    return lines


# -- The notebook's two errors (Lab 1, exercises 3 and 4) ------------------------------------------

MISTAKES = {
    "no_flatten": """model = tf.keras.models.Sequential([
    tf.keras.Input(shape=(28, 28)),
    # no Flatten layer here
    tf.keras.layers.Dense(128, activation=tf.nn.relu),
    tf.keras.layers.Dense(10, activation=tf.nn.softmax)
])""",
    "five_outputs": """model = tf.keras.models.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(128, activation=tf.nn.relu),
    tf.keras.layers.Dense(5, activation=tf.nn.softmax)  # 5 instead of 10
])""",
}
MISTAKE_HOW = (
    "The notebook's steps in Keras: images divided by 255, model.compile(optimizer='adam', "
    "loss='sparse_categorical_crossentropy', metrics=['accuracy']), model.fit on the first {images} training "
    "images (the error comes on the first batch, so more images change nothing), seed {seed}."
)
MISTAKE_IMAGES = 256
MISTAKE_SEED = 0
NOISE = (
    re.compile(r"^\s*File \""),  # traceback frames: where in Keras, not what went wrong
    re.compile(r"^\s*Detected at node"),
    re.compile(r"^\s*\[\[\{\{node"),
    re.compile(r"^Graph execution error:"),
)


def shorten_error(message: str, width: int = 220) -> str:
    """The lines of an error that say what went wrong, without Keras' traceback and the batch's label list."""
    kept = [line.strip() for line in message.splitlines() if line.strip() and not any(p.match(line) for p in NOISE)]
    text = " ".join(kept)
    text = re.sub(r"\s*Label values:.*$", "", text)  # which labels were in the shuffled batch: noise
    return text if len(text) <= width else text[: width - 1] + "…"


def reproduce_mistake(name: str, images, labels) -> tuple[str, str]:
    """Run the notebook's mistaken model for real; (error type, shortened message). Imports Keras."""
    import keras

    keras.utils.set_random_seed(MISTAKE_SEED)
    flatten = [] if name == "no_flatten" else [keras.layers.Flatten()]
    outputs = 5 if name == "five_outputs" else 10
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            *flatten,
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(outputs, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    try:
        model.fit(images[:MISTAKE_IMAGES] / 255.0, labels[:MISTAKE_IMAGES], epochs=1, verbose=0)
    except Exception as error:  # the point is to catch whatever Keras raises and show it
        return type(error).__name__, shorten_error(str(error))
    raise RuntimeError(f"{name}: Keras trained without an error; the lesson's point no longer holds")
