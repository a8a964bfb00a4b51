"""The charts: real properties of the figures, built from small fake snapshots and arrays."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from playground import charts
from playground.charts import (
    accuracy_comparison_figure,
    confusion_figure,
    image_grid_figure,
    live_training_figure,
    per_class_accuracy_figure,
    probability_figure,
    relu_figure,
    smooth,
    softmax_figure,
)
from playground.charts import images as image_charts
from playground.charts.style import BLUE, ORANGE, OTHER_BARS, WAITING_TEXT
from playground.data.fashion_mnist import CLASS_NAMES
from playground.network.evaluation import Evaluation, confusion_matrix, verdict
from playground.network.maths import relu, softmax
from playground.training.snapshots import BatchPoint, EpochRecord, RunState, Snapshot
from tests.figures import png_pixels

LESSON_SOFTMAX = [0.0320586, 0.23688282, 0.64391426, 0.08714432]


# -- Helpers ---------------------------------------------------------------------------


def make_snapshot(epochs_done: int = 3, batches_per_epoch: int = 40, validation: bool = True) -> Snapshot:
    rng = np.random.default_rng(0)
    points = []
    for step in range(1, epochs_done * batches_per_epoch + 1):
        epoch = step / batches_per_epoch
        points.append(
            BatchPoint(
                step,
                epoch,
                float(2.0 * math.exp(-epoch) + rng.normal(0, 0.1)),
                float(np.clip(0.6 + 0.1 * epoch + rng.normal(0, 0.05), 0, 1)),
            )
        )
    history = tuple(
        EpochRecord(
            e,
            2.0 * math.exp(-e),
            0.6 + 0.1 * e,
            (2.1 * math.exp(-e)) if validation else None,
            (0.58 + 0.1 * e) if validation else None,
        )
        for e in range(1, epochs_done + 1)
    )
    return Snapshot(
        state=RunState.RUNNING,
        epoch=epochs_done,
        epochs=5,
        batch_points=tuple(points),
        epoch_history=history,
        batches_per_epoch=batches_per_epoch,
    )


def make_evaluation() -> Evaluation:
    """100 test images per class; the model is right on class c for 90 - 5c of them, mistaking the rest as c + 1."""
    labels, predictions = [], []
    for c in range(10):
        right = 90 - 5 * c
        labels += [c] * 100
        predictions += [c] * right + [(c + 1) % 10] * (100 - right)
    labels, predictions = np.array(labels), np.array(predictions)
    confusion = confusion_matrix(labels, predictions)
    probabilities = np.full((len(labels), 10), 0.01, dtype=np.float32)
    probabilities[np.arange(len(labels)), predictions] = 0.91
    return Evaluation(0.5, float(np.mean(labels == predictions)), confusion, predictions, probabilities)


def traces_named(fig: go.Figure, name: str) -> list:
    return [t for t in fig.data if t.name == name]


# -- smooth ----------------------------------------------------------------------------


def test_smooth_of_a_constant_is_the_constant_from_the_first_point():
    # Without the bias correction the first values would start near 0, not at 3.
    np.testing.assert_allclose(smooth([3.0] * 50, 0.9), 3.0)


def test_smooth_reduces_the_variance_of_noise_and_keeps_its_length():
    noise = np.random.default_rng(1).normal(0, 1, 1000)
    smoothed = smooth(noise, 0.9)
    assert smoothed.shape == noise.shape
    assert smoothed[100:].var() < 0.2 * noise[100:].var()


def test_smooth_matches_tensorboard_by_hand_and_weight_zero_is_identity():
    # TensorBoard: last = 0.5 * last + 0.5 * v; out = last / (1 - 0.5**n)
    np.testing.assert_allclose(smooth([1.0, 3.0], 0.5), [1.0, (0.25 + 1.5) / 0.75])
    np.testing.assert_allclose(smooth([1.0, 5.0, 2.0], 0.0), [1.0, 5.0, 2.0])


def test_smooth_skips_values_that_are_not_finite():
    out = smooth([1.0, float("nan"), 1.0, float("inf")], 0.9)
    assert out[0] == pytest.approx(1.0) and out[2] == pytest.approx(1.0)
    assert math.isnan(out[1]) and math.isinf(out[3])


def test_smooth_rejects_a_weight_of_one():
    with pytest.raises(ValueError):
        smooth([1.0, 2.0], 1.0)


# -- live_training_figure -------------------------------------------------------------------


def test_live_figure_has_batches_smoothed_and_epoch_markers_in_both_rows():
    snapshot = make_snapshot()
    fig = live_training_figure(snapshot)
    assert all(isinstance(t, go.Scatter) for t in fig.data)
    for name in ("Batches", "Smoothed", "Epoch end: training", "Epoch end: validation"):
        traces = traces_named(fig, name)
        assert {t.yaxis for t in traces} == {"y", "y2"}, name  # one in the loss row, one in the accuracy row
        assert sum(bool(t.showlegend) for t in traces) == 1, name  # a single legend entry per kind of line
    batches = [t for t in traces_named(fig, "Batches") if t.yaxis == "y"][0]
    assert len(batches.x) == len(snapshot.batch_points)
    assert batches.x[-1] == pytest.approx(3.0)  # the x axis is the fractional epoch
    smoothed = [t for t in traces_named(fig, "Smoothed") if t.yaxis == "y"][0]
    assert np.std(np.diff(smoothed.y)) < np.std(np.diff(batches.y))
    train = [t for t in traces_named(fig, "Epoch end: training") if t.yaxis == "y2"][0]
    assert list(train.x) == [1, 2, 3]
    np.testing.assert_allclose(train.y, [r.accuracy for r in snapshot.epoch_history])
    assert train.marker.symbol != traces_named(fig, "Epoch end: validation")[0].marker.symbol
    assert train.marker.color != traces_named(fig, "Epoch end: validation")[0].marker.color


def test_live_figure_axes_titles_shared_x_and_percent_accuracy():
    fig = live_training_figure(make_snapshot())
    assert fig.layout.yaxis.title.text.startswith("Loss")
    assert fig.layout.yaxis2.title.text.startswith("Accuracy")
    assert fig.layout.xaxis2.title.text.startswith("Epochs")
    assert fig.layout.xaxis.matches == "x2" or fig.layout.xaxis2.matches == "x"
    assert fig.layout.yaxis2.tickformat.endswith("%")
    assert list(fig.layout.xaxis2.range) == [0, 5]  # the whole run's width, from the start


def test_live_figure_keeps_zoom_between_updates_and_is_horizontal_legend_on_top():
    a, b = live_training_figure(make_snapshot(1)), live_training_figure(make_snapshot(3))
    assert a.layout.uirevision is not None and a.layout.uirevision == b.layout.uirevision
    assert a.layout.legend.orientation == "h" and a.layout.legend.y > 1
    assert a.layout.template == pio.templates["plotly_white"]


def test_live_figure_skips_missing_validation():
    fig = live_training_figure(make_snapshot(validation=False))
    assert traces_named(fig, "Epoch end: validation") == []
    assert len(traces_named(fig, "Epoch end: training")) == 2


def test_live_figure_of_an_empty_snapshot_waits():
    fig = live_training_figure(Snapshot(epochs=5))
    assert [a.text for a in fig.layout.annotations] == [WAITING_TEXT]
    assert all(len(t.x) == 0 for t in fig.data)  # only invisible placeholders that keep both rows drawn
    assert {t.yaxis for t in fig.data} == {"y", "y2"}
    assert fig.layout.uirevision == live_training_figure(make_snapshot()).layout.uirevision
    assert not live_training_figure(make_snapshot()).layout.annotations


def test_live_figure_turns_infinite_loss_into_a_gap():
    snapshot = make_snapshot(1)
    broken = snapshot.batch_points + (BatchPoint(99, 1.1, float("inf"), 0.1),)
    fig = live_training_figure(Snapshot(batch_points=broken, epochs=2))
    batches = [t for t in traces_named(fig, "Batches") if t.yaxis == "y"][0]
    assert math.isnan(batches.y[-1])
    fig.to_json()  # still valid JSON


# -- the live chart's updates -------------------------------------------------------------------


def test_live_chart_updates_send_only_new_points_and_add_up_to_the_whole_figure():
    """Appended one refresh after another, the updates give exactly the traces the whole figure has."""
    from playground.charts.live import LIVE_TRACES, live_chart_json, live_chart_update

    final = make_snapshot(3)
    whole = json.loads(live_chart_json(final))["data"]
    assert len(whole) == len(LIVE_TRACES) == 8
    built = [{"x": [], "y": []} for _ in LIVE_TRACES]
    sent_points = sent_epochs = 0
    for points, epochs in ((0, 0), (25, 0), (40, 1), (41, 1), (41, 1), (100, 2), (120, 3)):
        snapshot = Snapshot(batch_points=final.batch_points[:points], epoch_history=final.epoch_history[:epochs])
        last_step = final.batch_points[sent_points - 1].step if sent_points else None
        update = live_chart_update(snapshot, sent_points, sent_epochs, last_step)
        assert sum(len(x) for x in update["x"][:2]) == 2 * (points - sent_points), "only the new batch points"
        assert update["base"] == [len(trace["x"]) for trace in built], "how many points each trace had before"
        for trace, x, y in zip(built, update["x"], update["y"], strict=True):
            trace["x"] += x
            trace["y"] += y
        sent_points, sent_epochs = points, epochs
    for trace, reference in zip(built, whole, strict=True):
        assert trace["x"] == pytest.approx(reference["x"])
        assert trace["y"] == pytest.approx(reference["y"])


def test_live_chart_update_asks_for_everything_when_the_history_thinned_itself_out():
    from playground.charts.live import live_chart_update

    snapshot = make_snapshot(3)
    thinned = Snapshot(batch_points=snapshot.batch_points[::2], epoch_history=snapshot.epoch_history)
    assert live_chart_update(thinned, 100, 3) is None  # fewer points than were sent
    sent_step = snapshot.batch_points[49].step
    assert live_chart_update(thinned, 50, 3, sent_step) is None  # as many, but not the same ones
    assert live_chart_update(snapshot, 50, 3, sent_step) is not None


def test_live_chart_json_is_valid_json_with_gaps_and_words_say_the_latest_numbers():
    from playground.charts.live import live_chart_json, live_chart_words

    broken = make_snapshot(1).batch_points + (BatchPoint(99, 1.1, float("inf"), 0.1),)
    data = json.loads(live_chart_json(Snapshot(batch_points=broken, epochs=2)))["data"]
    assert data[0]["y"][-1] is None  # a gap in the line, not an invalid number
    words = live_chart_words(make_snapshot(3))
    assert "after 3.0 epochs" in words.lower() and "validation accuracy 88.0%" in words
    assert WAITING_TEXT in live_chart_words(Snapshot(epochs=5))


# -- confusion_figure ------------------------------------------------------------------


def test_confusion_figure_has_class_names_true_rows_reversed_and_counts():
    evaluation = make_evaluation()
    fig = confusion_figure(evaluation.confusion)
    assert all(isinstance(t, go.Heatmap) for t in fig.data)
    assert list(fig.data[0].x) == list(CLASS_NAMES) and list(fig.data[0].y) == list(CLASS_NAMES)
    assert fig.layout.yaxis.title.text == "True garment"
    assert fig.layout.xaxis.title.text == "Model's guess"
    assert fig.layout.yaxis.autorange == "reversed"
    # Every non-zero cell's count is written in exactly one trace (no smudged double text).
    for t in range(10):
        for p in range(10):
            written = [trace.text[t][p] for trace in fig.data if trace.text[t][p]]
            count = int(evaluation.confusion[t, p])
            assert written == ([f"{count:,}"] if count else []), (t, p)


def test_confusion_hover_says_it_in_words():
    confusion = np.zeros((10, 10), dtype=int)
    confusion[6, 6], confusion[6, 0], confusion[6, 4] = 612, 126, 262
    fig = confusion_figure(confusion)
    hover = fig.data[0].hovertext
    assert hover[6][0] == "True: Shirt, guessed: T-shirt/top — 126 images (12.6% of shirts) — a mistake"
    assert hover[6][6].startswith("True: Shirt, guessed: Shirt — 612 images (61.2% of shirts)")
    assert "0 images" in hover[0][1]  # an empty class does not divide by zero


def test_confusion_colours_mistakes_separately_so_they_show():
    evaluation = make_evaluation()
    fig = confusion_figure(evaluation.confusion)
    right, wrong = fig.data
    z_right, z_wrong = np.array(right.z, dtype=float), np.array(wrong.z, dtype=float)
    assert np.isfinite(np.diag(z_right)).all() and np.isnan(z_right[~np.eye(10, dtype=bool)]).all()
    assert np.isnan(np.diag(z_wrong)).all()
    # The mistakes' colour scale ends at the largest mistake, not at 100%: 55% mistakes are full red.
    assert wrong.zmax == pytest.approx(0.55) and right.zmax == 1
    assert right.hoverongaps is False and wrong.hoverongaps is False


def test_confusion_figure_rejects_a_wrong_shape():
    with pytest.raises(ValueError):
        confusion_figure(np.zeros((9, 10)))


# -- per-class, probability, comparison -------------------------------------------------


def test_per_class_accuracy_sorted_best_first_worst_highlighted():
    per_class = make_evaluation().per_class_accuracy  # 0.90, 0.85, ... 0.45 in class order
    per_class = per_class[[3, 0, 9, 1, 2, 8, 4, 7, 5, 6]]  # shuffle: the figure must sort
    names = [CLASS_NAMES[i] for i in [3, 0, 9, 1, 2, 8, 4, 7, 5, 6]]
    fig = per_class_accuracy_figure(per_class, names)
    bar = fig.data[0]
    assert bar.orientation == "h"
    assert list(bar.y) == list(CLASS_NAMES)  # best (T-shirt/top, 90%) first ... worst (Ankle boot) last
    assert list(bar.x) == sorted(bar.x, reverse=True)
    assert bar.text[0] == "90.0%" and bar.text[-1] == "45.0%"
    assert list(bar.marker.color) == [BLUE] * 7 + [ORANGE] * 3
    assert list(fig.layout.xaxis.range) == [0, 1] and fig.layout.xaxis.tickformat == ".0%"


def test_probability_figure_highlights_the_winner():
    probabilities = np.array([0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.64, 0.07, 0.05, 0.03])
    fig = probability_figure(probabilities)
    bar = fig.data[0]
    assert list(bar.x) == list(CLASS_NAMES)
    colours = list(bar.marker.color)
    assert colours[6] == ORANGE and colours.count(ORANGE) == 1 and set(colours) - {ORANGE} == {OTHER_BARS}
    assert bar.text[6] == "64.0%"
    assert list(fig.layout.yaxis.range) == [0, 1] and fig.layout.yaxis.tickformat.endswith("%")
    assert "Shirt: 64.0% sure" in bar.hovertext[6]


def test_probability_figure_needs_one_value_per_class():
    with pytest.raises(ValueError):
        probability_figure(np.ones(9) / 9)


def test_accuracy_comparison_with_and_without_validation():
    fig = accuracy_comparison_figure(0.93, 0.88, 0.89)
    assert list(fig.data[0].x) == ["Training", "Validation", "Test"]
    assert list(fig.data[0].text) == ["93.0%", "89.0%", "88.0%"]
    assert len(set(fig.data[0].marker.color)) == 3
    assert list(accuracy_comparison_figure(0.93, 0.88).data[0].x) == ["Training", "Test"]


# -- Lesson demos ------------------------------------------------------------------------


def test_softmax_matches_the_lesson():
    np.testing.assert_allclose(softmax([1, 3, 4, 2]), LESSON_SOFTMAX, atol=1e-6)


def test_softmax_sums_to_one_and_is_stable_for_huge_values():
    p = softmax([1000.0, 1001.0, 999.0])
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(p, softmax([0.0, 1.0, -1.0]))
    np.testing.assert_allclose(softmax([1000.0, 0.0, -1000.0]), [1.0, 0.0, 0.0], atol=1e-12)


def test_temperature_flattens_or_sharpens():
    base = softmax([1, 3, 4, 2])
    hot, cold = softmax([1, 3, 4, 2], 10.0), softmax([1, 3, 4, 2], 0.1)
    assert hot.max() < base.max() < cold.max()
    assert np.ptp(hot) < 0.1 and cold.max() > 0.9999
    with pytest.raises(ValueError):
        softmax([1, 2], 0)


def test_softmax_figure_shows_logits_and_probabilities():
    fig = softmax_figure([1, 3, 4, 2])
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["Raw outputs (logits)", "After softmax (probabilities)"]
    raw, probabilities = fig.data
    assert raw.xaxis == "x" and probabilities.xaxis == "x2"
    assert list(raw.x) == ["class 0", "class 1", "class 2", "class 3"]
    assert list(probabilities.text) == ["0.032", "0.237", "0.644", "0.087"]
    np.testing.assert_allclose(probabilities.y, LESSON_SOFTMAX, atol=1e-6)
    assert [c == ORANGE for c in probabilities.marker.color] == [False, False, True, False]
    assert [c == ORANGE for c in raw.marker.color] == [False, False, True, False]


def test_softmax_figure_with_labels_and_temperature():
    fig = softmax_figure([2.0, 0.5], temperature=5.0, labels=["cat", "dog"])
    assert list(fig.data[0].x) == ["cat", "dog"]
    np.testing.assert_allclose(fig.data[1].y, softmax([2.0, 0.5], 5.0))
    with pytest.raises(ValueError):
        softmax_figure([1, 2, 3], labels=["a", "b"])


def test_relu_values():
    assert relu(-3.5) == 0.0 and relu(0.0) == 0.0 and relu(2.5) == 2.5
    np.testing.assert_array_equal(relu(np.array([-1.0, 0.5])), [0.0, 0.5])


@pytest.mark.parametrize(("x", "label"), [(-2, "relu(-2) = 0"), (2.5, "relu(2.5) = 2.5"), (7, "relu(7) = 7")])
def test_relu_figure_marks_the_point(x, label):
    fig = relu_figure(x)
    curve, point = fig.data
    assert min(curve.x) <= -5 and max(curve.x) >= max(5, x)
    np.testing.assert_array_equal(curve.y, np.maximum(curve.x, 0))
    assert 0.0 in list(curve.x)  # the kink is drawn sharp
    assert (point.x[0], point.y[0]) == (x, max(x, 0))
    assert [a.text for a in fig.layout.annotations] == [label]


# -- image_grid_figure -------------------------------------------------------------------


def test_image_grid_is_one_picture_with_one_title_each():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (20, 28, 28), dtype=np.uint8)
    titles = [f"True: Shirt / Guess: Coat {i}" for i in range(20)]
    fig = image_grid_figure(images, titles, columns=8)
    pictures = [t for t in fig.data if isinstance(t, go.Image)]
    assert len(pictures) == 1
    assert [a.text for a in fig.layout.annotations] == [f"True: Shirt<br>Guess: Coat {i}" for i in range(20)]
    hover = [t for t in fig.data if isinstance(t, go.Scatter)][0]
    assert len(hover.x) == 20 and hover.hovertext[3] == "True: Shirt — Guess: Coat 3"
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    mosaic = png_pixels(pictures[0])
    assert mosaic.shape[2] == 3 and mosaic.shape[1] == 8 * 28 + 7 * image_charts._GAP  # 8 columns
    # Not inverted: the first image appears pixel for pixel, below its title.
    top = image_charts._LINE * 2 + 2
    np.testing.assert_array_equal(mosaic[top : top + 28, :28, 0], images[0])


def test_image_grid_of_80_float_images_with_a_channel_axis():
    images = np.random.default_rng(0).random((80, 28, 28, 1))  # floats in 0..1 with a channel axis
    fig = image_grid_figure(images, ["Bag"] * 80, columns=10)
    assert len(fig.layout.annotations) == 80
    mosaic = png_pixels(fig.data[0])
    assert mosaic.dtype == np.uint8 and mosaic.max() > 200


def test_image_grid_edge_cases():
    assert image_grid_figure(np.zeros((0, 28, 28), np.uint8), []).layout.annotations[0].text == "No images to show"
    with pytest.raises(ValueError):
        image_grid_figure(np.zeros((2, 28, 28), np.uint8), ["only one"])
    fig = image_grid_figure(np.zeros((3, 28, 28), np.uint8), ["a", "b", "c"], columns=8)
    assert png_pixels(fig.data[0]).shape[1] == 3 * 28 + 2 * image_charts._GAP  # no empty columns


def test_an_image_grid_sends_the_browser_a_picture_not_a_list_of_numbers():
    """The Train page's results show two grids of 24 test images: as numbers they were 320 kB each on the
    websocket, which a class's slow browsers must all parse."""
    images = np.random.default_rng(1).integers(0, 256, (24, 28, 28), dtype=np.uint8)  # noise: compresses worst
    fig = image_grid_figure(images, [f"{i}% sure" for i in range(24)], columns=8)
    assert fig.data[0].z is None
    assert len(fig.to_json()) < 60_000


# -- verdict ------------------------------------------------------------------------------


def test_verdict_overfitting_names_the_gap():
    kind, sentence = verdict(0.97, 0.91)
    assert kind == "overfitting"
    assert "6 points" in sentence and "memorising" in sentence


def test_verdict_underfitting():
    kind, sentence = verdict(0.72, 0.70)
    assert kind == "underfitting" and "70%" in sentence
    assert verdict(0.82, 0.79)[0] == "underfitting"  # a test score below 80% is enough


def test_verdict_learning_well_and_boundaries():
    kind, sentence = verdict(0.90, 0.88)
    assert kind == "learning well" and "88%" in sentence
    assert verdict(0.90, 0.85)[0] == "learning well"  # a gap of exactly 5 points is still fine
    assert verdict(0.9001, 0.85)[0] == "overfitting"
    assert verdict(0.80, 0.80)[0] == "learning well"


def test_verdict_rejects_percentages_and_nan():
    with pytest.raises(ValueError):
        verdict(93, 88)
    with pytest.raises(ValueError):
        verdict(float("nan"), 0.9)


# -- The shared look ---------------------------------------------------------------------


def test_every_figure_uses_the_template_and_a_sensible_height():
    evaluation = make_evaluation()
    figures = [
        live_training_figure(make_snapshot()),
        confusion_figure(evaluation.confusion),
        per_class_accuracy_figure(evaluation.per_class_accuracy),
        probability_figure(evaluation.probabilities[0]),
        softmax_figure([1, 3, 4, 2]),
        relu_figure(1.0),
        accuracy_comparison_figure(0.9, 0.88),
    ]
    reference = pio.templates["plotly_white"]
    for fig in figures:
        assert fig.layout.template == reference
        assert 300 <= fig.layout.height <= 600
        assert fig.layout.font.size >= 12
        fig.to_json()


def test_comparison_figure_draws_each_run_in_its_own_colour():
    from playground.training.snapshots import EpochRecord

    first = [EpochRecord(1, 0.5, 0.80, 0.45, 0.82), EpochRecord(2, 0.4, 0.85, 0.42, 0.84)]
    second = [EpochRecord(1, 0.6, 0.75, None, None)]  # no validation split
    fig = charts.comparison_figure([("run 1", first), ("run 2", second), ("run 3", [])])
    names = [trace.name for trace in fig.data]
    assert names == ["run 1: training", "run 1: validation", "run 2: training"]
    assert fig.data[0].line.color == fig.data[1].line.color != fig.data[2].line.color
    assert list(fig.data[1].y) == [0.82, 0.84] and fig.data[0].line.dash == "dot"
    assert fig.layout.yaxis.tickformat == ".0%"
    empty = charts.comparison_figure([("run 1", [])])
    assert not empty.data and "No finished epochs" in empty.layout.annotations[0].text


def test_neuron_weights_are_drawn_in_the_image_shape():
    kernel = np.zeros((784, 20), dtype=np.float32)
    kernel[0, 3] = -2.0  # neuron 4 dislikes the top-left pixel...
    kernel[783, 3] = 1.0  # ...and likes the bottom-right one
    fig = charts.neuron_weights_figure(kernel, (28, 28), count=16)
    assert len(fig.data) == 16 and np.asarray(fig.data[3].z).shape == (28, 28)
    assert fig.data[3].z[0][0] == -1.0 and fig.data[3].z[27][27] == 0.5  # scaled by the tile's own range
    assert all(trace.zmin == -1 and trace.zmax == 1 for trace in fig.data)
    with pytest.raises(ValueError):
        charts.neuron_weights_figure(kernel, (3, 3))
