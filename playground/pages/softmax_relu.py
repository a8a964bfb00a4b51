"""Softmax and ReLU: the lesson's two small functions, made touchable."""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground import charts
from playground.charts.lesson import relu_alt, softmax_alt
from playground.charts.style import plotly_config
from playground.network.maths import relu, softmax
from playground.pages.parts.common import training_badge

LESSON_VALUES = (1.0, 3.0, 4.0, 2.0)

st.title("Softmax and ReLU")
training_badge()

st.header("Softmax: from scores to probabilities")
st.write(
    "The last layer of the network gives one score per garment. **Softmax** turns those scores into "
    "probabilities: all positive, adding up to 1, the biggest score getting the biggest share. "
    "These four numbers are the lesson's example: change them and watch the bars."
)
columns = st.columns(4)
values = [
    column.number_input(
        f"Score of class {index}",
        value=default,
        step=0.5,
        key=f"softmax_{index}",
        help="A raw output of the network's last layer (a 'logit').",
    )
    for index, (column, default) in enumerate(zip(columns, LESSON_VALUES, strict=True))
]
temperature = st.slider(
    "Temperature",
    0.1,
    5.0,
    1.0,
    step=0.1,
    key="softmax_temperature",
    help="Scores are divided by this first. Low: the winner takes almost everything. High: everything evens out.",
)
probabilities = softmax(values, temperature)
st.plotly_chart(
    charts.softmax_figure(values, temperature),
    key="softmax_chart",
    config=plotly_config("softmax"),
    alt=softmax_alt(values, temperature),
)
winner = int(np.argmax(probabilities))
st.markdown(
    f"Probabilities: {', '.join(f'{p:.3f}' for p in probabilities)} · sum = **{probabilities.sum():.3f}** · "
    f"class **{winner}** wins with {probabilities[winner]:.1%}."
)
st.caption(
    "With the lesson's 1, 3, 4, 2 at temperature 1 you get 0.032, 0.237, 0.644, 0.087: class 2 wins. "
    "The Try it page shows the same bars for the ten garments."
)

st.header("ReLU: keep the positives, drop the negatives")
st.write(
    "Every hidden neuron adds up its inputs and passes the sum through an **activation**. The lecture uses "
    "ReLU: if the sum is above 0 it passes unchanged, otherwise it becomes 0. That small bend is what lets "
    "stacked layers learn shapes a straight line cannot."
)
x = st.slider(
    "Input to the neuron",
    -5.0,
    5.0,
    -2.0,
    step=0.1,
    key="relu_input",
    help="Drag it and watch the point move along the ReLU curve.",
)
st.plotly_chart(charts.relu_figure(x), key="relu_chart", config=plotly_config("relu"), alt=relu_alt(x))
st.code(f"relu({x:.1f}) = {relu(x):.1f}\n\nif x > 0:\n    return x\nelse:\n    return 0", language="python")
