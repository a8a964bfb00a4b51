"""The Lesson's steps: where a click takes the visitor, and each step's demo (Lab 1's exercises the last).

Page-only drawing code for playground/pages/lesson.py; the words and numbers come from the core
(playground.lesson.steps, lesson_runs, lesson_exercises), recorded answers and live runs from
pages/parts/lesson_answers.py.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground import charts
from playground.answers.inference import Classifier
from playground.charts.images import image_grid_alt
from playground.charts.lesson import softmax_alt
from playground.charts.results import neuron_weights_alt, probability_alt
from playground.data.fashion_mnist import CLASS_NAMES, FashionMNIST
from playground.lesson import exercises as lesson_exercises
from playground.lesson import runs as lesson_runs
from playground.lesson import steps as lesson
from playground.lesson.records import load_mistake
from playground.network.numpy_net import count_parameters
from playground.pages.parts.common import dataset, ready_made_classifier
from playground.pages.parts.drawing import SIDE, drawing_canvas, model_input_or_hint
from playground.pages.parts.lesson_answers import (
    STILL,
    compare_runs,
    not_shipped,
    recorded_or_live,
    records,
    reveal,
    shown,
)
from playground.server.workers import RemoteRun
from playground.settings.config import LECTURE

STEP_PARAM, EXERCISE_PARAM = "step", "exercise"  # the lesson's own keys in the address; others are left alone


def step_facts(data: FashionMNIST) -> dict:
    """The numbers the steps' words are filled with, from the dataset itself."""
    return lesson.lesson_facts(
        len(data.train_labels), len(data.test_labels), len(CLASS_NAMES), data.test_images.shape[1]
    )


def go_to(number: int) -> None:
    st.session_state.lesson_step = number
    st.session_state.lesson_moved = True  # the new step starts at its top, not where the Next button was
    st.query_params[STEP_PARAM] = str(number)
    if EXERCISE_PARAM in st.query_params and number != len(lesson.STEPS):
        del st.query_params[EXERCISE_PARAM]


# -- Each step's demo ------------------------------------------------------------------------------------


def zoomed(image: np.ndarray, zoom: int = 4) -> np.ndarray:
    """A small picture blown up with hard pixel edges, so each dot can be seen."""
    return np.kron(image, np.ones((zoom, zoom), dtype=image.dtype))


def first_picture_alt() -> str:
    data = dataset()
    return f"The first test picture: a {CLASS_NAMES[int(data.test_labels[0])]}, light on black"


def demo_data() -> None:
    data = dataset()
    facts = step_facts(data)
    first, second, third = st.columns(3)
    first.metric("Pictures to learn from", facts["train"])
    second.metric("Kept for the test", facts["test"])
    third.metric("Kinds of garment", facts["classes"])
    picks = [int(np.flatnonzero(data.train_labels == label)[0]) for label in range(len(CLASS_NAMES))]
    figure = charts.image_grid_figure(data.train_images[picks], list(CLASS_NAMES), columns=5)
    st.plotly_chart(
        figure, key="lesson_samples", config=STILL, alt=image_grid_alt("training pictures, one per kind", CLASS_NAMES)
    )
    st.caption("Pictures: the first training picture of each of the ten kinds, enlarged.")


def demo_flatten() -> None:
    data = dataset()
    image = data.test_images[0]
    rows = st.slider("Rows laid out", 0, image.shape[0], image.shape[0] // 2, key="lesson_flatten_rows")
    picture, row = lesson.flatten_frames(image, rows)
    left, right = st.columns([1, 3])
    left.image(zoomed(picture), caption="The picture", alt=f"The picture with its first {rows} rows moved out")
    right.image(
        np.kron(row, np.ones((60, 1), dtype=row.dtype)),
        caption=f"One row of {row.size} numbers",
        alt=f"The {rows} rows laid end to end as one long strip of dots",
    )
    if rows:
        st.caption(f"Picture row {rows}, now in the long row: {' '.join(str(v) for v in image[rows - 1])}")


def demo_neuron() -> None:
    data = dataset()
    if (shipped := records("lecture")) is None:
        return
    record, image = shipped["lecture"], data.test_images[0]
    names = ["the first neuron", "the second neuron"]
    neuron = record.neurons[names.index(st.radio("Neuron", names, horizontal=True, key="lesson_neuron"))]
    result = lesson.neuron_sum(image, neuron["weights"], neuron["bias"])
    kernel = np.array([n["weights"] for n in record.neurons]).T
    left, right = st.columns([1, 2])
    left.image(zoomed(image), caption="The picture", alt=first_picture_alt())
    figure = charts.neuron_weights_figure(kernel, image.shape, count=2, columns=2)
    right.plotly_chart(figure, key="lesson_neuron_weights", config=STILL, alt=neuron_weights_alt(2, image.shape))
    right.caption(
        "The two neurons' weights, one per dot (the first neuron left, the second right): red dots push the sum "
        "up when bright, blue dots push it down."
    )
    first, second = st.columns(2)
    first.metric("Sum of dots × weights", f"{result.total:+.2f}")
    second.metric("After ReLU", f"{result.after_relu:.2f}")
    st.caption(f":material/history: {record.label()}")


def demo_layers() -> None:
    st.markdown(lesson.layer_table(LECTURE))
    st.caption(f"The lecture's network: {count_parameters(LECTURE):,} weights in all, each one learnt.")
    scores = lesson.LESSON_SCORES
    st.plotly_chart(charts.softmax_figure(scores), key="lesson_softmax", config=STILL, alt=softmax_alt(scores))
    st.caption(lesson.softmax_in_words(lesson.LESSON_SCORES))


def demo_train() -> None:
    compare_runs("step_train", ["lecture"], chart=lambda chosen: chosen, label="Train it live")


def demo_overfit() -> None:
    say = lesson_exercises.exercise(6).answer  # exercise 6 asks the same question
    compare_runs("step_overfit", ["lecture", "epochs_15", "epochs_30"], say, chart=lambda _: "epochs_30")


def demo_callback() -> None:
    def say(outcomes: dict, chosen: str) -> str:
        return lesson_runs.stopped_in_words(outcomes[chosen])

    compare_runs("step_callback", ["callback_loss"], say, chart=lambda chosen: chosen)


def show_chances(image: np.ndarray, key: str) -> None:
    """The ready-made network's verdict on a 28×28 picture, and its ten chances as bars."""
    prediction = ready_made_classifier().predict(image)
    st.markdown(f"The ready-made network is **{prediction.in_words()}**.")
    alt = probability_alt(prediction.probabilities)
    st.plotly_chart(charts.probability_figure(prediction.probabilities), key=key, config=STILL, alt=alt)
    st.caption("Chart: the ten chances, one bar per kind of garment; its guess is the orange bar.")


def demo_try() -> None:
    data = dataset()
    with st.container(horizontal=True, gap="medium", key="lesson_try_row"):  # side by side where both fit
        canvas_side = st.container(width=SIDE, key="lesson_canvas_column")
        answer_side = st.container(key="lesson_answer_column")
    with canvas_side:
        rgba = drawing_canvas("lesson_canvas")
    with answer_side:
        if (drawn := model_input_or_hint(rgba)) is not None:
            st.image(
                zoomed(drawn, 6),
                caption="What the network sees: 28 × 28 dots",
                width=168,
                alt="Your drawing shrunk to 28 × 28 dots, light on black",
            )
    if drawn is not None:
        show_chances(drawn, "lesson_drawn_chart")
    if st.button("Or show it a test picture", key="lesson_try_pick", icon=":material/shuffle:"):
        st.session_state.lesson_try_index = int(np.random.default_rng().integers(len(data.test_labels)))
    if (index := st.session_state.get("lesson_try_index")) is not None:
        label = int(data.test_labels[index])
        st.image(
            zoomed(data.test_images[index], 3),
            caption=f"A test picture. Really: {CLASS_NAMES[label]}",
            alt=f"A test picture of a {CLASS_NAMES[label]}",
        )
        show_chances(data.test_images[index], "lesson_try_chart")
    st.page_link("playground/pages/try_it.py", label="More in Try it: upload a photo", icon=":material/draw:")


# -- Lab 1's exercises ----------------------------------------------------------------------------------


def first_test_image(probabilities, label: int, key: str) -> None:
    data = dataset()
    left, right = st.columns([1, 3])
    left.image(
        zoomed(data.test_images[0]),
        caption="The first test picture",
        alt=first_picture_alt(),
    )
    chances = np.asarray(probabilities)
    right.plotly_chart(charts.probability_figure(chances), key=key, config=STILL, alt=probability_alt(chances))
    st.code("[" + ", ".join(f"{p:.4f}" for p in probabilities) + f"]\n{label}", language="text")
    st.markdown(lesson_exercises.probabilities_answer(probabilities, label, CLASS_NAMES))


def exercise_one(exercise) -> None:
    data = dataset()
    if (shipped := records("lecture")) is None:
        return
    record = shipped["lecture"]

    def answer() -> None:
        first_test_image(record.first_test_image["probabilities"], record.first_test_image["label"], "ex1_chart")
        st.caption(f":material/history: {record.label()}")

    def ask(run: RemoteRun) -> None:
        if run.kept_weights is not None:
            prediction = Classifier.from_weights(run.config, run.kept_weights).predict(data.test_images[0])
            first_test_image(prediction.probabilities, int(data.test_labels[0]), "ex1_live_answer_chart")

    recorded_or_live("ex1", record.config, answer, label="Train it live and ask it", after=ask)


def exercise_mistake(exercise) -> None:
    if (record := load_mistake(exercise.mistake)) is None:
        return not_shipped(exercise.mistake)
    st.code(record.code, language="python")
    slot = f"ex{exercise.number}"
    st.button("Run it", key=f"{slot}_show", type="primary", icon=":material/play_arrow:", on_click=reveal, args=(slot,))
    if shown(slot):
        st.error(f"**{record.error_type}:** {record.short_message}", icon=":material/error:")
        st.markdown(exercise.explanation)
        st.caption(
            f":material/history: The real error, shortened, recorded on {record.date} with Keras "
            f"{record.versions.get('keras', '?')}. {record.how} This page never runs TensorFlow itself; "
            "the tests produce the error again and compare."
        )


def exercise_compare(exercise) -> None:
    chart = (lambda chosen: chosen) if exercise.chart_chosen else None
    compare_runs(
        f"ex{exercise.number}", exercise.runs, exercise.answer, chart, (exercise.choice_label, exercise.first_choice)
    )
    if exercise.note:
        st.caption(exercise.note)


def demo_exercises() -> None:
    linked = lesson_exercises.exercise_from_param(st.query_params.get(EXERCISE_PARAM))
    st.session_state.setdefault("lesson_exercise", (linked or lesson_exercises.EXERCISES[0]).number)
    numbers = lesson_exercises.EXERCISE_NUMBERS
    picked = st.segmented_control("Exercise", numbers, required=True, format_func=str, key="lesson_exercise")
    st.query_params[EXERCISE_PARAM] = str(picked)
    exercise = lesson_exercises.EXERCISES[numbers.index(picked)]
    with st.container(border=True, key="lesson_exercise_box"):
        st.subheader(f"{exercise.number}. {exercise.title}")
        st.markdown(exercise.question)
        answer = exercise_mistake if exercise.mistake else exercise_one if exercise.number == 1 else exercise_compare
        answer(exercise)


DEMOS = {
    "data": demo_data,
    "flatten": demo_flatten,
    "neuron": demo_neuron,
    "layers": demo_layers,
    "train": demo_train,
    "overfit": demo_overfit,
    "callback": demo_callback,
    "try": demo_try,
    "exercises": demo_exercises,
}
