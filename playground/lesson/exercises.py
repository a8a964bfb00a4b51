"""Lab 1's eight exercises: each question, the recorded runs or notebook error that answer it, and the answer.

Every number in an answer comes from the runs passed in (shipped records or a live run), never from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from playground.lesson.records import CALLBACK_ACCURACY_CHOICES, callback_accuracy_run
from playground.lesson.runs import Outcome, describe_config
from playground.settings.config import LECTURE
from playground.settings.presets import PRESETS


@dataclass(frozen=True)
class Exercise:
    """A question from Lab 1 and what answers it: recorded runs to compare, or a notebook error to show."""

    number: int
    title: str
    question: str
    runs: tuple[str, ...] = ()  # names in records.RECORDED_RUNS, the lecture's first when compared
    mistake: str = ""  # a name in records.MISTAKES
    explanation: str = ""  # for a mistake: why it fails, in plain words
    choice_label: str = "Which one runs live"  # what picking one of the variants means
    start_choice: str = ""  # the variant picked at first (the first when empty)
    note: str = ""  # a caution under the answer
    chart_chosen: bool = False  # draw the chosen run's training chart with the answer

    @property
    def first_choice(self) -> str:
        return self.start_choice or self.variants[0]

    def answer(self, outcomes: Mapping[str, Outcome], chosen: str = "") -> str:
        """This exercise's answer from its runs' numbers (a comparing exercise only)."""
        return compare_answer(self.number, outcomes, chosen)

    @property
    def variants(self) -> tuple[str, ...]:
        """The runs a visitor can pick to run live: every one but the lecture's, which is the yardstick."""
        return live_choices(self.runs)


def live_choices(runs: tuple[str, ...]) -> tuple[str, ...]:
    """Of runs compared with the lecture's, those a visitor may run live (the lecture's itself when alone)."""
    return tuple(name for name in runs if name != "lecture") or runs


CALLBACK_TARGETS = {callback_accuracy_run(target): target for target in CALLBACK_ACCURACY_CHOICES}

EXERCISES = (
    Exercise(
        1,
        "What do the ten numbers mean?",
        "After training, the notebook prints the network's answer for the first test picture: ten numbers, "
        "and then the picture's true label. What do the ten numbers mean?",
        runs=("lecture",),
    ),
    Exercise(
        2,
        "More neurons",
        "Give the hidden layer 512 or 1024 neurons instead of the lecture's. Does training get slower? "
        "Does the network get more accurate?",
        runs=("lecture", "wider_512", "bigger_1024"),
        note="Times are from one shared machine with other work running; the weights count is exact.",
    ),
    Exercise(
        3,
        "Take away Flatten",
        "What happens if the network has no Flatten layer?",
        mistake="no_flatten",
        explanation=(
            "Without Flatten, every neuron looks at one row of the picture at a time instead of the whole "
            "picture. So the network gives an answer for each row, a whole grid of answers per picture, "
            "while each picture has only one label to compare with. The shapes do not match, and Keras stops. "
            "Laying the picture out as one row first gives one row in, one answer out."
        ),
    ),
    Exercise(
        4,
        "Five outputs instead of ten",
        "The last layer has one neuron per kind of garment. What if it has only five?",
        mistake="five_outputs",
        explanation=(
            "The labels are the numbers of the ten kinds, from the first to the last. With five output "
            "neurons the network can only answer with the first five kinds, so a label like 'ankle boot' "
            "points at an output that does not exist, and Keras stops. There must be one output per kind."
        ),
    ),
    Exercise(
        5,
        "An extra hidden layer",
        "Add a second hidden layer between the first one and the output. Does it help?",
        runs=("lecture", "extra_layer"),
    ),
    Exercise(
        6,
        "More epochs",
        "Train for 15 or 30 passes instead of the lecture's. Does it keep getting better?",
        runs=("lecture", "epochs_15", "epochs_30"),
    ),
    Exercise(
        7,
        "No normalization",
        "The notebook divides every dot by 255, so the numbers go from 0 to 1. What if we skip that?",
        runs=("lecture", "no_normalization"),
    ),
    Exercise(
        8,
        "A callback at a chosen accuracy",
        "Stop training once the training accuracy reaches a level you choose. At which pass does it stop?",
        runs=tuple(CALLBACK_TARGETS),
        choice_label="Stop at this training accuracy",
        start_choice=callback_accuracy_run(0.90),
        chart_chosen=True,  # the lesson notes read "0.9" as "about 90% accurate"
    ),
)
EXERCISE_NUMBERS = tuple(exercise.number for exercise in EXERCISES)


def exercise(number: int) -> Exercise:
    return EXERCISES[EXERCISE_NUMBERS.index(number)]


def exercise_from_param(value: str | None) -> Exercise | None:
    """The exercise in a link (?exercise=4), or None when it is missing or not an exercise."""
    text = str(value).strip()
    return exercise(int(text)) if text.isdigit() and int(text) in EXERCISE_NUMBERS else None


def variant_in_words(name: str) -> str:
    """How a run is offered as a choice: '88%' for exercise 8's targets, else its settings in a few words."""
    return f"{CALLBACK_TARGETS[name]:.0%}" if name in CALLBACK_TARGETS else describe_config(name)


def compare_answer(number: int, outcomes: Mapping[str, Outcome], chosen: str = "") -> str:
    """The answer to a comparing exercise, in plain words, from the runs' real numbers (lecture first).

    chosen names the run a visitor picked, where the exercise asks for a choice (exercise 8's accuracy).
    """
    base = outcomes.get("lecture")
    others = {name: o for name, o in outcomes.items() if name != "lecture"}
    if number == 2 and base:
        parts = [
            f"{PRESETS[name].config.hidden_units[0]} neurons: {o.test_accuracy:.1%} right on the test, "
            f"{o.parameters:,} weights, {o.seconds:.0f} s" + (" (slower)" if o.seconds > base.seconds else "")
            for name, o in others.items()
        ]
        return (
            f"The lecture's network ({LECTURE.hidden_units[0]} neurons) got {base.test_accuracy:.1%} right with "
            f"{base.parameters:,} weights in {base.seconds:.0f} s. " + "; ".join(parts) + ". "
            "More neurons mean many more weights to compute, so each pass takes longer; accuracy moves only "
            "a little."
        )
    if number == 5 and base:
        (extra,) = others.values()
        better = "a little better" if extra.test_accuracy > base.test_accuracy else "no better"
        return (
            f"One hidden layer: {base.test_accuracy:.1%} right on the test. Two hidden layers: "
            f"{extra.test_accuracy:.1%}, {better}, with {extra.parameters:,} weights instead of "
            f"{base.parameters:,}. For pictures this simple, one layer already finds most of what there is."
        )
    if number == 6 and base:
        parts = [
            f"{o.epochs_run} passes: training {o.train_accuracy:.1%}, test {o.test_accuracy:.1%} (gap {o.gap:.1%})"
            for o in (base, *others.values())
        ]
        return (
            "; ".join(parts) + ". Training accuracy keeps climbing, the test much less: the network starts "
            "learning its own pictures by heart. That is overfitting."
        )
    if number == 7 and base:
        (raw,) = others.values()
        return (
            f"Divided by 255: {base.test_accuracy:.1%} right on the test. Raw numbers up to 255: "
            f"{raw.test_accuracy:.1%}. Big input numbers make the optimizer's nudges too big and bumpy, so it "
            "learns worse in the same time."
        )
    if number == 8:
        return callback_choice_answer(outcomes, chosen or next(iter(outcomes)))
    return ""


def callback_choice_answer(outcomes: Mapping[str, Outcome], chosen: str) -> str:
    """Exercise 8: where the chosen target stopped training, then every recorded target in a table."""
    run = outcomes[chosen]
    rows = sorted(((CALLBACK_TARGETS[name], o) for name, o in outcomes.items()), key=lambda row: row[0])
    table = ["| Stop at | Stopped after | Right on the test |", "| ---: | ---: | ---: |"]
    table += [f"| {target:.0%} | {o.epochs_run} passes | {o.test_accuracy:.1%} |" for target, o in rows]
    passes = [o.epochs_run for _, o in rows]
    trend = (
        "The higher the target, the more passes it takes."
        if passes == sorted(passes) and passes[0] < passes[-1]
        else "Here the passes needed did not grow with the target: small differences between runs can move a stop."
    )
    return (
        f"It stopped after **{run.epochs_run}** passes: {run.stop_reason}. On the test pictures, which the callback "
        f"never looks at, it got {run.test_accuracy:.1%}.\n\nEvery target, as recorded:\n\n"
        + "\n".join(table)
        + f"\n\n{trend}"
    )


def probabilities_answer(probabilities: Sequence[float], label: int, class_names: Sequence[str]) -> str:
    """Exercise 1's answer: what the ten numbers mean, for this picture."""
    values = np.asarray(probabilities, dtype=float)
    guess = int(np.argmax(values))
    verdict = "right" if guess == label else "wrong"
    return (
        f"Each number is how likely the network thinks it is that the picture shows one kind of garment, in "
        f"the order of the labels. Together they add up to {values.sum():.3f}. The biggest, {values[guess]:.1%}, "
        f"is at place {guess}: {class_names[guess]}. The true label is {label}, {class_names[label]}, so the "
        f"guess is {verdict}."
    )
