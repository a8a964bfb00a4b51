"""The Lesson: its text and demos, the shipped records against fresh runs, and the page walked with AppTest."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest

from playground.answers.inference import Classifier
from playground.cli import config_from_args, make_parser
from playground.data.fashion_mnist import CLASS_NAMES
from playground.lesson import exercises as lesson_exercises
from playground.lesson.exercises import EXERCISES, compare_answer, probabilities_answer
from playground.lesson.records import (
    CALLBACK_ACCURACY_CHOICES,
    MISTAKES,
    RECORDED_RUNS,
    callback_accuracy_run,
    load_mistake,
    load_run,
    reproduce_mistake,
)
from playground.lesson.runs import Outcome, stopped_in_words
from playground.lesson.steps import STEPS, flatten_frames, lesson_facts, neuron_sum, step_from_param
from playground.photos.images import preprocess_canvas
from playground.settings.config import ExperimentConfig

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
LESSON = "playground/pages/lesson.py"
FACTS = lesson_facts(60000, 10000, 10, 28)


@pytest.fixture(autouse=True)
def fresh_session_lab():
    """AppTests share one session id: release this session's runs between tests, as a closed tab would."""
    from streamlit.runtime.caching.cache_resource_api import clear_session_cache

    clear_session_cache("test session id")
    yield
    clear_session_cache("test session id")


# -- The text and the demos ------------------------------------------------------------------------


def test_softmax_gives_the_lessons_printed_numbers():
    assert FACTS["chances"] == "0.032, 0.237, 0.644, 0.087"  # as printed in lesson-notes.md
    assert FACTS["chances_sum"] == "1"


def test_every_step_is_short_and_fills_its_placeholders():
    for step in STEPS:
        filled = step.filled(FACTS)
        assert 2 <= len(filled.sentences) <= 4, step.title
        assert filled.do and filled.notice
        assert "{" not in " ".join([filled.title, *filled.sentences, filled.do, filled.notice])


def test_no_number_is_typed_into_the_steps():
    """Figures come from placeholders; only 0 (black) and the labs' names may be written out."""
    for step in STEPS:
        text = " ".join([step.title, *step.sentences, step.do, step.notice])
        text = re.sub(r"\{\w+\}", "", text)
        text = re.sub(r"\bLab [12]\b", "", text)
        assert re.findall(r"\d+", text) in ([], ["0"]), (step.title, re.findall(r"\d+", text))


@pytest.mark.parametrize(
    ("text", "expected"), [("3", 3), (" 9 ", 9), ("1", 1), ("0", None), ("10", None), ("abc", None), (None, None)]
)
def test_a_link_names_a_step_or_nothing(text, expected):
    assert step_from_param(text) == expected


def test_flatten_lays_the_rows_end_to_end(fashion):
    image = fashion.test_images[0]
    picture, row = flatten_frames(image, 0)
    assert np.array_equal(picture, image) and row.shape == (1, 784)
    picture, row = flatten_frames(image, 28)
    assert np.array_equal(row[0], image.reshape(-1))  # nothing lost, only rearranged
    _, row = flatten_frames(image, 3)
    assert np.array_equal(row[0, :84], image[:3].reshape(-1))


def test_the_two_recorded_neurons_show_relu_keeping_one_and_dropping_one(fashion):
    record = load_run("lecture")
    sums = [neuron_sum(fashion.test_images[0], n["weights"], n["bias"]) for n in record.neurons]
    assert len(record.neurons[0]["weights"]) == 784
    assert sums[0].total > 0 and sums[0].after_relu == pytest.approx(sums[0].total)
    assert sums[1].total < 0 and sums[1].after_relu == 0


# -- The shipped records ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(RECORDED_RUNS))
def test_each_record_is_what_its_command_trains(name):
    """The stored config is the one the CLI makes from the stored command, so no record can claim another run."""
    record = load_run(name)
    assert record is not None, f"run scripts/record_lesson.py {name}"
    argv = record.command.split()[3:]  # after "python -m playground"
    assert argv[1:-1] == list(RECORDED_RUNS[name]) and argv[-1] == "--json"
    assert record.config == config_from_args(make_parser().parse_args(argv))
    assert len(record.epochs) == record.summary["epochs_run"] > 0
    assert record.epochs[-1].accuracy == pytest.approx(record.summary["train_accuracy"], abs=1e-4)
    assert re.match(r"\d{4}-\d\d-\d\d", record.date) and record.versions.get("keras")


def test_the_first_test_image_record(fashion):
    image = load_run("lecture").first_test_image
    assert image["label"] == int(fashion.test_labels[0])
    assert sum(image["probabilities"]) == pytest.approx(1, abs=1e-4)
    answer = probabilities_answer(image["probabilities"], image["label"], CLASS_NAMES)
    assert CLASS_NAMES[image["label"]] in answer


def test_every_exercise_has_an_answer_from_its_records():
    for exercise in EXERCISES:
        if exercise.mistake:
            assert load_mistake(exercise.mistake) is not None
            continue
        outcomes = {name: Outcome.from_summary(load_run(name).summary) for name in exercise.runs}
        if exercise.number == 1:
            continue
        answer = compare_answer(exercise.number, outcomes)
        for outcome in outcomes.values():
            assert f"{outcome.test_accuracy:.1%}" in answer, (exercise.number, answer)


def test_each_accuracy_choice_has_a_record_stopped_by_its_callback():
    """Exercise 8: every accuracy offered has its own recorded run, and the callback, not the cap, ended it."""
    for target in CALLBACK_ACCURACY_CHOICES:
        record = load_run(callback_accuracy_run(target))
        assert record.config.stop_accuracy == pytest.approx(target)
        assert record.summary["epochs_run"] < record.config.epochs
        assert record.epochs[-1].accuracy >= target
        assert all(line.accuracy < target for line in record.epochs[:-1]), "it would have stopped sooner"


def test_the_callback_answer_tells_the_chosen_stop_and_every_target():
    outcomes = {name: Outcome.from_summary(load_run(name).summary) for name in lesson_exercises.exercise(8).runs}
    for name, outcome in outcomes.items():
        answer = compare_answer(8, outcomes, name)
        assert answer.startswith(f"It stopped after **{outcome.epochs_run}** passes: {outcome.stop_reason}.")
        for other_name, other in outcomes.items():
            target = lesson_exercises.CALLBACK_TARGETS[other_name]
            assert f"| {target:.0%} | {other.epochs_run} passes | {other.test_accuracy:.1%} |" in answer
    passes = [outcome.epochs_run for outcome in outcomes.values()]  # in the order of the targets
    assert passes == sorted(passes), "one seed, so each run is the one before it, carried on to a higher target"
    assert "The higher the target, the more passes" in answer
    swapped = dict(zip(outcomes, reversed(outcomes.values()), strict=True))  # the highest target stopping first
    assert "did not grow with the target" in compare_answer(8, swapped, name)


def test_a_stopped_run_says_what_it_was_allowed_and_where_it_stopped():
    summary = load_run("callback_loss").summary
    words = stopped_in_words(Outcome.from_summary(summary))
    assert f"allowed {summary['config']['epochs']} passes" in words
    assert f"stopped after **{summary['epochs_run']}**: {summary['stop_reason']}" in words


@pytest.mark.parametrize("name", list(MISTAKES))
def test_the_recorded_error_is_what_keras_says(name, fashion):
    """Exercises 3 and 4: make the notebook's mistake again with Keras and compare the shortened message."""
    record = load_mistake(name)
    error_type, message = reproduce_mistake(name, fashion.train_images, fashion.train_labels)
    assert (error_type, message) == (record.error_type, record.short_message)


# A few seconds each on two cores; LESSON_RECHECK_ALL=1 checks every record (about ten minutes).
QUICK_RECORDS = ["lecture", "no_normalization", "callback_loss", "callback_accuracy_85"]
TOLERANCE = 0.02  # accuracy; threads add up in a different order from run to run


@pytest.mark.parametrize("name", list(RECORDED_RUNS) if os.environ.get("LESSON_RECHECK_ALL") else QUICK_RECORDS)
def test_a_shipped_record_matches_a_fresh_cli_run(name):
    record = load_run(name)
    fresh = subprocess.run(
        [sys.executable, *record.command.split()[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert fresh.returncode == 0, fresh.stderr[-2000:]
    now = json.loads(fresh.stdout.strip().splitlines()[-1])
    assert ExperimentConfig.from_flat_dict(now["config"]) == record.config  # older records lack newer settings
    assert now["test_accuracy"] == pytest.approx(record.summary["test_accuracy"], abs=TOLERANCE)
    assert now["train_accuracy"] == pytest.approx(record.summary["train_accuracy"], abs=TOLERANCE)
    assert abs(now["epochs_run"] - record.summary["epochs_run"]) <= (1 if "stop" in record.command else 0)


# -- The page, with AppTest ------------------------------------------------------------------------


def open_lesson(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.run()
    at.switch_page(LESSON).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def lesson_link(**params) -> AppTest:
    """Open the Lesson page straight from a link, as a shared address does."""
    at = AppTest.from_file(str(ROOT / LESSON), default_timeout=120)
    at.query_params.update(params)
    return at.run()


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    return "\n".join(parts + [c.value for c in at.code])


def test_walk_the_whole_lesson_with_next_and_back():
    at = open_lesson()
    titles = []
    for number in range(1, len(STEPS) + 1):
        assert not at.exception, (number, [e.value for e in at.exception])
        assert at.query_params["step"] == str(number)
        titles.append(at.title[0].value)
        assert "What to notice" in texts(at)
        assert at.button(key="lesson_back").disabled == (number == 1)
        assert at.button(key="lesson_next").disabled == (number == len(STEPS))
        if number < len(STEPS):
            at.button(key="lesson_next").click().run()
    assert titles == [step.filled(FACTS).title for step in STEPS]
    at.button(key="lesson_back").click().run()
    assert at.title[0].value == STEPS[-2].filled(FACTS).title and at.query_params["step"] == str(len(STEPS) - 1)


def test_a_link_opens_its_step_and_odd_links_do_no_harm():
    at = lesson_link(step="6")
    assert at.title[0].value == STEPS[5].filled(FACTS).title
    for params in ({"step": "banana"}, {"step": "99"}, {"fbclid": "x", "epochs": "7"}):
        at = lesson_link(**params)
        assert not at.exception and at.title[0].value == STEPS[0].filled(FACTS).title, params
        assert at.query_params["step"] == "1"
        for key in set(params) - {"step"}:
            assert at.query_params[key] == params[key], "a link's other parameters are left alone"


def test_recorded_answers_appear_only_after_a_click():
    for number, slot, expected in ((5, "step_train", "the loss fell"), (7, "step_callback", "stopped after")):
        at = lesson_link(step=str(number))
        assert expected not in texts(at).lower()
        at.button(key=f"{slot}_show").click().run()
        assert not at.exception
        assert expected in texts(at).lower() and "Recorded on" in texts(at)
        assert not at.session_state["lesson_live"] if "lesson_live" in at.session_state else True


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: f"exercise{e.number}")
def test_each_exercise_answers_after_its_button(exercise):
    at = lesson_link(step="9", exercise=str(exercise.number))
    assert at.subheader[0].value.startswith(f"{exercise.number}.")
    before = texts(at)
    at.button(key=f"ex{exercise.number}_show").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = texts(at)
    if exercise.mistake:
        record = load_mistake(exercise.mistake)
        assert record.short_message not in before and record.short_message in after
    else:
        record = load_run(exercise.runs[-1])
        assert f"{record.summary['test_accuracy']:.1%}" in after and "Recorded on" in after


def test_the_neuron_step_shows_a_positive_and_a_zeroed_sum():
    at = lesson_link(step="3")
    assert float(at.metric[1].value) > 0
    at.radio(key="lesson_neuron").set_value("the second neuron").run()
    assert float(at.metric[0].value) < 0 and at.metric[1].value == "0.00"


PICTURE_SIDE = 300  # the Lesson's canvas; preprocessing takes any size


def drawn(*shapes) -> np.ndarray:
    """A canvas as the browser sends it: white strokes on black, RGBA, at the page's size."""
    picture = Image.new("RGBA", (PICTURE_SIDE, PICTURE_SIDE), (0, 0, 0, 255))
    pen = ImageDraw.Draw(picture)
    for shape in shapes:
        pen.polygon(shape, fill="white")
    return np.asarray(picture)


TROUSERS = drawn([(100, 40), (200, 40), (200, 90), (100, 90)], [(100, 60), (145, 60), (140, 270), (105, 270)],
                 [(155, 60), (200, 60), (195, 270), (160, 270)])  # fmt: skip
DRAWINGS = {  # name -> (canvas pixels, where the page says it, words it says)
    "trousers": (TROUSERS, "verdict", "Trouser"),
    "cleared canvas": (drawn(), "info", "The canvas is empty"),
    "a dot": (drawn([(150, 150), (154, 150), (154, 154)]), "info", "The canvas is empty"),
    "grey pixels without channels": (TROUSERS[:, :, 0], "error", "unexpected shape"),
}


def canvas_sends(monkeypatch, picture: np.ndarray) -> None:
    """AppTest can't draw: the page's canvas returns the PNG a browser would send for this picture."""
    from streamlit_drawable_canvas import CanvasResult  # importable once AppTest has started Streamlit's runtime

    from playground.pages.parts import drawing

    png = io.BytesIO()
    Image.fromarray(picture).save(png, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    monkeypatch.setattr(drawing, "st_canvas", lambda **options: CanvasResult({"objects": []}, url, True))


@pytest.mark.parametrize("name", list(DRAWINGS))
def test_the_try_step_answers_a_drawing_or_says_what_to_do(name, monkeypatch):
    at = open_lesson()  # through the app: the step links to the Try it page, which only the app's navigation knows
    at.query_params["step"] = "8"
    at.run()
    from playground.pages.parts import drawing  # after AppTest started Streamlit's runtime: the canvas needs it

    assert any(info.value == drawing.FIRST_HINT for info in at.info), "nothing drawn yet: a hint"
    assert "The ready-made network is" not in texts(at)
    picture, where, words = DRAWINGS[name]
    canvas_sends(monkeypatch, picture)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = {
        "info": [info.value for info in at.info],
        "error": [error.value for error in at.error],
        "verdict": [m.value for m in at.markdown if m.value.startswith("The ready-made network is")],
    }
    assert any(words in text for text in said[where]), said
    assert bool(said["verdict"]) == (where == "verdict"), "an answer, or a message and no guess"
    if where == "verdict":
        expected = Classifier.pretrained().predict(preprocess_canvas(picture)).in_words()
        assert said["verdict"] == [f"The ready-made network is **{expected}**."]


@pytest.mark.parametrize("target", CALLBACK_ACCURACY_CHOICES, ids=lambda target: f"{target:.0%}")
def test_exercise_eight_answers_for_the_chosen_accuracy_and_runs_that_one_live(target, monkeypatch):
    from playground.pages.parts import lesson_answers

    record = load_run(callback_accuracy_run(target))
    at = lesson_link(step="9", exercise="8")
    assert at.radio(key="ex8_choice").value == callback_accuracy_run(0.9), "the lesson notes' 0.9 comes first"
    started = []
    monkeypatch.setattr(lesson_answers, "start_live", lambda slot, config: started.append((slot, config)))
    at.radio(key="ex8_choice").set_value(record.name).run()
    assert record.summary["stop_reason"] not in texts(at)
    at.button(key="ex8_show").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert record.summary["stop_reason"] in texts(at) and record.command in texts(at)
    at.button(key="ex8_live").click().run()
    assert started == [("ex8", record.config)], "the live run is the chosen accuracy's"


def test_a_live_run_from_the_lesson_finishes_and_answers_exercise_one():
    """Exercise 1 live: train the lecture model in a worker, then ask it about the first test picture."""
    at = open_lesson()  # through the app file: a worker process is spawned, and must not re-run a page script
    for _ in range(len(STEPS) - 1):
        at.button(key="lesson_next").click().run()
    at.button(key="ex1_live").click().run()
    assert at.button(key="ex1_live").disabled, "one run at a time per visitor"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (at.success or at.error):
        time.sleep(0.5)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert not at.error, at.error[0].value
    assert at.success and "Live, just now" in at.success[0].value
    assert "The true label is" in texts(at)


WEB_PROCESS_SCRIPT = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=120).run()
at.switch_page("playground/pages/lesson.py").run()
for number in range(1, 10):
    assert not at.exception, [e.value for e in at.exception]
    for button in at.button:
        if button.key and button.key.endswith("_show"):
            button.click().run()
            break
    if number < 9:
        at.button(key="lesson_next").click().run()
print(sorted(m for m in ("keras", "tensorflow") if m in sys.modules))
"""


def test_the_lesson_never_loads_tensorflow_in_the_web_process():
    done = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS_SCRIPT, APP], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
