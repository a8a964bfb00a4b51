"""Lesson: the week-2 lesson as a guided walk, one short step at a time, with Lab 1's exercises to run.

The step is in the address (?step=3, ?step=9&exercise=4), so a teacher can link to any of them. Nothing here
starts work on its own: a recorded answer is read from playground/lesson_records, and a live run starts only on
a click, through the session's trainer queue like the Train page's.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground import charts
from playground.config import LECTURE
from playground.data import CLASS_NAMES
from playground.inference import Classifier
from playground.lesson import (
    EXERCISE_NUMBERS,
    EXERCISES,
    LESSON_SCORES,
    STEPS,
    Outcome,
    compare_answer,
    describe_config,
    flatten_frames,
    lesson_facts,
    neuron_sum,
    probabilities_answer,
    step_from_param,
)
from playground.lesson_records import load_mistake, load_run
from playground.maths import softmax
from playground.numpy_net import count_parameters, summary_rows
from playground.pages.common import dataset, session_lab
from playground.snapshots import EpochRecord, RunState, Snapshot
from playground.workers import RemoteRun, TrainerBusy, wait_in_words

STEP_PARAM, EXERCISE_PARAM = "step", "exercise"  # the lesson's own keys in the address; others are left alone
LIVE_REFRESH_SECONDS = 1.0
ZOOM = 8  # screen pixels per image pixel for the small pictures
PROJECTOR_CSS = """<style>
.st-key-lesson_text p, .st-key-lesson_notice p { font-size: 1.2rem; line-height: 1.55; }
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
</style>"""

st.set_page_config(page_title="Lesson · Fashion-MNIST playground", layout="centered")
st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)  # larger text: readable from the back of a room
data = dataset()
facts = lesson_facts(len(data.train_labels), len(data.test_labels), len(data.class_names), data.test_images.shape[1])
lab = session_lab()


# -- Where we are: the address wins, then this session, then step 1 ---------------------------------------


def go_to(number: int) -> None:
    st.session_state.lesson_step = number
    st.query_params[STEP_PARAM] = str(number)
    if EXERCISE_PARAM in st.query_params and number != len(STEPS):
        del st.query_params[EXERCISE_PARAM]


linked = step_from_param(st.query_params.get(STEP_PARAM))
number = linked or st.session_state.get("lesson_step", 1)
st.session_state.lesson_step = number
if st.query_params.get(STEP_PARAM) != str(number):
    st.query_params[STEP_PARAM] = str(number)  # so the address can be copied and shared as it is
step = STEPS[number - 1].filled(facts)


# -- Recorded answers and live runs ---------------------------------------------------------------------


def reveal(slot: str) -> None:
    st.session_state.setdefault("lesson_shown", set()).add(slot)


def start_live(slot: str, config) -> None:
    """On a click only: queue the run on the session's trainers and remember which slot it belongs to."""
    try:
        run = lab.start(config)
    except TrainerBusy as busy:
        st.session_state.lesson_busy = str(busy)
        return
    st.session_state.setdefault("lesson_live", {})[slot] = run.uid


def live_run(slot: str) -> RemoteRun | None:
    uid = st.session_state.get("lesson_live", {}).get(slot)
    return next((run for run in lab.runs if run.uid == uid), None)


def training_now() -> RemoteRun | None:
    run = lab.current
    return run if run is not None and not run.snapshot.state.done else None


def recorded_snapshot(record) -> Snapshot:
    """A finished Snapshot built from a record's epochs, so the live chart can draw it."""
    history = tuple(EpochRecord(e.epoch, e.loss, e.accuracy, None, e.val_accuracy) for e in record.epochs)
    return Snapshot(state=RunState.FINISHED, epochs=record.config.epochs, epoch_history=history)


def chart_description(history) -> str:
    first, last = history[0], history[-1]
    text = (
        f"Chart: the loss fell from {first.loss:.3f} after pass {first.epoch} to {last.loss:.3f} after pass "
        f"{last.epoch}; training accuracy rose from {first.accuracy:.1%} to {last.accuracy:.1%}"
    )
    if last.val_accuracy is not None:
        text += f", and on the held-back validation pictures it ended at {last.val_accuracy:.1%}"
    return text + "."


def show_recorded(record, key: str) -> None:
    st.plotly_chart(charts.live_training_figure(recorded_snapshot(record)), key=key, config={"displayModeBar": False})
    st.caption(chart_description(record.epochs))


def describe_progress(snap) -> str:
    if snap.state is RunState.QUEUED and snap.queue_position == 0:
        return "Getting a trainer ready (a few seconds)…"
    if snap.state is RunState.QUEUED:
        wait = wait_in_words(snap.estimated_wait)
        return f"Waiting for a free trainer: number {snap.queue_position} in the queue, {wait} to go."
    return f"Pass {snap.epoch} of {snap.epochs} · {snap.examples_seen:,} pictures seen · {snap.elapsed:.0f} s"


def live_view(run: RemoteRun, slot: str, after) -> None:
    """Progress and the live chart; once finished, the run's numbers and `after(run)`."""
    snap = run.snapshot
    if not snap.state.done:
        st.progress(snap.progress, text=describe_progress(snap))
        if snap.state is not RunState.QUEUED:
            st.plotly_chart(
                charts.live_training_figure(snap), key=f"{slot}_live_chart", config={"displayModeBar": False}
            )
        st.button("Stop", key=f"{slot}_stop", icon=":material/stop:", on_click=run.stop)
        return
    if snap.state is RunState.FAILED:
        st.error(snap.error, icon=":material/error:")
    else:
        st.plotly_chart(charts.live_training_figure(snap), key=f"{slot}_live_chart", config={"displayModeBar": False})
        if snap.epoch_history:
            st.caption(chart_description(snap.epoch_history))
        st.success(
            f"Live, just now: {snap.stop_reason}; {snap.test_accuracy:.1%} right on the test pictures, "
            f"{snap.train_accuracy:.1%} on the training pictures, in {snap.elapsed:.0f} s.",
            icon=":material/check:",
        )
        if after is not None:
            after(run)
    if st.session_state.get("lesson_finished") != run.uid:
        st.session_state.lesson_finished = run.uid
        st.rerun()  # once, to stop the timer


def run_buttons(slot: str, config, recorded: bool = True, label: str = "Run it live") -> None:
    """'Show the recorded answer' (instant) and 'Run it live' (queued; one run at a time per visitor)."""
    busy = training_now()
    left, right = st.columns(2)
    if recorded:
        left.button(
            "Show the recorded answer",
            key=f"{slot}_show",
            type="primary",
            icon=":material/history:",
            on_click=reveal,
            args=(slot,),
            help="Instant: a run made ahead of time with the project's own command line, on the real data.",
        )
    right.button(
        label,
        key=f"{slot}_live",
        icon=":material/play_arrow:",
        on_click=start_live,
        args=(slot, config),
        disabled=busy is not None,
        help=f"Trains {describe_config(config)} now, on this server."
        if busy is None
        else "Your other run is still training: wait for it, or stop it.",
    )
    if "lesson_busy" in st.session_state:
        st.warning(st.session_state.pop("lesson_busy"), icon=":material/hourglass_top:")


def live_section(slot: str, after=None) -> None:
    run = live_run(slot)
    if run is None:
        return
    st.markdown(f"**Live run:** {describe_config(run.config)}")
    refresh = LIVE_REFRESH_SECONDS if not run.snapshot.state.done else None
    st.fragment(run_every=refresh, key=f"{slot}_fragment")(live_view)(run, slot, after)


def shown(slot: str) -> bool:
    return slot in st.session_state.get("lesson_shown", set())


def recorded_note(record) -> None:
    st.caption(f":material/history: {record.label()}")


def missing_record(name: str) -> None:
    st.warning(
        f"The recorded run `{name}` is not shipped; run `scripts/record_lesson.py {name}`.", icon=":material/warning:"
    )


# -- Each step's demo ------------------------------------------------------------------------------------


def zoomed(image: np.ndarray, zoom: int = ZOOM) -> np.ndarray:
    return np.kron(image, np.ones((zoom, zoom), dtype=image.dtype))


def demo_data() -> None:
    first, second, third = st.columns(3)
    first.metric("Pictures to learn from", facts["train"])
    second.metric("Kept for the test", facts["test"])
    third.metric("Kinds of garment", facts["classes"])
    picks = [int(np.flatnonzero(data.train_labels == label)[0]) for label in range(len(data.class_names))]
    figure = charts.image_grid_figure(data.train_images[picks], list(data.class_names), columns=5)
    st.plotly_chart(figure, key="lesson_samples", config={"displayModeBar": False})
    st.caption("Pictures: the first training picture of each of the ten kinds, enlarged.")


def demo_flatten() -> None:
    image = data.test_images[0]
    rows = st.slider("Rows laid out", 0, image.shape[0], image.shape[0] // 2, key="lesson_flatten_rows")
    picture, row = flatten_frames(image, rows)
    left, right = st.columns([1, 3])
    left.image(zoomed(picture, 4), caption="The picture")
    right.image(np.kron(row, np.ones((60, 1), dtype=row.dtype)), caption=f"One row of {row.size} numbers")
    if rows:
        numbers = " ".join(str(value) for value in image[rows - 1])
        st.caption(f"Picture row {rows}, now in the long row: {numbers}")


def demo_neuron() -> None:
    record = load_run("lecture")
    if record is None or not record.neurons:
        return missing_record("lecture")
    image = data.test_images[0]
    names = ["the first neuron", "the second neuron"]
    choice = st.radio("Neuron", names, horizontal=True, key="lesson_neuron")
    neuron = record.neurons[names.index(choice)]
    result = neuron_sum(image, neuron["weights"], neuron["bias"])
    kernel = np.array([n["weights"] for n in record.neurons]).T
    left, right = st.columns([1, 2])
    left.image(zoomed(image, 4), caption="The picture")
    right.plotly_chart(
        charts.neuron_weights_figure(kernel, image.shape, count=2, columns=2),
        key="lesson_neuron_weights",
        config={"displayModeBar": False},
    )
    right.caption(
        "The two neurons' weights, one per dot (the first neuron left, the second right): red dots push the sum "
        "up when bright, blue dots push it down."
    )
    first, second = st.columns(2)
    first.metric("Sum of dots × weights", f"{result.total:+.2f}")
    second.metric("After ReLU", f"{result.after_relu:.2f}")
    recorded_note(record)


PLAIN_LAYER_NAMES = {"Rescaling": "Scale (dots to 0…1)", "Dense": "Dense (neurons)"}


def demo_layers() -> None:
    lines = ["| layer | what it gives | weights |", "| --- | --- | ---: |"]
    lines += [
        f"| {PLAIN_LAYER_NAMES.get(r['kind'], r['kind'])} | {r['output shape']} numbers | {r['parameters']:,} |"
        for r in summary_rows(LECTURE)
    ]
    st.markdown("\n".join(lines))
    st.caption(f"The lecture's network: {count_parameters(LECTURE):,} weights in all, each one learnt.")
    st.plotly_chart(charts.softmax_figure(LESSON_SCORES), key="lesson_softmax", config={"displayModeBar": False})
    chances = softmax(LESSON_SCORES)
    st.caption(
        f"Chart: the scores {facts['scores']} as chances {facts['chances']}; they add up to {chances.sum():g}, "
        f"and the score {max(LESSON_SCORES):g} gets {chances.max():.1%}."
    )


def demo_train() -> None:
    record = load_run("lecture")
    run_buttons("step_train", LECTURE, recorded=record is not None, label="Train it live")
    if record and shown("step_train"):
        show_recorded(record, "step_train_recorded")
        recorded_note(record)
    live_section("step_train")


def demo_overfit() -> None:
    records = {name: load_run(name) for name in ("lecture", "epochs_15", "epochs_30")}
    if any(record is None for record in records.values()):
        return missing_record(", ".join(name for name, record in records.items() if record is None))
    choice = st.radio(
        "Passes for a live run",
        ["epochs_15", "epochs_30"],
        format_func=lambda name: f"{records[name].config.epochs} passes",
        horizontal=True,
        key="lesson_overfit_choice",
    )
    run_buttons("step_overfit", records[choice].config)
    if shown("step_overfit"):
        outcomes = {name: Outcome.from_summary(record.summary) for name, record in records.items()}
        st.markdown(compare_answer(6, outcomes))
        show_recorded(records["epochs_30"], "step_overfit_recorded")
        for record in records.values():
            recorded_note(record)
    live_section("step_overfit")


def demo_callback() -> None:
    record = load_run("callback_loss")
    if record is None:
        return missing_record("callback_loss")
    run_buttons("step_callback", record.config)
    if shown("step_callback"):
        outcome = Outcome.from_summary(record.summary)
        st.markdown(
            f"It was allowed {record.config.epochs} passes and stopped after **{outcome.epochs_run}**: "
            f"{outcome.stop_reason}."
        )
        show_recorded(record, "step_callback_recorded")
        recorded_note(record)
    live_section("step_callback")


@st.cache_resource(show_spinner=False)
def ready_made() -> Classifier:
    return Classifier.pretrained()


def demo_try() -> None:
    if st.button("Show it a test picture", key="lesson_try_pick", type="primary", icon=":material/shuffle:"):
        st.session_state.lesson_try_index = int(np.random.default_rng().integers(len(data.test_labels)))
    index = st.session_state.get("lesson_try_index")
    if index is not None:
        image, label = data.test_images[index], int(data.test_labels[index])
        prediction = ready_made().predict(image)
        left, right = st.columns([1, 3])
        left.image(zoomed(image, 4), caption=f"Really: {CLASS_NAMES[label]}")
        right.plotly_chart(
            charts.probability_figure(prediction.probabilities),
            key="lesson_try_chart",
            config={"displayModeBar": False},
        )
        st.markdown(f"The ready-made network is **{prediction.in_words()}**.")
        st.caption("Chart: the ten chances, one bar per kind of garment; its guess is the orange bar.")
    st.page_link("playground/pages/try_it.py", label="Draw a garment yourself in Try it", icon=":material/draw:")


# -- Lab 1's exercises ----------------------------------------------------------------------------------


def first_test_image(probabilities, label: int) -> None:
    left, right = st.columns([1, 3])
    left.image(zoomed(data.test_images[0], 4), caption="The first test picture")
    right.plotly_chart(
        charts.probability_figure(np.asarray(probabilities)),
        key=f"ex1_chart_{len(st.session_state.get('lesson_live', {}))}",
        config={"displayModeBar": False},
    )
    st.code("[" + ", ".join(f"{p:.4f}" for p in probabilities) + f"]\n{label}", language="text")
    st.markdown(probabilities_answer(probabilities, label, CLASS_NAMES))


def exercise_one() -> None:
    record = load_run("lecture")
    if record is None or record.first_test_image is None:
        return missing_record("lecture")
    run_buttons("ex1", record.config, label="Train it live and ask it")
    if shown("ex1"):
        first_test_image(record.first_test_image["probabilities"], record.first_test_image["label"])
        recorded_note(record)

    def ask(run: RemoteRun) -> None:
        if run.kept_weights is None:
            return
        prediction = Classifier.from_weights(run.config, run.kept_weights).predict(data.test_images[0])
        first_test_image(prediction.probabilities, int(data.test_labels[0]))

    live_section("ex1", after=ask)


def exercise_mistake(exercise) -> None:
    record = load_mistake(exercise.mistake)
    if record is None:
        return missing_record(exercise.mistake)
    st.code(record.code, language="python")
    st.button(
        "Run it",
        key=f"ex{exercise.number}_show",
        type="primary",
        icon=":material/play_arrow:",
        on_click=reveal,
        args=(f"ex{exercise.number}",),
    )
    if shown(f"ex{exercise.number}"):
        st.error(f"**{record.error_type}:** {record.short_message}", icon=":material/error:")
        st.markdown(exercise.explanation)
        st.caption(
            f":material/history: The real error, shortened, recorded on {record.date} with Keras "
            f"{record.versions.get('keras', '?')}. {record.how} This page never runs TensorFlow itself; "
            "the tests produce the error again and compare."
        )


def exercise_compare(exercise) -> None:
    records = {name: load_run(name) for name in exercise.runs}
    if any(record is None for record in records.values()):
        return missing_record(", ".join(name for name, record in records.items() if record is None))
    variants = [name for name in exercise.runs if name != "lecture"]
    if exercise.number == 8:
        chosen = st.slider(
            "Stop at this training accuracy", 0.80, 0.95, 0.90, 0.01, key="lesson_ex8_accuracy", format="%.2f"
        )
        config = records[variants[0]].config.replace(stop_accuracy=round(chosen, 2))
    else:
        name = variants[0]
        if len(variants) > 1:
            name = st.radio(
                "Run live", variants, format_func=describe_config, horizontal=True, key=f"ex{exercise.number}_choice"
            )
        config = records[name].config
    slot = f"ex{exercise.number}"
    run_buttons(slot, config)
    if shown(slot):
        outcomes = {name: Outcome.from_summary(record.summary) for name, record in records.items()}
        st.markdown(compare_answer(exercise.number, outcomes))
        for record in records.values():
            recorded_note(record)
        if exercise.number in (2, 5, 7):
            st.caption("Times are from one shared machine with other work running; the weights count is exact.")
    live_section(slot)


def demo_exercises() -> None:
    wanted = st.query_params.get(EXERCISE_PARAM)
    if wanted is not None and wanted.isdigit() and int(wanted) in EXERCISE_NUMBERS:
        st.session_state.setdefault("lesson_exercise", int(wanted))
    st.session_state.setdefault("lesson_exercise", EXERCISE_NUMBERS[0])
    picked = st.segmented_control(
        "Exercise",
        EXERCISE_NUMBERS,
        required=True,
        format_func=str,
        key="lesson_exercise",
    )
    st.query_params[EXERCISE_PARAM] = str(picked)
    exercise = EXERCISES[EXERCISE_NUMBERS.index(picked)]
    with st.container(border=True, key="lesson_exercise_box"):
        st.subheader(f"{exercise.number}. {exercise.title}")
        st.markdown(exercise.question)
        if exercise.mistake:
            exercise_mistake(exercise)
        elif exercise.number == 1:
            exercise_one()
        else:
            exercise_compare(exercise)


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


# -- The page ---------------------------------------------------------------------------------------------

st.caption(f"The lesson, step {number} of {len(STEPS)}")
st.progress(number / len(STEPS))
st.title(step.title)
with st.container(key="lesson_text"):
    for sentence in step.sentences:
        st.markdown(sentence)
    st.info(f"**Do:** {step.do}", icon=":material/touch_app:")
DEMOS[step.key]()
with st.container(key="lesson_notice"):
    st.markdown(f":material/lightbulb: **What to notice:** {step.notice}")

back, middle, forward = st.columns([1, 2, 1])
back.button(
    "Back",
    key="lesson_back",
    icon=":material/arrow_back:",
    on_click=go_to,
    args=(number - 1,),
    disabled=number == 1,
    width="stretch",
)
forward.button(
    "Next",
    key="lesson_next",
    icon=":material/arrow_forward:",
    icon_position="right",
    type="primary",
    on_click=go_to,
    args=(number + 1,),
    disabled=number == len(STEPS),
    width="stretch",
)
middle.caption(f"Link to this step: add `?step={number}` to the Lesson page's address.")
