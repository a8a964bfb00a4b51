"""The Train page's results: training vs test accuracy with a verdict, mix-ups, mistakes, run comparison and
the downloads (the model, its history, the comparison, a record of the run: playground/pages/parts/downloads.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from playground import charts
from playground.charts.confusion import clickable_confusion_figure, clicked_cell, confusion_alt
from playground.charts.images import image_grid_alt
from playground.charts.results import accuracy_alt, comparison_alt, neuron_weights_alt, per_class_alt
from playground.charts.style import plotly_config
from playground.data.fashion_mnist import CLASS_NAMES, FashionMNIST
from playground.network import exports
from playground.network.evaluation import Evaluation, verdict
from playground.network.numpy_net import first_layer_kernel
from playground.pages.parts.downloads import show_downloads, show_running_download
from playground.pages.parts.figure_chart import clicked_points, figure_chart
from playground.server.workers import RemoteRun

CELL_TRUE, CELL_GUESS = "cell_true", "cell_guess"  # the confusion cell shown, as the keyboard's two selectboxes
CELL_IMAGES = 24  # images shown from one cell: three rows of eight


def show_first_layer(run: RemoteRun, name: str) -> None:
    """The first layer's weights as pictures: what each neuron has learned to look for."""
    weights = run.kept_weights
    if weights is None:
        st.info(
            "This run gave its model back to free the server's memory for newer runs; its numbers are kept.",
            icon=":material/memory:",
        )
        return
    kernel = first_layer_kernel(weights)
    if run.config.architecture == "cnn":
        st.markdown(
            "The CNN's first layer slides 32 small 3 × 3 filters over the image. Here are the first 16: red "
            "pixels make a filter fire, blue ones hold it back, so each one finds a kind of edge or spot."
        )
        shape, kernel = (3, 3), kernel.reshape(9, -1)
    else:
        st.markdown(
            "Each neuron of the first hidden layer weighs all 784 pixels. Drawn back as a 28 × 28 picture, its "
            "weights show what it looks for: **red** pixels push it to fire, **blue** ones hold it back. "
            "Many look like noise at first; look closer and some show a blob, an edge or a garment-like patch "
            "that the network found by itself, with nobody telling it what to look for."
        )
        shape = (28, 28)
    figure_chart(
        charts.neuron_weights_figure(kernel, shape),
        key="first_layer",
        config=plotly_config(f"{name}-first-layer"),
        alt=neuron_weights_alt(min(16, kernel.shape[1]), shape),
    )


# -- The confusion matrix you can click ---------------------------------------------------------


def _cell_clicked() -> None:
    """A click on a confusion cell: show that cell, by moving the keyboard's two selectboxes to it."""
    cell = clicked_cell(clicked_points("confusion"))
    if cell is not None and all(0 <= index < len(CLASS_NAMES) for index in cell):
        st.session_state[CELL_TRUE], st.session_state[CELL_GUESS] = (CLASS_NAMES[i] for i in cell)


def show_confusion(evaluation: Evaluation, data: FashionMNIST, name: str) -> None:
    """The matrix, its biggest mix-ups, and beneath it the test images of the cell clicked (or picked)."""
    if CELL_TRUE not in st.session_state or CELL_GUESS not in st.session_state:
        biggest = evaluation.most_confused(1)
        true, guess = biggest[0][:2] if biggest else (0, 0)
        st.session_state[CELL_TRUE], st.session_state[CELL_GUESS] = CLASS_NAMES[true], CLASS_NAMES[guess]
    chosen = CLASS_NAMES.index(st.session_state[CELL_TRUE]), CLASS_NAMES.index(st.session_state[CELL_GUESS])
    chart_column, notes_column = st.columns([3, 2])
    with chart_column:
        figure_chart(
            clickable_confusion_figure(evaluation.confusion, chosen),
            key="confusion",
            on_click=_cell_clicked,
            config=plotly_config(f"{name}-confusion"),
            alt=confusion_alt(evaluation.confusion),
        )
    with notes_column:
        st.markdown(
            "**How to read it.** Each row is a real garment, each column the model's guess. "
            "The blue diagonal counts right answers; every orange square is a mix-up. "
            "**Click a square**, or pick a real garment and a guess in the two boxes below it, to see its test "
            "images."
        )
        st.markdown("**Mixed up most often**")
        for true, guess, count in evaluation.most_confused(5):
            st.markdown(f"- {count} × a {CLASS_NAMES[true]} taken for a {CLASS_NAMES[guess]}")
    true_column, guess_column, _ = st.columns([1, 1, 2])
    true_name = true_column.selectbox("Real garment", CLASS_NAMES, key=CELL_TRUE)
    guess_name = guess_column.selectbox("Model's guess", CLASS_NAMES, key=CELL_GUESS)
    show_cell_images(evaluation, data, CLASS_NAMES.index(true_name), CLASS_NAMES.index(guess_name), name)


def show_cell_images(evaluation: Evaluation, data: FashionMNIST, true_class: int, guess_class: int, name: str) -> None:
    true_name, guess_name = CLASS_NAMES[true_class], CLASS_NAMES[guess_class]
    indices = evaluation.cell_indices(data.test_labels, true_class, guess_class)
    if len(indices) == 0:
        st.info(f"No test image of a {true_name} was called a {guess_name}.", icon=":material/check:")
        return
    shown = indices[:CELL_IMAGES]
    sure = evaluation.probabilities[shown, guess_class]
    what = "that the model got right" if true_class == guess_class else f"that the model called a {guess_name}"
    first = f"; the first {len(shown)}" if len(indices) > len(shown) else ""
    st.markdown(f"**{len(indices):,} test image{'s' if len(indices) != 1 else ''} of a {true_name} {what}**{first}:")
    titles = [f"{p:.0%} sure" for p in sure]
    figure_chart(
        charts.image_grid_figure(data.test_images[shown], titles, columns=8),
        key="cell_images",
        config=plotly_config(f"{name}-{_slug(true_name)}-as-{_slug(guess_name)}"),
        alt=image_grid_alt(f"test images of a {true_name} {what}, with how sure the model was", titles),
    )
    st.caption(f"Real garment: {true_name} · model's guess: {guess_name} · how sure it was, above each picture.")


def _slug(garment: str) -> str:
    """'T-shirt/top' -> 't-shirt-top', 'Ankle boot' -> 'ankle-boot': a garment in a file name."""
    return garment.lower().replace("/", "-").replace(" ", "-")


# -- The results --------------------------------------------------------------------------------


def show_results(run: RemoteRun, data: FashionMNIST, runs: list[RemoteRun]) -> None:
    """Everything about a finished run; while it trains, only the model so far to download."""
    snap = run.snapshot
    evaluation = run.evaluation
    if evaluation is None or snap.train_accuracy is None:
        if not snap.state.done:
            show_running_download(run)
        return
    name = exports.run_name(run.config, len(snap.epoch_history))
    st.subheader("How well did it learn?")
    kind, sentence = verdict(snap.train_accuracy, evaluation.accuracy)
    left, right = st.columns([2, 3])
    with left:
        st.metric("Training accuracy", f"{snap.train_accuracy:.1%}", help="On the images it learned from.")
        st.metric(
            "Test accuracy",
            f"{evaluation.accuracy:.1%}",
            delta=f"{(evaluation.accuracy - snap.train_accuracy) * 100:+.1f} points vs training",
            help="On 10,000 images it never saw while training: the honest score.",
        )
        st.markdown(f"**Verdict: {kind}.** {sentence}")
    with right:
        figure_chart(
            charts.accuracy_comparison_figure(snap.train_accuracy, evaluation.accuracy, snap.val_accuracy),
            key="accuracy_bars",
            config=plotly_config(f"{name}-accuracy"),
            alt=accuracy_alt(snap.train_accuracy, evaluation.accuracy, snap.val_accuracy),
        )

    confusion_tab, per_class_tab, mistakes_tab, inside_tab, compare_tab = st.tabs(
        ["Confusion matrix", "Per garment", "Its mistakes", "Inside the network", "Compare runs"]
    )
    with inside_tab:
        show_first_layer(run, name)
    with confusion_tab:
        show_confusion(evaluation, data, name)
    with per_class_tab:
        figure_chart(
            charts.per_class_accuracy_figure(evaluation.per_class_accuracy),
            key="per_class",
            config=plotly_config(f"{name}-per-garment"),
            alt=per_class_alt(evaluation.per_class_accuracy),
        )
    with mistakes_tab:
        show_mistakes(evaluation, data)
    with compare_tab:
        show_comparison(runs)
    show_downloads(run, runs, name)


def show_mistakes(evaluation: Evaluation, data: FashionMNIST) -> None:
    pairs = evaluation.most_confused(10)
    if not pairs:
        st.success("No mistakes at all on the test set.")
        return
    options = [f"{CLASS_NAMES[true]} taken for {CLASS_NAMES[guess]} ({count})" for true, guess, count in pairs]
    choice = st.selectbox("Which mix-up?", options, key="mistake_pair", help="The most frequent mix-ups first.")
    true, guess, _ = pairs[options.index(choice)]
    true_name, guess_name = CLASS_NAMES[true], CLASS_NAMES[guess]
    indices = evaluation.cell_indices(data.test_labels, true, guess)[:CELL_IMAGES]
    titles = [f"{p:.0%} sure" for p in evaluation.probabilities[indices, guess]]
    figure_chart(
        charts.image_grid_figure(data.test_images[indices], titles, columns=8),
        key="mistakes_grid",
        config=plotly_config("fashion-mistakes"),
        alt=image_grid_alt(f"test images of a {true_name} that the model called {guess_name}", titles),
    )
    st.caption(f"Test images of a {true_name} that the model called {guess_name}, with how sure it was.")


def show_comparison(runs: list[RemoteRun]) -> None:
    st.dataframe(
        pd.DataFrame(exports.comparison_rows(runs)),
        hide_index=True,
        width="stretch",
        column_config={
            name: st.column_config.NumberColumn(format="percent")
            for name in ("training acc.", "validation acc.", "test acc.")
        },
    )
    st.caption("Every run of this browser session. Change one setting at a time to see what it does.")
    histories = [(f"run {n}", past.snapshot.epoch_history) for n, past in enumerate(runs, 1)]
    figure_chart(
        charts.comparison_figure(histories),
        key="comparison",
        config=plotly_config("fashion-runs-compared"),
        alt=comparison_alt(histories),
    )
    st.caption(
        "Solid lines: accuracy on the held-out validation images; dotted: on the training images. "
        "When a dotted line keeps rising while its solid line stalls or falls, that run is overfitting."
    )
