"""Every chart of the playground: plain data in, a plotly Figure out.

Pure functions with no Streamlit and no TensorFlow (numpy and plotly only), so pages, the CLI and the
tests can all use them. The charts are meant for people learning how a network learns: plain-word axis
titles and hover text, garment names instead of class numbers, one template and one set of colours.
Snapshots and epoch records are read by attribute (duck typing), so this module never imports
playground.training and, through it, Keras.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.data import CLASS_NAMES

# -- One look for every chart --------------------------------------------------------

TEMPLATE = "plotly_white"
FONT_SIZE = 14
BLUE = "#2b6cb0"  # the main colour: bars, smoothed lines
LIGHT_BLUE = "#b8cde8"  # raw, noisy data behind a smoothed line
GREY = "#a0aec0"  # the bars that are not the point of the chart
ORANGE = "#dd6b20"  # the highlight: the winner, the training markers, the hardest classes
GREEN = "#2f855a"  # validation, right answers
RED = "#c53030"  # mistakes
DARK_GREEN = "#1c6b43"  # the confusion matrix's right answers
WAITING_TEXT = "Waiting for the first batches…"
LIVE_UIREVISION = "live-training"  # constant: a user's zoom survives every redraw of the live chart

_PLURALS = {
    "T-shirt/top": "T-shirts/tops",
    "Trouser": "trousers",
    "Pullover": "pullovers",
    "Dress": "dresses",
    "Coat": "coats",
    "Sandal": "sandals",
    "Shirt": "shirts",
    "Sneaker": "sneakers",
    "Bag": "bags",
    "Ankle boot": "ankle boots",
}


def _plural(name: str) -> str:
    return _PLURALS.get(name, f"{name} images")


def _style(fig: go.Figure, height: int, *, legend: bool = False, top: int = 30) -> go.Figure:
    """The shared look: template, font, height, tight margins, horizontal legend on top."""
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        font=dict(size=FONT_SIZE),
        margin=dict(l=10, r=10, t=top, b=10),
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, font=dict(size=13)),
        hoverlabel=dict(font_size=13),
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _empty(fig: go.Figure, message: str, y: float = 0.5) -> go.Figure:
    fig.add_annotation(
        text=message, xref="paper", yref="paper", x=0.5, y=y, showarrow=False, font=dict(size=16, color="#718096")
    )
    return fig


def _check_class_vector(values: np.ndarray, class_names: Sequence[str], what: str) -> np.ndarray:
    values = np.asarray(values, dtype=float).ravel()
    if len(values) != len(class_names):
        raise ValueError(f"{what} has {len(values)} values but there are {len(class_names)} class names.")
    return values


# -- Live training -------------------------------------------------------------------


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


def live_training_figure(snapshot, smoothing: float = 0.9) -> go.Figure:
    """Loss (top) and accuracy (bottom) against epochs, for a Snapshot of a training run.

    In each row: the per-batch values as a thin light line, their smoothed version (see smooth()) as a
    strong line, and at the end of every epoch the training result (orange circles) and, when there is
    a validation set, the validation result (green diamonds). With no data yet it is an empty chart
    saying so. uirevision is constant so a user's zoom survives the live updates.
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
        if points:
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
        if training:
            ex, ey = zip(*training, strict=True)
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
        if validation:
            vx, vy = zip(*validation, strict=True)
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
    _style(fig, 440, legend=True, top=40)
    fig.update_layout(uirevision=LIVE_UIREVISION)
    for row in (1, 2):  # an axis without a trace is not drawn at all: keep both rows visible while empty
        if not any(trace.yaxis == ("y" if row == 1 else "y2") for trace in fig.data):
            fig.add_trace(go.Scatter(x=[], y=[], showlegend=False, hoverinfo="skip"), row=row, col=1)
    if not points and not history:
        _empty(fig, WAITING_TEXT, y=0.78)
    return fig


# -- How the trained model does ------------------------------------------------------


def confusion_figure(confusion: np.ndarray, class_names: Sequence[str] = CLASS_NAMES) -> go.Figure:
    """The confusion matrix as a heatmap: rows are the true garment, columns the model's guess.

    Each cell shows its count of test images. Colour shows the cell's share of that true garment: right
    answers (the diagonal) in green, mistakes in red on their own scale, so that a few dozen confused
    shirts stand out next to the diagonal's hundreds. Hovering says it in words.
    """
    counts = np.asarray(confusion)
    n = len(class_names)
    if counts.shape != (n, n):
        raise ValueError(f"confusion must be {n}x{n}, got {counts.shape}")
    counts = counts.astype(np.int64)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    names = list(class_names)
    diagonal = np.eye(n, dtype=bool)

    hover = [
        [
            f"True: {names[t]}, guessed: {names[p]} — {counts[t, p]:,} image{'s' if counts[t, p] != 1 else ''} "
            f"({share[t, p]:.1%} of {_plural(names[t])})" + (" — right" if t == p else " — a mistake")
            for p in range(n)
        ]
        for t in range(n)
    ]
    # Each trace writes only its own cells' counts: text drawn twice in one cell smudges. A zero mistake
    # stays blank so the real mistakes stand out.
    right_text = [[f"{counts[t, p]:,}" if t == p else "" for p in range(n)] for t in range(n)]
    wrong_text = [[f"{counts[t, p]:,}" if t != p and counts[t, p] else "" for p in range(n)] for t in range(n)]
    right = np.where(diagonal, share, np.nan)
    wrong = np.where(diagonal, np.nan, share)
    worst_mistake = float(np.nanmax(wrong)) if n > 1 else 0.0

    fig = go.Figure()
    for name, z, text, scale, zmax in (
        ("Right answers", right, right_text, [[0, "#e6f4ea"], [1, DARK_GREEN]], 1.0),
        ("Mistakes", wrong, wrong_text, [[0, "#ffffff"], [0.001, "#fde8e4"], [1, RED]], max(worst_mistake, 0.05)),
    ):
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=names,
                y=names,
                text=text,
                texttemplate="%{text}",
                textfont=dict(size=12, shadow="none"),
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
                hoverongaps=False,
                colorscale=scale,
                zmin=0,
                zmax=zmax,
                showscale=False,
                name=name,
                xgap=1,
                ygap=1,
            )
        )
    fig.update_xaxes(
        title_text="Model's guess",
        type="category",
        categoryorder="array",
        categoryarray=names,
        tickangle=-40,
        showgrid=False,
    )
    fig.update_yaxes(
        title_text="True garment",
        type="category",
        categoryorder="array",
        categoryarray=names,
        autorange="reversed",
        showgrid=False,
        scaleanchor="x",
        constrain="domain",
    )
    _style(fig, 560, top=40)
    fig.add_annotation(
        text="Green: right answers · Red: mistakes (darker = a bigger share of that garment)",
        xref="paper",
        yref="paper",
        x=0,
        y=1.01,
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        font=dict(size=13, color="#4a5568"),
    )
    return fig


def per_class_accuracy_figure(
    per_class: np.ndarray, class_names: Sequence[str] = CLASS_NAMES, worst: int = 3
) -> go.Figure:
    """Accuracy for each garment as horizontal bars, best at the top; the `worst` hardest in orange."""
    values = _check_class_vector(per_class, class_names, "per_class")
    order = np.argsort(-values, kind="stable")
    names = [class_names[i] for i in order]
    sorted_values = values[order]
    hardest = set(order[len(order) - worst :].tolist()) if worst > 0 else set()
    colours = [ORANGE if i in hardest else BLUE for i in order.tolist()]
    hover = [
        f"{class_names[i]}: {values[i]:.1%} of {_plural(class_names[i])} recognised correctly"
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
    _style(fig, 400)
    fig.update_layout(margin_r=60)
    return fig


def probability_figure(probabilities: np.ndarray, class_names: Sequence[str] = CLASS_NAMES) -> go.Figure:
    """The model's ten softmax outputs for one image as bars; its guess (the tallest) in orange."""
    values = _check_class_vector(probabilities, class_names, "probabilities")
    names = list(class_names)
    winner = int(np.argmax(values))
    colours = [ORANGE if i == winner else GREY for i in range(len(values))]
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
    _style(fig, 360, top=30)
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
    _style(fig, 340, top=30)
    return fig


def verdict(train_accuracy: float, test_accuracy: float) -> tuple[str, str]:
    """A plain-language verdict: (kind, sentence), kind one of 'learning well', 'overfitting', 'underfitting'.

    Overfitting when training accuracy beats test accuracy by more than 5 points; otherwise
    underfitting when either is below 80%; otherwise learning well. Accuracies are fractions (0..1).
    """
    train, test = float(train_accuracy), float(test_accuracy)
    for name, value in (("train_accuracy", train), ("test_accuracy", test)):
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise ValueError(f"{name} must be a fraction between 0 and 1, got {value}")
    gap = train - test
    if gap > 0.05 + 1e-9:  # 0.90 - 0.85 is 0.05000000000000004 in floating point: exactly 5 points is not overfitting
        return (
            "overfitting",
            f"It does {_points(gap)} points better on the images it trained on ({train:.0%}) than on new ones "
            f"({test:.0%}). That gap means it has started memorising the training images instead of learning "
            "what the garments look like.",
        )
    if train < 0.80 or test < 0.80:
        which, value = ("training images", train) if train <= test else ("new images", test)
        return (
            "underfitting",
            f"It gets only {value:.0%} of the {which} right: it has not learned enough yet. "
            "More epochs, a bigger model or a different learning rate may help.",
        )
    closeness = "as well as" if gap <= 0 else "almost as well as"
    return (
        "learning well",
        f"It recognises {test:.0%} of new images, {closeness} the images it trained on ({train:.0%}): "
        "what it learned carries over to garments it has never seen.",
    )


def _points(fraction: float) -> str:
    """A difference of two fractions in percentage points, without a needless '.0'."""
    text = f"{fraction * 100:.1f}"
    return text[:-2] if text.endswith(".0") else text


# -- Lesson demos --------------------------------------------------------------------


def softmax(values: Sequence[float], temperature: float = 1.0) -> np.ndarray:
    """Numerically stable softmax of values / temperature: non-negative, sums to 1."""
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    z = np.asarray(values, dtype=float).ravel() / temperature
    z = z - z.max()
    e = np.exp(z)
    return e / e.sum()


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
    colours = [ORANGE if i == winner else GREY for i in range(len(logits))]
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
    _style(fig, 360, top=40)
    return fig


def relu(x):
    """max(x, 0): a float for a number, an array for an array."""
    result = np.maximum(np.asarray(x, dtype=float), 0.0)
    return float(result) if result.ndim == 0 else result


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
    _style(fig, 340, top=20)
    return fig


# -- Images --------------------------------------------------------------------------

_GAP = 3  # white pixels between tiles (in image pixels)
_LINE = 6  # title space per line of text (in image pixels)
_SCALE = 2.6  # screen pixels per image pixel the height is planned for


def image_grid_figure(images: np.ndarray, titles: Sequence[str], columns: int = 8) -> go.Figure:
    """Small multiples of grayscale images, each with a short title above it, no axes.

    The images are shown as the model sees them: a light garment on a black background (Fashion-MNIST
    is stored that way), separated by white gaps. Everything is one picture plus one annotation per
    title, so 80 images draw as fast as 8. A newline or ' / ' in a title starts a new line (so
    'True: Shirt / Guess: Coat' takes two). Hovering a tile shows its title. uint8 images are used as
    they are; floats are read as 0..1 if their maximum is at most 1, else as 0..255.
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim == 2:
        images = images[None]
    titles = list(titles)
    if images.ndim != 3 and images.size:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    if len(titles) != len(images):
        raise ValueError(f"{len(images)} images but {len(titles)} titles")
    if columns < 1:
        raise ValueError("columns must be at least 1")
    fig = go.Figure()
    if len(images) == 0:
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _empty(_style(fig, 200), "No images to show")

    if images.dtype != np.uint8:
        pixels = images.astype(float)
        if np.nanmax(pixels) <= 1.0:
            pixels = pixels * 255.0
        images = np.clip(np.nan_to_num(pixels), 0, 255).astype(np.uint8)
    lines = [t.replace("<br>", "\n").replace(" / ", "\n").split("\n") for t in map(str, titles)]
    title_height = _LINE * max(len(line) for line in lines) + 2
    n, height, width = images.shape
    columns = min(columns, n)
    rows = math.ceil(n / columns)
    pitch_x, pitch_y = width + _GAP, height + title_height + _GAP
    mosaic = np.full((rows * pitch_y, columns * pitch_x - _GAP), 255, dtype=np.uint8)
    centres_x, centres_y, tops = [], [], []
    for i, image in enumerate(images):
        row, column = divmod(i, columns)
        top, left = row * pitch_y + title_height, column * pitch_x
        mosaic[top : top + height, left : left + width] = image
        centres_x.append(left + width / 2)
        centres_y.append(top + height / 2)
        tops.append(top)

    fig.add_trace(go.Image(z=np.repeat(mosaic[:, :, None], 3, axis=2), hoverinfo="skip", name="images"))
    fig.add_trace(
        go.Scatter(
            x=centres_x,
            y=centres_y,
            mode="markers",
            name="titles",
            marker=dict(size=width * _SCALE * 0.9, symbol="square", opacity=0),
            hovertext=[" — ".join(line) for line in lines],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    label_font = dict(size=11, color="#1a202c")
    fig.update_layout(  # one update for all titles: adding 80 annotations one by one takes a third of a second
        annotations=[
            dict(
                x=x,
                y=top - 1,
                text="<br>".join(line),
                showarrow=False,
                yanchor="bottom",
                xanchor="center",
                font=label_font,
            )
            for x, top, line in zip(centres_x, tops, lines, strict=True)
        ]
    )
    fig.update_xaxes(visible=False, range=[-0.5, mosaic.shape[1] - 0.5])
    fig.update_yaxes(visible=False, range=[mosaic.shape[0] - 0.5, -0.5], scaleanchor="x")
    _style(fig, int(rows * pitch_y * _SCALE) + 20, top=10)
    fig.update_layout(margin=dict(l=5, r=5, t=10, b=10), plot_bgcolor="white")
    return fig


__all__ = [
    "accuracy_comparison_figure",
    "confusion_figure",
    "image_grid_figure",
    "live_training_figure",
    "per_class_accuracy_figure",
    "probability_figure",
    "relu",
    "relu_figure",
    "smooth",
    "softmax",
    "softmax_figure",
    "verdict",
]


RUN_COLOURS = ("#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#c53030", "#319795", "#d69e2e", "#4a5568")


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
        _empty(fig, "No finished epochs to compare yet")
    return _style(fig, 380, legend=drawn > 0, top=60)


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
    return _style(fig, 60 + 115 * rows, top=10)
