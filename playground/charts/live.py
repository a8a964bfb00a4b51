"""The live training chart: loss and accuracy per batch, smoothed, with each epoch's results.

Snapshots are read by attribute (duck typing), so this never imports the training engine or Keras."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from plotly.utils import PlotlyJSONEncoder

from playground.charts.style import (
    BLUE,
    GREEN,
    LIGHT_BLUE,
    LIVE_UIREVISION,
    ORANGE,
    WAITING_TEXT,
    apply_style,
    show_empty,
)


def smooth(values: Sequence[float], weight: float = 0.8) -> np.ndarray:
    """Exponential moving average with TensorBoard's bias correction.

    Each output is weight * previous + (1 - weight) * value, divided by (1 - weight**n) so the first
    points are not dragged towards zero. Values that are not finite (a loss that blew up) are passed
    through unchanged and do not disturb the average. weight=0 returns the values themselves.
    """
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"weight must be in [0, 1), got {weight}")
    values = np.asarray(values, dtype=float).ravel()
    out = np.empty_like(values)
    last, count = 0.0, 0
    for i, value in enumerate(values.tolist()):
        if not math.isfinite(value):
            out[i] = value
            continue
        last = last * weight + (1.0 - weight) * value
        count += 1
        out[i] = last / (1.0 - weight**count)
    return out


def _finite_or_nan(values: list[float]) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    array[~np.isfinite(array)] = np.nan  # infinities are not valid JSON; NaN becomes a gap in the line
    return array


def live_training_figure(snapshot, smoothing: float = 0.9, every_trace: bool = False) -> go.Figure:
    """Loss (top) and accuracy (bottom) against epochs, for a Snapshot of a training run.

    In each row: the per-batch values as a thin light line, their smoothed version (see smooth()) as a
    strong line, and at the end of every epoch the training result (orange circles) and, when there is
    a validation set, the validation result (green diamonds). With no data yet it is an empty chart
    saying so. uirevision is constant so a user's zoom survives the live updates.

    every_trace=True draws all eight traces even while empty, always in the order of LIVE_TRACES, so that a
    live chart can append new points to them by position (see live_chart_update).
    """
    points = tuple(getattr(snapshot, "batch_points", ()) or ())
    history = tuple(getattr(snapshot, "epoch_history", ()) or ())
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06)

    rows = (
        ("loss", "Loss<br><sup>lower is better</sup>", ".3f", 1),
        ("accuracy", "Accuracy<br><sup>higher is better</sup>", ".1%", 2),
    )
    x = np.array([p.epoch for p in points], dtype=float)
    for name, axis_title, number, row in rows:
        first = row == 1  # one legend entry per kind of line, shared by both rows
        if points or every_trace:
            y = _finite_or_nan([getattr(p, name) for p in points])
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    name="Batches",
                    legendgroup="batches",
                    showlegend=first,
                    line=dict(color=LIGHT_BLUE, width=1),
                    hovertemplate=f"After %{{x:.2f}} epochs<br>{name} on the latest batches: %{{y:{number}}}"
                    "<extra></extra>",
                ),
                row=row,
                col=1,
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=smooth(y, smoothing),
                    mode="lines",
                    name="Smoothed",
                    legendgroup="smoothed",
                    showlegend=first,
                    line=dict(color=BLUE, width=2.5),
                    hovertemplate=f"After %{{x:.2f}} epochs<br>smoothed {name}: %{{y:{number}}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        training = [(r.epoch, getattr(r, name)) for r in history if getattr(r, name) is not None]
        if training or every_trace:
            ex, ey = zip(*training, strict=True) if training else ((), ())
            fig.add_trace(
                go.Scatter(
                    x=list(ex),
                    y=_finite_or_nan(list(ey)),
                    mode="markers",
                    name="Epoch end: training",
                    legendgroup="train",
                    showlegend=first,
                    marker=dict(color=ORANGE, size=10, symbol="circle", line=dict(color="white", width=1.5)),
                    hovertemplate=f"End of epoch %{{x}}<br>{name} on the training images: %{{y:{number}}}"
                    "<extra></extra>",
                ),
                row=row,
                col=1,
            )
        validation = [(r.epoch, getattr(r, f"val_{name}")) for r in history if getattr(r, f"val_{name}") is not None]
        if validation or every_trace:
            vx, vy = zip(*validation, strict=True) if validation else ((), ())
            fig.add_trace(
                go.Scatter(
                    x=list(vx),
                    y=_finite_or_nan(list(vy)),
                    mode="markers",
                    name="Epoch end: validation",
                    legendgroup="validation",
                    showlegend=first,
                    marker=dict(color=GREEN, size=11, symbol="diamond", line=dict(color="white", width=1.5)),
                    hovertemplate=f"End of epoch %{{x}}<br>{name} on validation images, which it never trains on: "
                    f"%{{y:{number}}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        fig.update_yaxes(title_text=axis_title, row=row, col=1)

    fig.update_yaxes(rangemode="tozero", tickformat=".2f", row=1, col=1)
    fig.update_yaxes(range=[0, 1.03], tickformat=".0%", dtick=0.2, row=2, col=1)
    epochs = int(getattr(snapshot, "epochs", 0) or 0)
    if epochs > 0:  # the whole run's width from the start: the lines grow to the right as it trains
        last = max([epochs, *x.tolist(), *(r.epoch for r in history)])
        fig.update_xaxes(range=[0, last])
        if last <= 20:
            fig.update_xaxes(dtick=1)
    fig.update_xaxes(title_text="Epochs (passes through the training images)", row=2, col=1)
    apply_style(fig, 440, legend=True, top=40)
    fig.update_layout(uirevision=LIVE_UIREVISION)
    for row in (1, 2):  # an axis without a trace is not drawn at all: keep both rows visible while empty
        if not any(trace.yaxis == ("y" if row == 1 else "y2") for trace in fig.data):
            fig.add_trace(go.Scatter(x=[], y=[], showlegend=False, hoverinfo="skip"), row=row, col=1)
    if not points and not history:
        show_empty(fig, WAITING_TEXT, y=0.78)
    return fig


# -- The live chart's updates: only what is new -----------------------------------------------------------------

# The traces of live_training_figure(every_trace=True), by position: (kind, row's metric).
LIVE_TRACES = tuple(
    (kind, metric) for metric in ("loss", "accuracy") for kind in ("batches", "smoothed", "training", "validation")
)


def _json_numbers(values) -> list[float | None]:
    """Floats for JSON: what is not finite becomes None (a gap in the line; NaN is not valid JSON)."""
    return [float(v) if v is not None and math.isfinite(v) else None for v in np.asarray(values, dtype=float).tolist()]


def live_chart_json(snapshot) -> str:
    """live_training_figure(every_trace=True) as JSON whose traces hold plain lists of numbers, which
    Plotly.extendTraces can extend (plotly.py sends NumPy arrays as packed binary, which it cannot)."""
    figure = live_training_figure(snapshot, every_trace=True)
    spec = figure.to_plotly_json()
    for trace, numbers in zip(spec["data"], figure.data, strict=True):
        trace["x"], trace["y"] = _json_numbers(numbers.x), _json_numbers(numbers.y)
    return json.dumps(spec, cls=PlotlyJSONEncoder)


def live_chart_update(
    snapshot, points_sent: int, epochs_sent: int, last_step: int | None = None, smoothing: float = 0.9
) -> dict | None:
    """The points of `snapshot` after the first `points_sent` batch points and `epochs_sent` epoch records, as
    {"base": [...], "x": [...], "y": [...]} lists in the order of LIVE_TRACES (for Plotly.extendTraces; base is
    how many points each trace had before these), or None when the points sent are no longer a prefix of the
    snapshot's (its history thinned itself out: send it all again). last_step is the step of the last point sent,
    which tells a thinned-out history from a grown one."""
    points = tuple(getattr(snapshot, "batch_points", ()) or ())
    history = tuple(getattr(snapshot, "epoch_history", ()) or ())
    if points_sent > len(points) or epochs_sent > len(history):
        return None
    if points_sent and last_step is not None and points[points_sent - 1].step != last_step:
        return None
    new_points, new_epochs = points[points_sent:], history[epochs_sent:]
    x = _json_numbers([p.epoch for p in new_points])
    xs, ys, base = [], [], []
    for kind, metric in LIVE_TRACES:
        if kind in ("batches", "smoothed"):
            base.append(points_sent)
        else:
            field = metric if kind == "training" else f"val_{metric}"
            base.append(sum(getattr(r, field) is not None for r in history[:epochs_sent]))
        if kind == "batches":
            xs.append(x)
            ys.append(_json_numbers([getattr(p, metric) for p in new_points]))
        elif kind == "smoothed":  # the average runs over all points: computed whole, only the new part sent
            values = _finite_or_nan([getattr(p, metric) for p in points]) if new_points else np.array([])
            xs.append(x)
            ys.append(_json_numbers(smooth(values, smoothing)[points_sent:]))
        else:
            field = metric if kind == "training" else f"val_{metric}"
            records = [r for r in new_epochs if getattr(r, field) is not None]
            xs.append([r.epoch for r in records])
            ys.append(_json_numbers([getattr(r, field) for r in records]))
    return {"base": base, "x": xs, "y": ys}


def live_chart_words(snapshot) -> str:
    """The live chart in words, for screen readers: where the run is and its latest numbers."""
    points = tuple(getattr(snapshot, "batch_points", ()) or ())
    history = tuple(getattr(snapshot, "epoch_history", ()) or ())
    if not points and not history:
        return f"Loss and accuracy during training. {WAITING_TEXT}"
    words = ["Loss and accuracy during training."]
    if points:
        loss = smooth(_finite_or_nan([p.loss for p in points]), 0.9)[-1]
        accuracy = smooth(_finite_or_nan([p.accuracy for p in points]), 0.9)[-1]
        words.append(f"After {points[-1].epoch:.1f} epochs the smoothed loss is {loss:.3f}, accuracy {accuracy:.1%}.")
    for record in history[-1:]:
        words.append(f"End of epoch {record.epoch}: training accuracy {record.accuracy:.1%}")
        if record.val_accuracy is not None:
            words[-1] += f", validation accuracy {record.val_accuracy:.1%}"
        words[-1] += "."
    return " ".join(words)
