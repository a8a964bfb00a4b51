"""The lesson's demos: softmax turning scores into chances, and ReLU throwing away the negatives."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.charts.style import BLUE, ORANGE, OTHER_BARS, apply_style
from playground.network.maths import relu, softmax


def softmax_figure(values: Sequence[float], temperature: float = 1.0, labels: Sequence[str] | None = None) -> go.Figure:
    """The softmax lesson: raw outputs (logits) on the left, the probabilities softmax makes of them on the
    right, the largest in orange in both. A higher temperature flattens the probabilities, a lower one
    sharpens them."""
    logits = np.asarray(values, dtype=float).ravel()
    if len(logits) == 0:
        raise ValueError("softmax_figure needs at least one value")
    labels = [f"class {i}" for i in range(len(logits))] if labels is None else list(labels)
    if len(labels) != len(logits):
        raise ValueError(f"{len(logits)} values but {len(labels)} labels")
    probabilities = softmax(logits, temperature)
    winner = int(np.argmax(logits))
    colours = [ORANGE if i == winner else OTHER_BARS for i in range(len(logits))]
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Raw outputs (logits)", "After softmax (probabilities)"),
        horizontal_spacing=0.12,
    )
    fig.add_trace(
        go.Bar(
            x=labels,
            y=logits,
            marker_color=colours,
            text=[f"{v:g}" for v in logits],
            textposition="outside",
            cliponaxis=False,
            name="Raw outputs",
            hovertemplate="%{x}: raw output %{y:g}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=labels,
            y=probabilities,
            marker_color=colours,
            text=[f"{p:.3f}" for p in probabilities],
            textposition="outside",
            cliponaxis=False,
            name="Probabilities",
            hovertemplate="%{x}: probability %{y:.3f} (%{y:.1%})<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_yaxes(title_text="Raw output", row=1, col=1)
    fig.update_yaxes(title_text=f"Probability (temperature {temperature:g})", range=[0, 1.1], row=1, col=2)
    fig.update_xaxes(type="category")
    apply_style(fig, 360, top=40)
    return fig


def relu_figure(x: float) -> go.Figure:
    """The ReLU curve from -5 to 5 (wider if x is outside), with the point (x, relu(x)) marked and labelled."""
    x = float(x)
    y = relu(x)
    low, high = min(-5.0, x), max(5.0, x)
    curve_x = np.unique(np.concatenate([np.linspace(low, high, 201), [0.0]]))
    fig = go.Figure(
        go.Scatter(
            x=curve_x,
            y=relu(curve_x),
            mode="lines",
            name="relu",
            line=dict(color=BLUE, width=3),
            hovertemplate="relu(%{x:.2f}) = %{y:.2f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[x],
            y=[y],
            mode="markers",
            name="your x",
            marker=dict(color=ORANGE, size=14),
            hovertemplate="relu(%{x:g}) = %{y:g}<extra></extra>",
        )
    )
    fig.add_annotation(
        x=x,
        y=y,
        text=f"relu({x:g}) = {y:g}",
        showarrow=True,
        arrowhead=2,
        ax=0,
        ay=-40,
        font=dict(size=15, color=ORANGE),
        bgcolor="rgba(255,255,255,0.85)",
    )
    fig.update_xaxes(title_text="Input x", range=[low - 0.2, high + 0.2], zeroline=True)
    fig.update_yaxes(title_text="Output relu(x)", range=[-0.5, high + 1.0], zeroline=True)
    apply_style(fig, 340, top=20)
    return fig


def softmax_alt(values: Sequence[float], temperature: float = 1.0, labels: Sequence[str] | None = None) -> str:
    """The two bar charts of softmax_figure in words."""
    logits = np.asarray(values, dtype=float).ravel()
    labels = [f"class {i}" for i in range(len(logits))] if labels is None else list(labels)
    probabilities = softmax(logits, temperature)
    pairs = ", ".join(f"{label}: {v:g} → {p:.3f}" for label, v, p in zip(labels, logits, probabilities, strict=True))
    return (
        "Two bar charts, the raw outputs and the probabilities softmax makes of them "
        f"at temperature {temperature:g}: {pairs}."
    )


def relu_alt(x: float) -> str:
    return (
        "Line chart of ReLU: flat at 0 for negative inputs, rising for positive ones; "
        f"the point is at input {x:.1f}, output {relu(x):.1f}."
    )
