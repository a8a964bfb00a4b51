"""A Plotly figure drawn by this app's own plotly.js (plotly_js.py), where st.plotly_chart would bring a second one.

st.plotly_chart loads Streamlit's copy of plotly.js, the full bundle, the first time a page draws one: a tab slowed
4x spends about 3 s evaluating it, in one frame. The Train page's live chart has loaded this app's bundle by the
time the run ends, so the results drawn with this component cost no second plotly.js. A custom component
(st.components.v2: inline JavaScript, no iframe) keyed like st.plotly_chart, with a `.js-plotly-plot` inside; its
text alternative is the plot's aria-label. Pages without training keep st.plotly_chart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from playground.pages.parts.plotly_js import module_js

HERE = Path(__file__).parent

_component = st.components.v2.component(
    "playground.figure_chart",
    js=module_js(HERE / "figure_chart.js"),
    css=".playground-figure { width: 100%; }",
    isolate_styles=False,  # in the page's own DOM, so `.st-key-<key> .js-plotly-plot` finds the plot
)


def figure_chart(
    figure: go.Figure, key: str, config: dict, alt: str, on_click: Callable[[], None] | None = None
) -> None:
    """Draw `figure` (its camera saving as `config` says) with `alt` as its text alternative. `on_click`: called
    when points carrying customdata are clicked; clicked_points(key) reads them."""
    data = {"figure": figure.to_json(validate=False), "config": config, "alt": alt, "clickable": on_click is not None}
    _component(key=key, data=data, **({"on_click_change": on_click} if on_click is not None else {}))


def clicked_points(key: str) -> list[dict]:
    """The points of the last click on the chart `key` ([{"customdata": ...}], as st.plotly_chart's selection has
    them), read in its on_click; [] if there are none. What the browser sent is checked for that shape only: the
    caller checks the customdata. (Streamlit presents a component's state and trigger values as a dict.)"""
    state = st.session_state.get(key)
    click = state.get("click") if isinstance(state, dict) else None
    points = click.get("points") if isinstance(click, dict) else None
    return [point for point in points if isinstance(point, dict)] if isinstance(points, list) else []
