"""The Train page's results: training vs test accuracy with a verdict, mix-ups, mistakes, and run comparison."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from playground import charts
from playground.data import CLASS_NAMES, FashionMNIST
from playground.evaluation import verdict
from playground.numpy_net import first_layer_kernel
from playground.workers import RemoteRun


def show_first_layer(run: RemoteRun) -> None:
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
        figure = charts.neuron_weights_figure(kernel.reshape(9, -1), (3, 3))
    else:
        st.markdown(
            "Each neuron of the first hidden layer weighs all 784 pixels. Drawn back as a 28 × 28 picture, its "
            "weights show what it looks for: **red** pixels push it to fire, **blue** ones hold it back. "
            "Many look like noise at first; look closer and some show a blob, an edge or a garment-like patch "
            "that the network found by itself, with nobody telling it what to look for."
        )
        figure = charts.neuron_weights_figure(kernel, (28, 28))
    st.plotly_chart(figure, key="first_layer", config={"displayModeBar": False})


def show_results(run: RemoteRun, data: FashionMNIST, runs: list[RemoteRun]) -> None:
    """Everything about a finished run; nothing until it has a test evaluation and a finished epoch."""
    snap = run.snapshot
    evaluation = run.evaluation
    if evaluation is None or snap.train_accuracy is None:
        return
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
        st.plotly_chart(
            charts.accuracy_comparison_figure(
                snap.train_accuracy, evaluation.accuracy, snap.epoch_history[-1].val_accuracy
            ),
            key="accuracy_bars",
            config={"displayModeBar": False},
        )

    confusion_tab, per_class_tab, mistakes_tab, inside_tab, compare_tab = st.tabs(
        ["Confusion matrix", "Per garment", "Its mistakes", "Inside the network", "Compare runs"]
    )
    with inside_tab:
        show_first_layer(run)
    with confusion_tab:
        chart_column, notes_column = st.columns([3, 2])
        chart_column.plotly_chart(
            charts.confusion_figure(evaluation.confusion), key="confusion", config={"displayModeBar": False}
        )
        with notes_column:
            st.markdown(
                "**How to read it.** Each row is a real garment, each column the model's guess. "
                "The green diagonal counts right answers; every red square is a mix-up."
            )
            st.markdown("**Mixed up most often**")
            for true_name, guess_name, count in evaluation.most_confused(5):
                st.markdown(f"- {count} × a {true_name} taken for a {guess_name}")
    with per_class_tab:
        st.plotly_chart(
            charts.per_class_accuracy_figure(evaluation.per_class_accuracy),
            key="per_class",
            config={"displayModeBar": False},
        )
    with mistakes_tab:
        pairs = evaluation.most_confused(10)
        if not pairs:
            st.success("No mistakes at all on the test set.")
        else:
            options = [f"{true} taken for {guess} ({count})" for true, guess, count in pairs]
            choice = st.selectbox("Which mix-up?", options, key="mistake_pair", help="The most frequent mix-ups first.")
            true_name, guess_name, _ = pairs[options.index(choice)]
            indices = evaluation.cell_indices(
                data.test_labels, CLASS_NAMES.index(true_name), CLASS_NAMES.index(guess_name)
            )[:24]
            confidence = evaluation.probabilities[indices, CLASS_NAMES.index(guess_name)]
            st.plotly_chart(
                charts.image_grid_figure(data.test_images[indices], [f"{p:.0%} sure" for p in confidence], columns=8),
                key="mistakes_grid",
                config={"displayModeBar": False},
            )
            st.caption(f"Test images of a {true_name} that the model called {guess_name}, with how sure it was.")
    with compare_tab:
        table = []
        for number, past in enumerate(runs, start=1):
            s = past.snapshot
            c = past.config
            table.append(
                {
                    "run": number,
                    "model": f"{c.architecture} {','.join(map(str, c.hidden_units))} {c.activation}",
                    "optimizer": f"{c.optimizer} {c.learning_rate:g}",
                    "epochs": len(s.epoch_history),
                    "images": c.train_limit,
                    "training acc.": s.train_accuracy,
                    "validation acc.": s.epoch_history[-1].val_accuracy if s.epoch_history else None,
                    "test acc.": s.test_accuracy,
                    "seconds": round(s.elapsed, 1),
                    "how it ended": s.stop_reason or s.error or s.state.value,
                }
            )
        st.dataframe(
            pd.DataFrame(table),
            hide_index=True,
            width="stretch",
            column_config={
                name: st.column_config.NumberColumn(format="percent")
                for name in ("training acc.", "validation acc.", "test acc.")
            },
        )
        st.caption("Every run of this browser session. Change one setting at a time to see what it does.")
        st.plotly_chart(
            charts.comparison_figure([(f"run {n}", past.snapshot.epoch_history) for n, past in enumerate(runs, 1)]),
            key="comparison",
            config={"displayModeBar": False},
        )
        st.caption(
            "Solid lines: accuracy on the held-out validation images; dotted: on the training images. "
            "When a dotted line keeps rising while its solid line stalls or falls, that run is overfitting."
        )
