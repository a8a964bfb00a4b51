"""One look for every chart: the template, the colours (told apart by colour-blind readers too) and the
layout helpers every figure shares."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image

TEMPLATE = "plotly_white"
FONT_SIZE = 14
FONT_FAMILY = '"Source Sans", sans-serif'  # the page's own (Streamlit's theme), for the charts it does not theme
BLUE = "#2b6cb0"  # the main colour: bars, smoothed lines
LIGHT_BLUE = "#6a8fc8"  # raw, noisy data behind a smoothed line: 3.3:1 on white (chart marks need 3:1)
GREY = "#a0aec0"  # backgrounds: bands behind bars
OTHER_BARS = "#718096"  # the bars that are not the point of the chart: 4:1 on white (marks need 3:1), unlike GREY
ORANGE = "#dd6b20"  # the highlight: the winner, the training markers, the hardest classes
GREEN = "#2f855a"  # validation, right answers
DARK_BLUE = "#1e4e8c"  # the confusion matrix's right answers
DARK_ORANGE = "#c05621"  # the confusion matrix's mistakes: blue against orange reads for colour-blind eyes too
OUTLINE = "#1a202c"  # the chosen cell's frame, clear on blue, orange and white
WAITING_TEXT = "Waiting for the first batches…"
LIVE_CHART_ALT = (  # the live chart's text alternative; the numbers it shows are said in words beside it
    "Training chart: the loss and the accuracy on each batch as it is learnt, and each finished epoch's training "
    "and validation accuracy."
)
LIVE_UIREVISION = "live-training"  # constant: a user's zoom survives every redraw of the live chart

PLURALS = {
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


def plural(name: str) -> str:
    return PLURALS.get(name, f"{name} images")


def apply_style(fig: go.Figure, height: int, *, legend: bool = False, top: int = 30) -> go.Figure:
    """The shared look: template, font, height, tight margins, horizontal legend on top."""
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        font=dict(size=FONT_SIZE, family=FONT_FAMILY),
        margin=dict(l=10, r=10, t=top, b=10),
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, font=dict(size=13)),
        hoverlabel=dict(font_size=13),
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def show_empty(fig: go.Figure, message: str, y: float = 0.5) -> go.Figure:
    fig.add_annotation(
        text=message, xref="paper", yref="paper", x=0.5, y=y, showarrow=False, font=dict(size=16, color="#4a5568")
    )
    return fig


def check_class_vector(values: np.ndarray, class_names: Sequence[str], what: str) -> np.ndarray:
    values = np.asarray(values, dtype=float).ravel()
    if len(values) != len(class_names):
        raise ValueError(f"{what} has {len(values)} values but there are {len(class_names)} class names.")
    return values


# Every run's colour at least 3:1 on white (WCAG's non-text contrast); the seventh was #d69e2e, 2.4:1.
RUN_COLOURS = ("#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#c53030", "#319795", "#b7791f", "#4a5568")


# The one toolbar every chart shows: only the camera, which saves the chart as a PNG (twice the screen's
# resolution, so it stays sharp on a slide); zoom, pan, lasso and Plotly's logo would only distract a learner.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtons": [["toImage"]],
    "toImageButtonOptions": {"format": "png", "filename": "fashion-mnist-chart", "scale": 2},
}


def plotly_config(filename: str) -> dict:
    """PLOTLY_CONFIG whose camera saves `filename`.png (e.g. 'fashion-dense128-adam-5ep-confusion')."""
    return PLOTLY_CONFIG | {"toImageButtonOptions": PLOTLY_CONFIG["toImageButtonOptions"] | {"filename": filename}}


def png_source(pixels: np.ndarray) -> str:
    """A uint8 picture (height x width grey, or x 3 RGB) as a PNG data URI for go.Image(source=...): a few kB for
    the browser where the same pixels as a list of numbers (go.Image(z=...)) are hundreds (a grid of 24 test
    images: 320 kB as numbers)."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
