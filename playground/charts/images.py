"""Many 28×28 pictures in one figure: a single mosaic image with a title over each tile."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.charts.style import apply_style, png_source, show_empty

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
        return show_empty(apply_style(fig, 200), "No images to show")

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

    fig.add_trace(go.Image(source=png_source(mosaic), hoverinfo="skip", name="images"))
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
    apply_style(fig, int(rows * pitch_y * _SCALE) + 20, top=10)
    fig.update_layout(margin=dict(l=5, r=5, t=10, b=10), plot_bgcolor="white")
    return fig


def image_grid_alt(what: str, titles: Sequence[str]) -> str:
    """'24 test images of a Shirt called a T-shirt/top, each titled with how sure the model was: 97% sure, …'"""
    titles = [str(t).replace("<br>", " ").replace("\n", " ") for t in titles]
    shown = ", ".join(titles[:12]) + (", …" if len(titles) > 12 else "")
    return f"{len(titles)} {what}, titled: {shown}."
