"""Explore the data: real samples of each garment, and how the images are split for training and testing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from playground.data.fashion_mnist import SAMPLES_PER_CLASS, sample_strip
from playground.pages.parts.common import dataset, training_badge

st.title("Explore the data")
training_badge()
data = dataset()
st.write(
    "Fashion-MNIST holds 70,000 small greyscale photos of clothes, 28 × 28 pixels each, in ten kinds. "
    "Each picture is a grid of 784 numbers from 0 (black) to 255 (white): that grid is all the network ever sees."
)

train_count, test_count = len(data.train_labels), len(data.test_labels)
first, second, third = st.columns(3)
first.metric("Training images", f"{train_count:,}", help="The network learns from these.")
second.metric("Test images", f"{test_count:,}", help="Kept aside to check it afterwards.")
third.metric("Kinds of garment", len(data.class_names))

st.subheader("Why a separate test set?")
st.write(
    "A network can get very good at the exact pictures it practised on, a bit like learning the answers to "
    "last year's exam by heart. So 10,000 images are kept out of training, and the accuracy on them, the "
    "**test accuracy**, tells how well it does on clothes it has never seen."
)

st.subheader("Ten garments, real samples")
seed = st.session_state.setdefault("sample_seed", 0)
if st.button("Show other samples", icon=":material/shuffle:", key="reshuffle"):
    st.session_state.sample_seed = seed = seed + 1
for label, name in enumerate(data.class_names):
    st.markdown(f"**{label} · {name}**")
    st.image(
        sample_strip(data.train_images, data.train_labels, label, seed),
        clamp=True,
        alt=f"{SAMPLES_PER_CLASS} training pictures of a {name}, side by side, light on black",
    )

st.subheader("How many of each")
train_counts = np.bincount(data.train_labels, minlength=10)
test_counts = np.bincount(data.test_labels, minlength=10)
st.dataframe(
    pd.DataFrame({"garment": data.class_names, "training images": train_counts, "test images": test_counts}),
    hide_index=True,
)
st.caption(
    f"Every garment has {train_counts[0]:,} training and {test_counts[0]:,} test images, so guessing at random "
    "would be right 10% of the time. Source: Zalando Research's Fashion-MNIST (MIT licence), read from "
    f"`{data.source}`."
)
