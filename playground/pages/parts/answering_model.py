"""Try it's choice of the model that answers: the ready-made one, the visitor's own run, or a .keras upload.

Page-only widget code for playground/pages/try_it.py; the checking of an uploaded file is in the core
(playground/network/uploaded_model.py), the answering in playground/answers/inference.py.
"""

from __future__ import annotations

import streamlit as st

from playground.answers.inference import Classifier, answer_networks, answer_test_accuracy, pretrained_info
from playground.network.layer_plan import ModelFileError
from playground.network.untrusted import markdown_escaped
from playground.network.uploaded_model import MAX_PARAMETERS, read_model_upload, shown_name
from playground.pages.parts import common
from playground.server.limits import return_freed_heap

UNREADABLE = "It could not be read as a model here. Save it again with Keras (model.save('name.keras')) and retry."


def choose_classifier() -> Classifier:
    """The radio "Which model answers?" and what goes with the choice; the ready-made model when nothing else can."""
    run = common.session_lab().current  # looked up on the module at each run, so a test can stand in for it
    own_ready = run is not None and run.kept_weights is not None
    info = pretrained_info()
    labels = {
        "ready": f"Ready-made model ({answer_test_accuracy(info):.0%} on test images)" if info else "Ready-made model",
        "own": "Your own model",
        "upload": "A model you upload",
    }
    choice = st.radio(
        "Which model answers?",
        list(labels),
        format_func=labels.get,
        key="tryit_model",
        horizontal=True,
        help=f"The ready-made model is {ready_model_words(answer_networks(info))}. It copes with drawings and "
        "photos and knows when a picture is unlike what it learnt from. It was also shown plain shapes that are "
        "no garment at all, marked 'any of the ten, equally', so things that aren't clothes get an unsure answer. "
        "Your own model uses the weights of its latest finished epoch, even while it keeps training. "
        "A model you upload is a .keras file, for example one you trained here and downloaded.",
    )
    if choice == "own" and not own_ready:
        st.info(
            "You have not finished an epoch of training in this session yet, so the ready-made model answers. "
            "Train one on the Train page: it can answer here while it keeps training.",
            icon=":material/info:",
        )
    elif choice == "own":
        still = ", still training" if not run.snapshot.state.done else ""
        st.caption(f"Answering: {own_model_words(run)[1]} ({run.config.architecture}{still}).")
    classifier = session_classifier(run) if choice == "own" and own_ready else None
    if choice == "upload":
        classifier = uploaded_classifier()
    return classifier or common.ready_made_classifier()


def own_model_words(run) -> tuple[str, str]:
    """(cache key, description) of the weights the visitor's own model answers with right now."""
    if run.weights is not None:
        epochs = len(run.snapshot.epoch_history)
        return f"{run.uid}-final", f"your model, after {epochs} epoch{'' if epochs == 1 else 's'}"
    epoch = run.checkpoint[0]
    return f"{run.uid}-{epoch}", f"your model, epoch {epoch}"


def session_classifier(run) -> Classifier:
    """The visitor's own model (final weights, or its latest finished epoch), rebuilt only when those change."""
    cache_key, description = own_model_words(run)
    cached = st.session_state.get("own_classifier")
    if cached is None or cached[0] != cache_key:
        classifier = Classifier.from_weights(run.config, run.kept_weights, description)
        st.session_state.own_classifier = cached = (cache_key, classifier)
    return cached[1]


def uploaded_classifier() -> Classifier | None:
    """The model this visitor uploaded (kept in their session only), after the uploader and any message about it.

    A file is read once (its file_id remembered): a good model replaces the one kept before, a bad file only gets
    its reason. The file then stays listed in the uploader, as in any Streamlit uploader, so a tab holds at most
    one model file (20 MB at most) until a new upload replaces it, its ✕ removes it, or the tab closes. (Emptying
    the uploader with a new key would orphan each file in Streamlit's store until the tab closed, and 1.67 has no
    public call to let one go.)
    """
    state = st.session_state
    uploaded = st.file_uploader(
        "Your model, as a .keras file",
        key="model_file",
        help=f"A Keras model saved with model.save('name.keras'), up to 20 MB and {MAX_PARAMETERS:,} weights, that "
        "takes 28 × 28 grey pictures and gives 10 answers. It stays in this browser tab only and goes when you leave.",
    )
    if uploaded is not None and uploaded.file_id != state.get("model_file_read"):
        with st.spinner("Checking the model…"):
            read_uploaded_model(uploaded)
        state.model_file_read = uploaded.file_id  # the next reruns leave this file alone
    held = state.get("uploaded_model")
    if state.get("model_problem"):
        still = " The model you uploaded before still answers." if held else ""
        st.error(markdown_escaped(state.model_problem + still), icon=":material/block:")
    if held is None:
        st.info("Upload a model to use it; until then the ready-made model answers.", icon=":material/upload:")
        return None
    model, classifier = held
    st.caption(markdown_escaped(f"Answering: {model.summary}."))
    for note in model.notes:
        st.caption(f":material/info: {markdown_escaped(note)}")
    st.button("Forget this model", key="forget_model", on_click=forget_uploaded_model)
    return classifier


def read_uploaded_model(uploaded) -> None:
    """Read the file (in a sandboxed child: playground.network.uploaded_model) into the session, or keep why it was
    not."""
    state = st.session_state
    name = shown_name(uploaded.name)
    try:
        model = read_model_upload(uploaded.getvalue(), uploaded.name)
        classifier = Classifier(model.net, description=model.name)  # its first answer, on a blank picture
    except ModelFileError as error:
        state.model_problem = f"“{name}” was not loaded. {error}"
    except Exception:  # whatever else a file made go wrong: said plainly, and nothing changes
        state.model_problem = f"“{name}” was not loaded. {UNREADABLE}"
    else:
        state.model_problem = None
        state.uploaded_model = (model, classifier)
    return_freed_heap()


def is_uploaded(classifier: Classifier) -> bool:
    held = st.session_state.get("uploaded_model")
    return held is not None and held[1] is classifier


def set_aside_uploaded_model(reason: str) -> None:
    """An uploaded model that failed to answer: forgotten, with why, so the ready-made model answers again."""
    name = st.session_state.uploaded_model[0].name
    forget_uploaded_model()
    st.session_state.model_problem = f"“{name}” was set aside: {reason} The ready-made model answers instead."


def forget_uploaded_model() -> None:
    for name in ("uploaded_model", "model_problem"):
        st.session_state.pop(name, None)


def ready_model_words(networks: int) -> str:
    """The ready-made model in the radio's help: one network, or an ensemble of several."""
    if networks == 1:
        return "a small CNN trained on Fashion-MNIST and on photo-like composites of it"
    return (
        f"{networks} small CNNs trained alike, from different random starts, on Fashion-MNIST and on photo-like "
        "composites of it; their answers are averaged, and it is less sure where they disagree"
    )
