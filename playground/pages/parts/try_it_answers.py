"""Try it's answers: the verdict, the way from picture to 28×28, the ten bars and why, or why there is none.

Page-only drawing code for playground/pages/try_it.py; the picture work is in the core (playground.photos.images,
playground.answers.explain), the answering in playground.answers.inference.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground import charts
from playground.answers.explain import describe_heat, describe_hidden, explain_answer
from playground.answers.inference import WHAT_HELPS, AnswerError, Classifier
from playground.charts.results import probability_alt
from playground.charts.style import plotly_config
from playground.network.numpy_net import NumpyNet
from playground.pages.parts.answering_model import is_uploaded, set_aside_uploaded_model
from playground.photos.images import EmptyImageError, ImageError, PhotoSteps, Upload, read_upload
from playground.server.limits import return_freed_heap

# Decoded uploads kept for the whole server (not per visitor): each is at most a 1000-px picture, about 4 MB.
UPLOAD_CACHE_ENTRIES, UPLOAD_CACHE_SECONDS = 16, 15 * 60
TALLEST_PICTURE = 800  # pixels on screen: a tall strip is drawn narrower rather than page-long
MODEL_SEES = "What the model sees: 28 × 28 pixels"
MODEL_SEES_ALT = "Your picture as the model gets it: 28 × 28 pixels, the garment light on black"
HOW_TO_READ = (
    "Orange pixels made the model more sure of its answer, blue pixels less sure, and the stronger the colour the "
    "bigger the push; black background, where nothing is drawn, counts for nothing."
)


def enlarged(image: np.ndarray, factor: int = 8) -> np.ndarray:
    """The 28×28 input blown up with hard pixel edges, so each pixel can be seen."""
    return np.kron(image, np.ones((factor, factor), dtype=np.uint8))


def show_answer(
    classifier: Classifier, original, model_input: np.ndarray, key: str, steps: PhotoSteps | None = None
) -> None:
    """The verdict (with what helps when it is a guess), the way from picture to 28×28, and the ten bars."""
    try:
        prediction = classifier.predict(model_input)
    except Exception as error:  # an uploaded model's NaN (AnswerError) or anything else it breaks on
        answer_failed(classifier, error)
        return
    if prediction.unsure:
        st.warning(f"The model is {prediction.in_words()}.", icon=":material/help:")
        st.caption(f"{prediction.advice()} {WHAT_HELPS}")
    else:
        st.success(f"The model is {prediction.in_words()}.", icon=":material/checkroom:")
    if steps is not None:
        show_steps(original, steps)
    else:
        pictures = st.columns(2)
        if original is not None:
            show_picture(pictures[0], original)
        pictures[1 if original is not None else 0].image(
            enlarged(model_input), caption=MODEL_SEES, width="stretch", alt=MODEL_SEES_ALT
        )
    st.plotly_chart(
        charts.probability_figure(prediction.probabilities),
        key=f"bars_{key}",
        config=plotly_config("fashion-ten-chances"),
        alt=probability_alt(prediction.probabilities),
    )
    if isinstance(classifier.model, NumpyNet):
        try:
            show_why(classifier.model, model_input, prediction.top_class, key)
        except Exception as error:
            answer_failed(classifier, error)
            return
        finally:
            if is_uploaded(classifier):
                return_freed_heap()  # its answer's scratch memory goes back to the system, not kept by glibc
        if len(classifier.networks) > 1:
            st.caption(
                f"The answer above is the average of {len(classifier.networks)} networks trained alike from "
                "different random starts; these pictures look inside the first of them."
            )


def answer_failed(classifier: Classifier, error: Exception) -> None:
    """A model that could not answer: an uploaded one is set aside (and the page drawn again without it)."""
    reason = str(error) if isinstance(error, AnswerError) else "it could not answer this picture."
    if is_uploaded(classifier):
        set_aside_uploaded_model(reason)
        st.rerun()
    st.error(f"No answer: {reason}", icon=":material/error:")


def show_why(net: NumpyNet, model_input: np.ndarray, top_class: int, key: str) -> None:
    """Which pixels pushed the answer, and what the first hidden layer did with the picture."""
    why = explain_answer(net, model_input, top_class)
    st.subheader("Why this answer, for your picture")
    st.write(HOW_TO_READ)
    st.plotly_chart(
        charts.heat_map_figure(model_input, why.heat, why.target_name),
        key=f"heat_{key}",
        config=plotly_config("fashion-why-this-answer"),
        alt=f"Heat map over the 28 × 28 picture. {HOW_TO_READ} {describe_heat(why)}",
    )
    st.caption(describe_heat(why))
    hidden = why.hidden
    st.markdown("**What the hidden layer did**")
    st.write(describe_hidden(hidden))
    if hidden is None:
        return
    if hidden.kind == "conv":
        titles = [f"filter {i + 1}" for i in hidden.top]
        figure = charts.feature_maps_figure(hidden.pictures, titles)
        shown, maps = len(titles), len(hidden.values)
        which = (
            f"{shown} feature maps of the first layer"
            if shown == maps
            else f"{shown} most active of the first layer's {maps} feature maps"
        )
        alt = f"The {which}, the most active first"
        st.plotly_chart(figure, key=f"maps_{key}", config=plotly_config("fashion-feature-maps"), alt=alt)
        st.caption(
            f"The {which}, the most active first (filter "
            f"{hidden.top[0] + 1} found the most). Bright: the filter's pattern is there; black: it is not."
        )
        return
    figure = charts.hidden_activations_figure(hidden.values, hidden.top, hidden.switched_off is not None)
    alt = f"Bar chart of the {hidden.total} hidden neurons' outputs, largest first. {describe_hidden(hidden)}"
    st.plotly_chart(figure, key=f"hidden_{key}", config=plotly_config("fashion-hidden-layer"), alt=alt)
    drawn = " and their weights are drawn below" if hidden.pictures is not None else ""
    st.caption(
        f"Bar chart of the {hidden.total} hidden neurons' outputs for this picture, largest first; the "
        f"{len(hidden.top)} most active are orange{drawn}."
    )
    if hidden.pictures is not None:
        titles = [f"neuron {i + 1}: {hidden.values[i]:.1f}" for i in hidden.top]
        st.plotly_chart(
            charts.neuron_pictures_figure(hidden.pictures, titles),
            key=f"neurons_{key}",
            config=plotly_config("fashion-neuron-pictures"),
            alt=f"What the {len(titles)} most active neurons look for, each as a 28 × 28 picture: {', '.join(titles)}",
        )
        st.caption(
            "What the most active neurons look for: each one's weights drawn as a 28 × 28 picture. Orange pixels "
            "make the neuron fire, blue ones hold it back; a drawing with ink where a neuron is orange excites it."
        )


def show_steps(original: np.ndarray, steps: PhotoSteps) -> None:
    """Photo → garment found → cropped and centred → 28×28, as a strip of small pictures."""
    places = st.columns(4)
    show_picture(places[0], original)
    places[1].image(
        steps.found,
        caption="The garment found (background faded)",
        width="stretch",
        alt="Your photo with its background faded",
    )
    places[2].image(
        steps.centred,
        caption="Cropped, centred, dark cloth made bright",
        width="stretch",
        alt="The garment cropped and centred",
    )
    places[3].image(enlarged(steps.model_input), caption=MODEL_SEES, width="stretch", alt=MODEL_SEES_ALT)


def show_picture(place, picture: np.ndarray) -> None:
    """The visitor's picture (8-bit pixels from read_upload); a tall strip at a width that keeps it on screen."""
    height, width = picture.shape[:2]
    fits = height <= 2 * width
    shown = "stretch" if fits else max(1, round(width * TALLEST_PICTURE / height))
    place.image(picture, caption="What you gave", width=shown, alt="The picture you gave")


def explain(problem: str, empty: bool) -> None:
    """Why there is no answer: nothing found is a hint, a bad file an error."""
    if empty:
        st.info(problem, icon=":material/draw:")
    else:
        st.error(problem, icon=":material/broken_image:")


def answer_or_explain(classifier: Classifier, make_input, key: str) -> None:
    """Run preprocessing; bad or empty input becomes a friendly message instead of a guess."""
    try:
        original, model_input = make_input()
    except ImageError as error:
        explain(str(error), isinstance(error, EmptyImageError))
        return
    show_answer(classifier, original, model_input, key)


@st.cache_data(max_entries=UPLOAD_CACHE_ENTRIES, ttl=UPLOAD_CACHE_SECONDS, show_spinner="Reading the picture…")
def read_upload_once(data: bytes) -> Upload:
    """Every canvas stroke reruns the whole page: an upload is decoded once, keyed on its bytes, and kept a while."""
    return read_upload(data)


def answer_file(classifier: Classifier, uploaded, waiting: str, key: str) -> None:
    """An uploaded file or camera photo: its answer, or its picture and why there is none, or what to do."""
    if uploaded is None:
        st.info(waiting, icon=":material/upload:" if key == "upload" else ":material/photo_camera:")
        return
    upload = read_upload_once(uploaded.getvalue())
    if upload.model_input is not None:
        show_answer(classifier, upload.picture, upload.model_input, key, upload.steps)
        return
    explain(upload.problem, upload.empty)
    if upload.picture is not None:  # it decoded: show what was read, so the message makes sense
        show_picture(st.columns(2)[0], upload.picture)
