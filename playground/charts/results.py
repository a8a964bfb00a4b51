"""How a trained model does: accuracy per garment and on training vs test, the ten probabilities of one answer,
runs compared, and what the first layer's neurons look for (the confusion matrix is in confusion.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.charts.style import (
    BLUE,
    GREEN,
    ORANGE,
    OTHER_BARS,
    RUN_COLOURS,
    apply_style,
    check_class_vector,
    plural,
    show_empty,
)
from playground.data.fashion_mnist import CLASS_NAMES


def per_class_accuracy_figure(
    per_class: np.ndarray, class_names: Sequence[str] = CLASS_NAMES, worst: int = 3
) -> go.Figure:
    """Accuracy for each garment as horizontal bars, best at the top; the `worst` hardest in orange."""
    values = check_class_vector(per_class, class_names, "per_class")
    order = np.argsort(-values, kind="stable")
    names = [class_names[i] for i in order]
    sorted_values = values[order]
    hardest = set(order[len(order) - worst :].tolist()) if worst > 0 else set()
    colours = [ORANGE if i in hardest else BLUE for i in order.tolist()]
    hover = [
        f"{class_names[i]}: {values[i]:.1%} of {plural(class_names[i])} recognised correctly"
        + (" — one of the hardest" if i in hardest else "")
        for i in order.tolist()
    ]
    fig = go.Figure(
        go.Bar(
            x=sorted_values,
            y=names,
            orientation="h",
            marker_color=colours,
            text=[f"{v:.1%}" for v in sorted_values],
            textposition="outside",
            cliponaxis=False,
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="Test images recognised correctly", range=[0, 1], tickformat=".0%", dtick=0.2)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names, autorange="reversed")
    apply_style(fig, 400)
    fig.update_layout(margin_r=60)
    return fig


def probability_figure(probabilities: np.ndarray, class_names: Sequence[str] = CLASS_NAMES) -> go.Figure:
    """The model's ten softmax outputs for one image as bars; its guess (the tallest) in orange."""
    values = check_class_vector(probabilities, class_names, "probabilities")
    names = list(class_names)
    winner = int(np.argmax(values))
    colours = [ORANGE if i == winner else OTHER_BARS for i in range(len(values))]
    hover = [
        f"{name}: {value:.1%} sure" + (" — the model's guess" if i == winner else "")
        for i, (name, value) in enumerate(zip(names, values, strict=True))
    ]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=values,
            marker_color=colours,
            text=[f"{v:.1%}" for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=names, tickangle=-40)
    fig.update_yaxes(title_text="How sure the model is", range=[0, 1], tickformat=".0%", dtick=0.2)
    apply_style(fig, 360, top=30)
    return fig


def accuracy_comparison_figure(
    train_accuracy: float, test_accuracy: float, val_accuracy: float | None = None
) -> go.Figure:
    """Training, validation (when there is one) and test accuracy side by side, as percentages."""
    bars = [("Training", train_accuracy, BLUE, "images it learned from")]
    if val_accuracy is not None:
        bars.append(("Validation", val_accuracy, GREEN, "images held back while training"))
    bars.append(("Test", test_accuracy, ORANGE, "new images it has never seen"))
    names = [b[0] for b in bars]
    values = [float(b[1]) for b in bars]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=values,
            marker_color=[b[2] for b in bars],
            text=[f"{v:.1%}" for v in values],
            textposition="outside",
            cliponaxis=False,
            width=0.6,
            hovertext=[
                f"{name} ({about}): {value:.1%} right" for (name, _, _, about), value in zip(bars, values, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.update_xaxes(
        type="category",
        tickvals=names,
        ticktext=[f"{b[0]}<br><span style='font-size:12px'>{b[3]}</span>" for b in bars],
    )
    fig.update_yaxes(title_text="Images recognised correctly", range=[0, 1], tickformat=".0%", dtick=0.2)
    apply_style(fig, 340, top=30)
    return fig


def comparison_figure(runs: Sequence[tuple[str, Sequence]]) -> go.Figure:
    """Accuracy per epoch of several runs: validation solid (training dotted, same colour) when there is one.

    runs: (label, epoch_history) pairs; each history holds records with .epoch, .accuracy and .val_accuracy.
    """
    fig = go.Figure()
    drawn = 0
    for index, (label, history) in enumerate(runs):
        if not history:
            continue
        colour = RUN_COLOURS[index % len(RUN_COLOURS)]
        epochs = [record.epoch for record in history]
        fig.add_trace(
            go.Scatter(
                x=epochs,
                y=[record.accuracy for record in history],
                mode="lines+markers",
                line=dict(color=colour, dash="dot", width=1.5),
                marker=dict(size=5),
                name=f"{label}: training",
                hovertemplate=f"{label}<br>epoch %{{x}}: training accuracy %{{y:.1%}}<extra></extra>",
            )
        )
        validation = [record.val_accuracy for record in history]
        if any(value is not None for value in validation):
            fig.add_trace(
                go.Scatter(
                    x=epochs,
                    y=validation,
                    mode="lines+markers",
                    line=dict(color=colour, width=3),
                    marker=dict(size=7),
                    name=f"{label}: validation",
                    hovertemplate=f"{label}<br>epoch %{{x}}: validation accuracy %{{y:.1%}}<extra></extra>",
                )
            )
        drawn += 1
    fig.update_xaxes(title_text="Epoch", dtick=1 if max((len(h) for _, h in runs), default=0) <= 15 else None)
    fig.update_yaxes(title_text="Accuracy", tickformat=".0%")
    if not drawn:
        show_empty(fig, "No finished epochs to compare yet")
    return apply_style(fig, 380, legend=drawn > 0, top=60)


def neuron_weights_figure(kernel: np.ndarray, image_shape: tuple[int, int], count: int = 16, columns: int = 8):
    """What first-layer neurons look for: each neuron's incoming weights drawn in the image's own shape.

    kernel: (pixels, neurons), e.g. the (784, 128) Dense kernel or a (9, 32) flattened 3x3 conv kernel.
    Red pixels push the neuron up, blue ones down; each tile has its own symmetric colour range.
    """
    kernel = np.asarray(kernel, dtype=np.float32)
    if kernel.ndim != 2 or kernel.shape[0] != image_shape[0] * image_shape[1]:
        raise ValueError(f"kernel of shape {kernel.shape} does not match images of {image_shape}")
    count = min(count, kernel.shape[1])
    rows = math.ceil(count / columns)
    fig = make_subplots(rows=rows, cols=columns, horizontal_spacing=0.01, vertical_spacing=0.02)
    for index in range(count):
        tile = kernel[:, index].reshape(image_shape)
        limit = float(np.abs(tile).max()) or 1.0
        fig.add_trace(
            go.Heatmap(
                z=tile / limit,
                zmin=-1,
                zmax=1,
                colorscale="RdBu_r",
                showscale=False,
                hovertemplate=f"neuron {index + 1}<br>row %{{y}}, column %{{x}}<extra></extra>",
            ),
            row=index // columns + 1,
            col=index % columns + 1,
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x")
    return apply_style(fig, 60 + 115 * rows, top=10)


# -- Text alternatives: what each chart shows, in a sentence a screen reader can say (st.plotly_chart(alt=...)) --


def probability_alt(probabilities: np.ndarray, class_names: Sequence[str] = CLASS_NAMES, most: int = 3) -> str:
    """'Bar chart of the ten chances: Sneaker 91.2% (the guess), Sandal 5.0%, Ankle boot 2.1%; the other 7 less.'"""
    values = check_class_vector(probabilities, class_names, "probabilities")
    order = np.argsort(-values, kind="stable")[:most]
    named = [f"{class_names[i]} {values[i]:.1%}" + (" (the guess)" if n == 0 else "") for n, i in enumerate(order)]
    return (
        f"Bar chart of the {len(values)} chances: {', '.join(named)}; "
        f"the other {len(values) - len(order)} {values[order[-1]]:.1%} or less."
    )


def per_class_alt(per_class: np.ndarray, class_names: Sequence[str] = CLASS_NAMES) -> str:
    """Every garment's accuracy, best first, in one sentence."""
    values = check_class_vector(per_class, class_names, "per_class")
    order = np.argsort(-values, kind="stable")
    listed = ", ".join(f"{class_names[i]} {values[i]:.1%}" for i in order)
    return f"Bar chart of the test images recognised correctly per garment, best first: {listed}."


def accuracy_alt(train_accuracy: float, test_accuracy: float, val_accuracy: float | None = None) -> str:
    validation = f", validation {val_accuracy:.1%}" if val_accuracy is not None else ""
    return f"Bar chart of accuracy: training {train_accuracy:.1%}{validation}, test {test_accuracy:.1%}."


def comparison_alt(runs: Sequence[tuple[str, Sequence]]) -> str:
    """Each run's last epoch, in words."""
    said = []
    for label, history in runs:
        if history:
            last = history[-1]
            validation = f", validation {last.val_accuracy:.1%}" if last.val_accuracy is not None else ""
            said.append(f"{label} after {last.epoch} epochs: training {last.accuracy:.1%}{validation}")
    if not said:
        return "Line chart comparing runs: no finished epochs yet."
    return "Line chart of accuracy per epoch, one colour per run; " + "; ".join(said) + "."


def neuron_weights_alt(count: int, image_shape: tuple[int, int]) -> str:
    height, width = image_shape
    return (
        f"{count} small {height} × {width} pictures, one per neuron: each pixel red where a bright pixel there makes "
        "the neuron fire, blue where it holds it back."
    )
