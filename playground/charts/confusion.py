"""The confusion matrix: which garment the model took for which, as a heatmap, and a clickable copy of it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.charts.style import DARK_BLUE, DARK_ORANGE, OUTLINE, apply_style, plural
from playground.data.fashion_mnist import CLASS_NAMES


def confusion_figure(confusion: np.ndarray, class_names: Sequence[str] = CLASS_NAMES) -> go.Figure:
    """The confusion matrix as a heatmap: rows are the true garment, columns the model's guess.

    Each cell shows its count of test images. Colour shows the cell's share of that true garment: right
    answers (the diagonal) in blue, mistakes in orange (a pair colour-blind eyes tell apart) on their own scale,
    so that a few dozen confused shirts stand out next to the diagonal's hundreds. Hovering says it in words.
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
            f"({share[t, p]:.1%} of {plural(names[t])})" + (" — right" if t == p else " — a mistake")
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
        ("Right answers", right, right_text, [[0, "#e8f0fa"], [1, DARK_BLUE]], 1.0),
        (
            "Mistakes",
            wrong,
            wrong_text,
            [[0, "#ffffff"], [0.001, "#fdeee0"], [1, DARK_ORANGE]],
            max(worst_mistake, 0.05),
        ),
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
    apply_style(fig, 560, top=56)
    fig.add_annotation(  # two short lines, centred: a phone's narrow chart cut the one long line off
        text="Blue: right answers · Orange: mistakes<br>(darker = a bigger share of that garment)",
        xref="paper",
        yref="paper",
        x=0.5,
        y=1.01,
        xanchor="center",
        yanchor="bottom",
        showarrow=False,
        font=dict(size=13, color="#4a5568"),
    )
    return fig


def clickable_confusion_figure(
    confusion: np.ndarray, chosen: tuple[int, int] | None = None, class_names: Sequence[str] = CLASS_NAMES
) -> go.Figure:
    """confusion_figure with a click target on every cell and the chosen (true, guess) cell outlined in black.

    An invisible square marker sits on each cell, carrying its (true, guess) as customdata and the cell's hover
    text, and the heatmaps underneath stop answering the mouse (st.plotly_chart, which drew it until session 18,
    sent no selection events for heatmaps: streamlit/streamlit#8760). clicked_cell reads a click back.
    """
    fig = confusion_figure(confusion, class_names)
    names = list(class_names)
    n = len(names)
    for heatmap in fig.data:
        heatmap.hoverinfo = "skip"
    hover = fig.data[0].hovertext
    cells = [(t, p) for t in range(n) for p in range(n)]
    invisible = dict(opacity=0)
    fig.add_trace(
        go.Scatter(
            x=[names[p] for _, p in cells],
            y=[names[t] for t, _ in cells],
            customdata=cells,
            mode="markers",
            marker=dict(symbol="square", size=34, color="rgba(0,0,0,0)"),
            selected=dict(marker=invisible),  # the black outline shows the choice, drawn by the page
            unselected=dict(marker=invisible),
            hovertext=[hover[t][p] + "<br><i>Click to see these images</i>" for t, p in cells],
            hovertemplate="%{hovertext}<extra></extra>",
            name="cells",
        )
    )
    if chosen is not None:
        t, p = chosen
        fig.add_shape(
            type="rect",
            x0=p - 0.5,
            x1=p + 0.5,
            y0=t - 0.5,
            y1=t + 0.5,
            line=dict(color=OUTLINE, width=4),
            layer="above",
        )
    fig.update_layout(clickmode="event+select", dragmode=False)
    fig.update_xaxes(fixedrange=True)
    fig.update_yaxes(fixedrange=True)
    return fig


def clicked_cell(points: Sequence[dict]) -> tuple[int, int] | None:
    """The (true, guess) cell of a click on clickable_confusion_figure, from its points ([{"customdata": ...}])."""
    for point in points:
        cell = point.get("customdata")
        if isinstance(cell, (list, tuple)) and len(cell) == 2 and all(_whole(v) for v in cell):
            return int(cell[0]), int(cell[1])
    return None


def _whole(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer()


def confusion_alt(confusion: np.ndarray, class_names: Sequence[str] = CLASS_NAMES, most: int = 3) -> str:
    """The matrix in words: right answers in all, the biggest mix-ups, and the keyboard's way to a cell."""
    counts = np.asarray(confusion)
    right = int(np.trace(counts))
    off = counts.copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(-off, axis=None, kind="stable")[:most]
    mix_ups = [
        f"{off.flat[i]} {plural(class_names[i // len(class_names)])} taken for {class_names[i % len(class_names)]}"
        for i in order
        if off.flat[i] > 0
    ]
    said = f"; most mixed up: {', '.join(mix_ups)}" if mix_ups else ""
    return (
        f"Confusion matrix, real garment in rows, the model's guess in columns: {right:,} of {int(counts.sum()):,} "
        f"test images on the diagonal, right{said}. The two boxes below the chart choose a cell to see its images."
    )
