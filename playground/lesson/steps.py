"""The week-2 lesson as a guided walk: its steps and Lab 1's exercises as data, and the small demos in NumPy.

Text is written for people who have never programmed. No number is typed into it: every figure is a
{placeholder} filled from the dataset, the lecture's settings, a computation here, or a recorded run
(playground.lesson.records); tests/test_lesson.py checks that the text holds no bare digits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from playground.network.maths import relu, softmax
from playground.network.numpy_net import planned_summary_rows
from playground.settings.config import LECTURE
from playground.settings.presets import PRESETS

LESSON_SCORES = (1.0, 3.0, 4.0, 2.0)  # the lesson's softmax example (its input, not a result)


# -- The facts the text quotes, each computed -----------------------------------------------------


def lesson_facts(train_count: int, test_count: int, class_count: int, side: int) -> dict:
    """Every number the steps' text uses, from the dataset's sizes, the lecture's settings and softmax."""
    chances = softmax(LESSON_SCORES)
    return {
        "images": f"{train_count + test_count:,}",
        "train": f"{train_count:,}",
        "test": f"{test_count:,}",
        "classes": class_count,
        "side": side,
        "pixels": side * side,
        "hidden": LECTURE.hidden_units[0],
        "epochs": LECTURE.epochs,
        "scores": ", ".join(f"{s:g}" for s in LESSON_SCORES),
        "chances": ", ".join(f"{c:.3f}" for c in chances),
        "chances_sum": f"{chances.sum():g}",
        "stop_loss": PRESETS["callback_loss"].config.stop_loss,
        "long_epochs": PRESETS["epochs_15"].config.epochs,
        "longer_epochs": PRESETS["epochs_30"].config.epochs,
        "max_pixel": 255,  # the largest value a byte can hold: how the images are stored
    }


# -- The steps ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One screen of the walk: a few plain sentences, one thing to do, and what to notice."""

    key: str  # names the demo the page draws for this step
    title: str
    sentences: tuple[str, ...]
    do: str
    notice: str

    def filled(self, facts: dict) -> Step:
        """The same step with its {placeholders} replaced by facts."""
        return Step(
            self.key,
            self.title.format(**facts),
            tuple(s.format(**facts) for s in self.sentences),
            self.do.format(**facts),
            self.notice.format(**facts),
        )


STEPS = (
    Step(
        "data",
        "The pictures",
        (
            "The computer learns from {images} small grey pictures of clothes, in {classes} kinds: T-shirts, "
            "trousers, shoes, bags and more.",
            "{train} pictures are for learning. The other {test} are kept in a drawer and only used at the end, "
            "for the test.",
            "Why keep some back? A pupil who has seen the exam questions can learn the answers by heart. "
            "Only new questions show what was really learnt.",
        ),
        "Look at the pictures below: one of each kind.",
        "They are tiny ({side} by {side} dots) and have no colour. Could you tell a shirt from a coat?",
    ),
    Step(
        "flatten",
        "Flatten: a picture becomes a row of numbers",
        (
            "To a computer a picture is only numbers: one for each dot, from 0 for black to {max_pixel} for white.",
            "The network's first layer, Flatten, takes the {side} rows of dots and lays them end to end.",
            "The picture becomes one long row of {pixels} numbers. Nothing is lost, only rearranged.",
        ),
        "Move the slider to lay the picture's rows out one after another.",
        "The row holds the same dots as the picture. The network only ever sees that row.",
    ),
    Step(
        "neuron",
        "One neuron: multiply, add up, throw away the negatives",
        (
            "A neuron looks at all {pixels} numbers of the row. It multiplies each one by its own weight "
            "and adds everything up.",
            "A weight above zero means 'this dot being bright is a good sign', below zero 'a bad sign'.",
            "Then ReLU: if the sum is below zero it becomes zero, otherwise it passes unchanged.",
        ),
        "Pick one of two real neurons from a trained network and see its sum for the picture.",
        "One sum is positive and passes. The other is negative, and ReLU turns it into zero.",
    ),
    Step(
        "layers",
        "Neurons in layers, and softmax",
        (
            "The lecture's network has {hidden} such neurons side by side, all looking at the same row.",
            "After them come {classes} output neurons, one for each kind of garment. Each gives a score.",
            "Softmax turns scores into chances: all positive and adding up to {chances_sum}. The biggest score "
            "gets the biggest chance.",
        ),
        "Look at the lesson's example: the scores {scores} become the chances {chances}.",
        "The chances add up to {chances_sum}, and the biggest score wins the biggest share.",
    ),
    Step(
        "train",
        "Loss and optimizer: learning by guessing",
        (
            "At first the weights are random, so the guesses are bad.",
            "The loss is a number that says how wrong the guesses were: the lower, the better.",
            "The optimizer then nudges every weight a little, so the next guess is a bit better. "
            "Again and again, {epochs} times through all the learning pictures.",
        ),
        "Train the lecture's network here, or show a recorded run, and watch the loss.",
        "The loss falls fast at first, then more slowly. Accuracy climbs at the same time.",
    ),
    Step(
        "overfit",
        "Training accuracy and test accuracy",
        (
            "Training accuracy is how often the network is right on the pictures it learnt from. "
            "Test accuracy is the same on the pictures kept in the drawer.",
            "The test is usually a little lower: those pictures are new to it.",
            "Train too long and the network starts learning its pictures by heart: training accuracy keeps "
            "rising while the new pictures stop improving. That is called overfitting.",
        ),
        "Compare the lecture's run with {long_epochs} and {longer_epochs} passes.",
        "The gap between the two accuracies grows the longer it trains.",
    ),
    Step(
        "callback",
        "Callbacks: stop when it is good enough",
        (
            "Training takes time, and after a while more passes do not help.",
            "A callback is a little check after every pass. Lab 2's checks the loss: once it is below "
            "{stop_loss}, training stops.",
        ),
        "Show when the recorded run stopped, or train it live.",
        "It stops by itself, before it has done all its passes.",
    ),
    Step(
        "try",
        "Try it: ask a trained network",
        (
            "Now a trained network can look at a picture it has never seen and give {classes} chances.",
            "Your drawing is shrunk to {side} by {side} dots, bright on black, like the pictures it learnt from.",
            "The tallest bar is its guess. When two bars are close, it is not sure.",
        ),
        "Draw one garment on the black square, big and filled in, and read its {classes} chances. No mouse? "
        "Ask it about a test picture instead.",
        "It is very sure about pictures like the ones it learnt from, and unsure about odd ones, as you might be.",
    ),
    Step(
        "exercises",
        "Lab 1's exercises",
        (
            "The lesson's first lab ends with eight small experiments. Each one changes one thing and asks "
            "what happens.",
            "Pick an exercise, read the question, think about it, then press the button for the answer.",
        ),
        "Choose an exercise, guess first, then show the answer.",
        "Small changes can make a network slower, better, worse, or stop it working at all.",
    ),
)


def step_from_param(value: str | None, count: int = len(STEPS)) -> int | None:
    """The step number in a link (?step=3), or None when it is missing or not a step."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= count else None


# -- The demos -----------------------------------------------------------------------------------------


def flatten_frames(image: np.ndarray, rows_done: int) -> tuple[np.ndarray, np.ndarray]:
    """The picture with its first rows_done rows taken away, and the row of numbers with them laid out.

    Returns (picture, row): picture is the 2-D image with moved rows greyed out; row is 1 × pixels, with the
    places not filled yet greyed out.
    """
    rows_done = int(np.clip(rows_done, 0, image.shape[0]))
    moved = rows_done * image.shape[1]
    picture = image.copy()
    picture[:rows_done] = EMPTY_GREY
    row = np.full((1, image.size), EMPTY_GREY, dtype=image.dtype)
    row[0, :moved] = image.reshape(-1)[:moved]
    return picture, row


EMPTY_GREY = 70  # where a dot has been moved from, or not yet moved to


@dataclass(frozen=True)
class NeuronSum:
    """One neuron on one picture: what each dot adds, the sum, and what ReLU lets through."""

    contributions: np.ndarray  # pixel (0..1) × weight, one per dot
    bias: float

    @property
    def total(self) -> float:
        return float(self.contributions.sum() + self.bias)

    @property
    def after_relu(self) -> float:
        return relu(self.total)


def neuron_sum(image: np.ndarray, weights: Sequence[float], bias: float) -> NeuronSum:
    """The sum a Dense neuron computes for a picture, with pixels scaled to 0..1 as the lecture's model does."""
    pixels = np.asarray(image, dtype=float).reshape(-1) / 255.0
    return NeuronSum(pixels * np.asarray(weights, dtype=float), float(bias))


PLAIN_LAYER_NAMES = {"Rescaling": "Scale (dots to 0…1)", "Dense": "Dense (neurons)"}


def layer_table(config=LECTURE) -> str:
    """A network's layers as a Markdown table in plain words: what each gives and how many weights it learns."""
    lines = ["| layer | what it gives | weights |", "| --- | --- | ---: |"]
    lines += [
        f"| {PLAIN_LAYER_NAMES.get(r['kind'], r['kind'])} | {r['output shape']} numbers | {r['parameters']:,} |"
        for r in planned_summary_rows(config)
    ]
    return "\n".join(lines)


def softmax_in_words(scores: Sequence[float] = LESSON_SCORES) -> str:
    """The softmax chart said in a sentence."""
    chances = softmax(scores)
    return (
        f"Chart: the scores {', '.join(f'{s:g}' for s in scores)} as chances "
        f"{', '.join(f'{c:.3f}' for c in chances)}; they add up to {chances.sum():g}, and the score "
        f"{max(scores):g} gets {chances.max():.1%}."
    )
