"""Why this answer, for one picture: the pixel heat map and what the hidden layer did (playground.answers.explain).

Signed values use one diverging scale everywhere: orange for "towards" / positive, blue for "against" /
negative (told apart by colour-blind readers, unlike red and green), see-through or white in between.

These figures are redrawn on every canvas stroke, two or three per answer, so each is built in one pass (data and
a complete layout handed to go.Figure at once) with the shared template cut down to the part flat charts use:
charts.style.apply_style's template and follow-up updates cost 20-40 ms of CPU per figure here, this ~5-10 ms.
"""

from __future__ import annotations

import functools

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from playground.charts.style import BLUE, FONT_SIZE, GREY, ORANGE, TEMPLATE, png_source

# Blue (against) -> transparent -> orange (towards): laid over the picture, only the pushes are coloured.
OVERLAY_SCALE = [[0.0, "rgba(43,108,176,0.95)"], [0.5, "rgba(255,255,255,0)"], [1.0, "rgba(221,107,32,0.95)"]]
PICTURE_SCALE = [[0.0, "#000000"], [1.0, "#9a9a9a"]]  # the picture dimmed, so the colours on top stand out
_GAP, _TITLE = 2, 5  # pixels between tiles of a mosaic, and above each for its title
HIDDEN_AXIS = dict(visible=False)


@functools.cache
def _flat_template() -> go.layout.Template:
    """The shared template's look (backgrounds, font, axes) without its defaults for every other kind of chart."""
    look = pio.templates[TEMPLATE].layout
    keep = ("font", "paper_bgcolor", "plot_bgcolor", "hoverlabel", "hovermode", "xaxis", "yaxis", "colorway")
    return go.layout.Template(layout={key: look[key] for key in keep})


def _layout(height: int, xaxis: dict, yaxis: dict, **extra) -> dict:
    """charts.style.apply_style's look (no legend, tight margins) as one layout."""
    return dict(
        template=_flat_template(),
        height=height,
        font=dict(size=FONT_SIZE),
        margin=dict(l=10, r=10, t=10, b=10),
        showlegend=False,
        hoverlabel=dict(font_size=13),
        plot_bgcolor="white",
        xaxis=dict(automargin=True, **xaxis),
        yaxis=dict(automargin=True, **yaxis),
        **extra,
    )


def _symmetric_limit(values: np.ndarray) -> float:
    """The colour range's end: the 99th percentile of |values|, so one extreme pixel does not wash out the rest."""
    magnitude = np.abs(values[values != 0])
    return float(np.percentile(magnitude, 99)) if magnitude.size else 1.0


def heat_map_figure(image: np.ndarray, heat: np.ndarray, class_name: str) -> go.Figure:
    """The (28, 28) heat map laid over the picture: orange pixels pushed towards `class_name`, blue against."""
    image, heat = np.asarray(image, dtype=float), np.asarray(heat, dtype=float)
    if image.shape != heat.shape or image.ndim != 2:
        raise ValueError(f"picture {image.shape} and heat map {heat.shape} must be the same 2-D shape")
    words = np.where(heat > 0, f"towards {class_name}", np.where(heat < 0, "against it", "no push"))
    colorbar = dict(
        title=dict(text="push", side="right"),
        tickvals=[-1, 0, 1],
        ticktext=["against", "none", "towards"],
        thickness=14,
        len=0.9,
    )
    picture = go.Heatmap(z=image, colorscale=PICTURE_SCALE, zmin=0, zmax=255, showscale=False, hoverinfo="skip")
    overlay = go.Heatmap(
        z=np.clip(heat / _symmetric_limit(heat), -1, 1),
        customdata=words,
        colorscale=OVERLAY_SCALE,
        zmin=-1,
        zmax=1,
        colorbar=colorbar,
        hovertemplate="row %{y}, column %{x}: %{customdata}<extra></extra>",
    )
    square = dict(visible=False, constrain="domain")
    yaxis = dict(square, autorange="reversed", scaleanchor="x")
    return go.Figure([picture, overlay], layout=_layout(340, square, yaxis))


def hidden_activations_figure(values: np.ndarray, highlighted: np.ndarray, switches_off: bool) -> go.Figure:
    """Every hidden neuron's output for this picture as a bar, most active first; the highlighted ones (whose
    weights are drawn) in orange. With ReLU the switched-off neurons (output 0) are marked as a grey band."""
    values = np.asarray(values, dtype=float).ravel()
    order = np.argsort(-values, kind="stable")
    chosen = set(int(i) for i in highlighted)
    bars = go.Bar(
        x=np.arange(1, len(values) + 1),
        y=values[order],
        marker=dict(color=[ORANGE if int(i) in chosen else BLUE for i in order], line_width=0),
        customdata=order + 1,
        hovertemplate="neuron %{customdata}: output %{y:.2f}<extra></extra>",
    )
    shapes, annotations = [], []
    off = int(np.sum(values <= 0)) if switches_off else 0
    if off:
        start, end = len(values) - off + 0.5, len(values) + 0.5
        band = dict(type="rect", xref="x", yref="paper", x0=start, x1=end, y0=0, y1=1, line_width=0, opacity=0.25)
        shapes.append(dict(band, fillcolor=GREY, layer="below"))
        text = f"{off} switched off<br>(output 0)"
        annotations.append(
            dict(x=(start + end) / 2, y=0.5, yref="paper", text=text, showarrow=False, font=dict(color="#4a5568"))
        )
    xaxis = dict(title_text="Hidden neurons, most active first", range=[0.5, len(values) + 0.5])
    layout = _layout(280, xaxis, dict(title_text="Output for your picture"), shapes=shapes, annotations=annotations)
    return go.Figure(bars, layout=layout)


def _coloured(values: np.ndarray, low: tuple, middle: tuple, high: tuple) -> np.ndarray:
    """Values in [-1, 1] as RGB uint8: low at -1, middle at 0, high at 1, straight lines in between."""
    v = np.clip(np.nan_to_num(values), -1, 1)[..., None]
    low_, middle_, high_ = (np.array(c, dtype=float) for c in (low, middle, high))
    rgb = np.where(v < 0, middle_ + (middle_ - low_) * v, middle_ + (high_ - middle_) * v)
    return np.round(rgb).astype(np.uint8)


def _mosaic_figure(tiles: np.ndarray, titles: list[str], columns: int, screen_scale: float) -> go.Figure:
    """Small RGB pictures (n, height, width, 3) as one PNG (white gaps, a title over each tile): one light image
    however many tiles, instead of one chart or one long list of numbers each."""
    if tiles.ndim != 4 or len(tiles) != len(titles) or not len(tiles):
        raise ValueError(f"need (n, height, width) pictures and one title each, got {tiles.shape[:3]}")
    n, height, width = tiles.shape[:3]
    columns = min(columns, n)
    rows = -(-n // columns)
    pitch_x, pitch_y = width + _GAP, height + _GAP + _TITLE
    mosaic = np.full((rows * pitch_y, columns * pitch_x - _GAP, 3), 255, dtype=np.uint8)
    centres, tops = [], []
    for index, tile in enumerate(tiles):
        row, column = divmod(index, columns)
        top, left = row * pitch_y + _TITLE, column * pitch_x
        mosaic[top : top + height, left : left + width] = tile
        centres.append(left + width / 2)
        tops.append(top - 0.5)
    # The titles as one text trace: validating one annotation per tile would cost more than the picture.
    labels = go.Scatter(
        x=centres,
        y=tops,
        text=list(titles),
        mode="text",
        textposition="top center",
        textfont=dict(size=11),
        hoverinfo="skip",
    )
    xaxis = dict(HIDDEN_AXIS, range=[-0.5, mosaic.shape[1] - 0.5])
    yaxis = dict(HIDDEN_AXIS, range=[mosaic.shape[0] - 0.5, -0.5], scaleanchor="x")
    layout = _layout(40 + int(rows * pitch_y * screen_scale), xaxis, yaxis)
    return go.Figure([go.Image(source=png_source(mosaic), hoverinfo="skip"), labels], layout=layout)


def neuron_pictures_figure(pictures: np.ndarray, titles: list[str], columns: int = 4) -> go.Figure:
    """Neurons' incoming weights, each drawn as a picture on its own scale: orange pixels excite the neuron,
    blue ones calm it, white ones do nothing."""
    pictures = np.asarray(pictures, dtype=float)
    if pictures.ndim != 3:
        raise ValueError(f"need (n, height, width) pictures, got {pictures.shape}")
    limits = np.abs(pictures).max(axis=(1, 2), keepdims=True) if pictures.size else 1.0
    scaled = pictures / np.where(limits > 0, limits, 1.0)
    return _mosaic_figure(_coloured(scaled, _rgb(BLUE), (255, 255, 255), _rgb(ORANGE)), titles, columns, 4.2)


def feature_maps_figure(maps: np.ndarray, titles: list[str], columns: int = 8) -> go.Figure:
    """A convolution layer's feature maps for this picture, bright where a filter found its pattern.

    All maps share one brightness scale, so a dim map really found little; negative values (tanh) are dark."""
    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3:
        raise ValueError(f"need (n, height, width) maps, got {maps.shape}")
    peak = float(np.abs(maps).max()) if maps.size else 0.0
    scaled = maps / (peak or 1.0)
    if maps.size and maps.min() >= 0:
        scaled = scaled * 2 - 1  # all of black to white for 0 .. peak
    return _mosaic_figure(_coloured(scaled, (0, 0, 0), (128, 128, 128), (255, 255, 255)), titles, columns, 2.6)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
