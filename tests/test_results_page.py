"""The Train page's results through AppTest: the downloads (labels, file names, and files that load or parse)
and the confusion matrix's cell images picked with the keyboard. The click itself: test_results_browser.py."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
import streamlit

from playground.data.fashion_mnist import CLASS_NAMES
from playground.network.numpy_net import NumpyNet
from tests.test_pages import fresh_session_lab, open_page, rerun_until, train_until_done  # noqa: F401

LECTURE_FILES = {
    "Model (.keras)": "fashion-dense128-adam-1ep.keras",
    "History (CSV)": "fashion-dense128-adam-1ep-history.csv",
    "All runs compared (CSV)": "fashion-runs-compared.csv",
    "Record of this run (JSON)": "fashion-dense128-adam-1ep.json",
}


@pytest.fixture
def downloads(monkeypatch):
    """Every st.download_button the page draws, by label: (file name, data, disabled), the newest run's last."""
    drawn: dict[str, dict] = {}
    original = streamlit.download_button

    def recording(label, data, file_name=None, *args, **kwargs):
        drawn[label] = {"file_name": file_name, "data": data, "disabled": kwargs.get("disabled", False)}
        return original(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    return drawn


def file_bytes(download: dict) -> bytes:
    data = download["data"]
    return data() if callable(data) else data


@pytest.fixture(autouse=True)
def shown_runs(monkeypatch) -> list:
    """The runs the page showed results for, newest last (the session's SessionLab is only reachable from the
    script's own thread)."""
    from playground.pages.parts import results

    shown = []
    show_results = results.show_results

    def recording(run, data, runs):
        shown.append(run)
        return show_results(run, data, runs)

    monkeypatch.setattr(results, "show_results", recording)
    return shown


def trained_page(**settings):
    at = open_page("train", hp_train_limit=2000, hp_epochs=1, **settings)
    at.button(key="train_button").click().run()
    train_until_done(at)
    return at


def test_a_finished_run_offers_its_four_files_named_after_the_run(downloads, shown_runs, fashion, tmp_path):
    import keras

    at = trained_page()
    buttons = list(at.get("download_button"))
    assert [b.proto.label for b in buttons] == list(LECTURE_FILES)
    assert {label: downloads[label]["file_name"] for label in LECTURE_FILES} == LECTURE_FILES
    assert not any(b.proto.disabled for b in buttons)

    # The model: the very weights the page holds, in a file Keras opens in safe mode and that answers the same.
    path = tmp_path / LECTURE_FILES["Model (.keras)"]
    path.write_bytes(file_bytes(downloads["Model (.keras)"]))
    model = keras.saving.load_model(path, safe_mode=True)
    run = shown_runs[-1]
    images = fashion.test_images[:500]
    expected = NumpyNet.from_config(run.config, run.kept_weights)(images)
    np.testing.assert_allclose(np.asarray(model(images, training=False)), expected, rtol=1e-5, atol=1e-6)
    assert np.mean(expected.argmax(1) == fashion.test_labels[:500]) > 0.6, "a trained model, not a fresh one"

    history = list(csv.DictReader(io.StringIO(file_bytes(downloads["History (CSV)"]).decode())))
    points = run.snapshot.batch_points
    assert [r["row"] for r in history] == ["epoch"] + ["batch"] * len(points) and points
    assert [float(r["loss"]) for r in history[1:]] == [p.loss for p in points]
    assert float(history[0]["accuracy"]) == pytest.approx(run.snapshot.train_accuracy)

    compared = list(csv.DictReader(io.StringIO(file_bytes(downloads["All runs compared (CSV)"]).decode())))
    assert len(compared) == 1 and compared[0]["train_limit"] == "2000"

    record = json.loads(file_bytes(downloads["Record of this run (JSON)"]))
    assert record["name"] == "fashion-dense128-adam-1ep" and record["settings"]["train_limit"] == 2000
    assert record["test"]["accuracy"] == pytest.approx(run.evaluation.accuracy)


def test_a_run_that_gave_its_model_back_still_offers_its_numbers(downloads, shown_runs):
    at = trained_page()
    shown_runs[-1].release_model()
    downloads.clear()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert downloads["Model (.keras)"]["disabled"] is True
    assert all(not d["disabled"] for label, d in downloads.items() if label != "Model (.keras)")
    assert json.loads(file_bytes(downloads["Record of this run (JSON)"]))["epochs_run"] == 1


def test_while_it_trains_the_model_so_far_can_be_downloaded(downloads, tmp_path):
    import keras

    at = open_page("train", hp_train_limit=20000, hp_epochs=60)
    at.button(key="train_button").click().run()
    try:
        rerun_until(at, lambda at: any(label.startswith("Model so far") for label in downloads), timeout=180)
        label = next(label for label in downloads if label.startswith("Model so far"))
        download = downloads[label]
        epoch = int(label.split("after epoch ")[1].split(" ")[0])
        assert download["file_name"] == f"fashion-dense128-adam-{epoch}ep.keras"
        path = tmp_path / download["file_name"]
        path.write_bytes(file_bytes(download))
        assert keras.saving.load_model(path, safe_mode=True).count_params() == 101_770
    finally:
        at.button(key="stop_button").click().run()
        train_until_done(at)


def test_picking_a_confusion_cell_with_the_keyboard_shows_its_images(shown_runs):
    at = trained_page()
    run = shown_runs[-1]
    true, guess, count = run.evaluation.most_confused(1)[0]
    true_name, guess_name = CLASS_NAMES[true], CLASS_NAMES[guess]
    # It opens on the biggest mix-up.
    assert at.selectbox(key="cell_true").value == true_name and at.selectbox(key="cell_guess").value == guess_name
    assert any(f"{count:,} test image" in m.value and f"called a {guess_name}" in m.value for m in at.markdown)

    at.selectbox(key="cell_true").set_value("Trouser").run()
    at.selectbox(key="cell_guess").set_value("Trouser").run()
    assert not at.exception, [e.value for e in at.exception]
    right = int(run.evaluation.confusion[1, 1])
    assert any(f"{right:,} test images of a Trouser that the model got right" in m.value for m in at.markdown)
    assert any("Real garment: Trouser · model's guess: Trouser" in c.value for c in at.caption)

    empty = np.argwhere(run.evaluation.confusion == 0)
    if len(empty):  # a cell nobody fell into gets a sentence, not an empty grid
        t, p = empty[0]
        at.selectbox(key="cell_true").set_value(_name(t)).run()
        at.selectbox(key="cell_guess").set_value(_name(p)).run()
        assert any(f"No test image of a {_name(t)} was called a {_name(p)}" in i.value for i in at.info)


def _name(index) -> str:
    return CLASS_NAMES[int(index)]


# -- The click layer of the confusion matrix (the click itself is tested in the browser) ----------------------


def test_every_confusion_cell_has_a_click_target_that_names_its_cell():
    from playground.charts.confusion import clickable_confusion_figure, clicked_cell

    confusion = np.arange(100).reshape(10, 10)
    fig = clickable_confusion_figure(confusion, chosen=(6, 0))
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    (targets,) = [t for t in fig.data if t.type == "scatter"]
    assert len(heatmaps) == 2 and all(h.hoverinfo == "skip" for h in heatmaps), "clicks and hover go to the targets"
    assert len(targets.customdata) == 100
    for (t, p), x, y, hover in zip(targets.customdata, targets.x, targets.y, targets.hovertext, strict=True):
        assert (x, y) == (CLASS_NAMES[p], CLASS_NAMES[t])
        assert hover.startswith(f"True: {CLASS_NAMES[t]}, guessed: {CLASS_NAMES[p]} — {confusion[t, p]:,} image")
    (outline,) = fig.layout.shapes
    assert (outline.x0, outline.x1, outline.y0, outline.y1) == (-0.5, 0.5, 5.5, 6.5)
    # What the chart (figure_chart.js) hands back for a click on the Shirt row's T-shirt/top column.
    assert clicked_cell([{"customdata": [6, 0]}]) == (6, 0)


@pytest.mark.parametrize(
    "points", [[], [{"x": "Shirt"}], [{"customdata": "6,0"}], [{"customdata": [6]}], [{"customdata": [6.5, 0]}]]
)
def test_a_selection_that_is_not_a_cell_chooses_nothing(points):
    from playground.charts.confusion import clicked_cell

    assert clicked_cell(points) is None


@pytest.mark.parametrize(
    "state",
    [
        None,
        "click",
        {"click": None},
        {"click": "6,0"},
        {"click": {"points": "6,0"}},
        {"click": {"points": [6, 0, None, "x"]}},
    ],
)
def test_what_a_browser_sends_for_a_click_is_read_as_points_or_nothing(monkeypatch, state):
    """A click's trigger value comes from the browser, which a stranger controls: anything but a list of points is
    no click, and only dict points are kept (clicked_cell then checks their customdata)."""
    from playground.pages.parts import figure_chart

    monkeypatch.setattr(figure_chart.st, "session_state", {"confusion": state})
    assert figure_chart.clicked_points("confusion") == []
    monkeypatch.setattr(
        figure_chart.st, "session_state", {"confusion": {"click": {"points": [1, {"customdata": [6, 0]}]}}}
    )
    assert figure_chart.clicked_points("confusion") == [{"customdata": [6, 0]}]
